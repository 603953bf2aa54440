import type { APIRoute } from 'astro';
import { refusal, reportYear, toCsv, workspaceOf } from '../../../lib/workspace.ts';

export const prerender = false;

/** The yearly report of updates per unit as CSV (?nam=2026). */
export const GET: APIRoute = async ({ locals, url }) => {
  const L = workspaceOf(locals);
  if (!L.session) return new Response('Bạn cần đăng nhập.', { status: 401 });
  const year = reportYear(url);
  if (year === null) return new Response('Năm không hợp lệ.', { status: 400 });
  let report;
  try {
    report = await L.call('freshness_report_show', { year });
  } catch (err) {
    return refusal(err);
  }
  const rows: (string | number | null)[][] = [
    ['Đơn vị', 'Mã định danh', 'Bộ dữ liệu cuối kỳ', 'Bộ dữ liệu mới', 'Phiên bản công bố', 'Lần cập nhật dữ liệu', 'Bộ dữ liệu được cập nhật', 'Quá hạn cuối kỳ', 'Đã rút'],
    ...report.units.map((u: any) => [u.title, u.identifierCode, u.datasetsAtYearEnd, u.newDatasets, u.versions, u.dataUpdates, u.datasetsUpdated, u.overdueAtYearEnd, u.withdrawn]),
  ];
  return new Response(toCsv(rows), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="bao-cao-cap-nhat-du-lieu-${year}.csv"` } });
};
