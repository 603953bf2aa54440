/** Vietnamese display formats: dd/mm/yyyy in the province's time zone, 1.234,5 numbers. */
// Intl formatters are costly to create: one each, reused by every page of a build.
const DATE = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' });
const NUMBER = { vi: new Intl.NumberFormat('vi-VN'), en: new Intl.NumberFormat('en-GB') };
const DECIMAL1 = { vi: new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }), en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }) };

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return DATE.format(new Date(iso.length === 10 ? `${iso}T00:00:00+07:00` : iso));
}

export function formatNumber(n: number, lang: 'vi' | 'en' = 'vi'): string {
  return NUMBER[lang].format(n);
}

export function formatBytes(n: number, lang: 'vi' | 'en' = 'vi'): string {
  if (n < 1024) return `${formatNumber(n, lang)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${DECIMAL1[lang].format(v)} ${units[i]}`;
}

export const FIELD_TYPE_LABELS: Record<string, string> = {
  string: 'Văn bản', integer: 'Số nguyên', number: 'Số', boolean: 'Có/không', date: 'Ngày', datetime: 'Ngày giờ', year: 'Năm',
};
