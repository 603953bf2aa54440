// npm run check-updates — compute every dataset's update status, record the run, queue reminders
// (each only once) and send them when SMTP_URL is set. The running server does this daily by itself.
import { checkUpdates, runWith } from '../server/commands.ts';

await runWith(async (portal) => { await checkUpdates(portal); });
