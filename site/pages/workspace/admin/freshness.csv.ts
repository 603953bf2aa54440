import type { APIRoute } from 'astro';
import { refusal, toCsv, workspaceOf } from '../../../lib/workspace.ts';

export const prerender = false;

/** The freshness dashboard as CSV (UTF-8 with BOM for Excel). */
export const GET: APIRoute = async ({ locals }) => {
  const L = workspaceOf(locals);
  if (!L.session) return new Response('Bạn cần đăng nhập.', { status: 401 });
  let board;
  try {
    board = await L.call('freshness_dashboard_show');
  } catch (err) {
    return refusal(err);
  }
  const day = (d: Date | string | null) => (d ? new Date(new Date(d).getTime() + 7 * 3600_000).toISOString().slice(0, 10).split('-').reverse().join('/') : '');
  const rows: (string | number | null)[][] = [
    ['Đơn vị', 'Mã định danh', 'Số bộ dữ liệu', 'Đúng hạn', 'Sắp đến hạn', 'Quá hạn', 'Cập nhật khi thay đổi', 'Cập nhật gần nhất'],
    ...board.units.map((u: any) => [u.title, u.identifierCode, u.datasets, u.counts['up-to-date'], u.counts['due-soon'], u.counts.overdue, u.counts.exempt, day(u.lastUpdate)]),
  ];
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  return new Response(toCsv(rows), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="theo-doi-cap-nhat-${today}.csv"` } });
};
