import { frequencyById } from '../catalog/vocabularies.ts';

/**
 * Due dates of the update rule. Dates are calendar days in the province's time zone
 * (Asia/Ho_Chi_Minh, UTC+7 all year, no daylight saving), so a dataset updated at 23:30 on the
 * last day of a quarter counts on that day, not on the next UTC day.
 */
export const FRESHNESS_RULES = {
  dueSoonDays: 14,
  dueSoonSource: 'Cấu hình của cổng: nhắc trước 14 ngày (có thể thay đổi).',
} as const;

import type { FreshnessStatus } from '../contract/snapshot.ts';
export type { FreshnessStatus };

const OFFSET_MS = 7 * 3600 * 1000;

/** The local (UTC+7) calendar date of an instant, as yyyy-mm-dd. */
export function localDate(instant: Date): string {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** Adds months to a calendar date, clamping to the month's last day (31/01 + 1 month = 28 or 29/02). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

const dayNumber = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000;

/** The date by which the next update is due, counted from the last real update; null when exempt. */
export function nextDueDate(lastUpdate: Date, frequencyId: string): string | null {
  const months = frequencyById(frequencyId)?.months ?? null;
  return months === null ? null : addMonths(localDate(lastUpdate), months);
}

export function freshnessStatus(due: string | null, now: Date, dueSoonDays: number = FRESHNESS_RULES.dueSoonDays): FreshnessStatus {
  if (due === null) return 'exempt';
  const left = dayNumber(due) - dayNumber(localDate(now));
  if (left < 0) return 'overdue';
  return left <= dueSoonDays ? 'due-soon' : 'up-to-date';
}

export const STATUS_LABELS: Record<FreshnessStatus, string> = {
  'up-to-date': 'Đúng hạn',
  'due-soon': 'Sắp đến hạn cập nhật',
  overdue: 'Quá hạn cập nhật',
  exempt: 'Cập nhật khi có thay đổi',
};
