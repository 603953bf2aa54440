// npm run mirror [-- --dry-run] — push what changed to the national portal (MIRROR_URL, MIRROR_TOKEN), with progress.
import { mirrorOnce, runWith } from '../server/commands.ts';
import { log } from '../server/log.ts';

const dryRun = process.argv.includes('--dry-run');
await runWith(async (portal) => {
  const stats = await mirrorOnce(portal, {
    dryRun,
    progress: (p) => log('mirror', `[${p.done}/${p.total}] ${p.name}: ${({ created: 'đã tạo', updated: 'đã cập nhật', deleted: 'đã xóa', failed: 'LỖI', unchanged: 'không đổi', pending: 'chờ' })[p.outcome]}`),
  });
  log('mirror', `${dryRun ? '(thử, không gửi gì) ' : ''}${stats.created} tạo, ${stats.updated} cập nhật, ${stats.deleted} xóa, ${stats.unchanged} không đổi, ${stats.failed} lỗi, ${stats.pending} chờ lần sau`);
  if (stats.failed || stats.pending) process.exitCode = 1;
});
