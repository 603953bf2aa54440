import { eq, sql } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { log } from '../log.ts';
import { undelivered } from './check.ts';

const { outbox } = schema;

export interface MailTransport { sendMail(msg: { from: string; to: string; subject: string; text: string }): Promise<unknown> }

/** An SMTP transport from SMTP_URL (nodemailer), or null: reminders then wait in the outbox, shown in the workspace. */
export async function smtpTransport(smtpUrl: string | undefined): Promise<MailTransport | null> {
  if (!smtpUrl) return null;
  const nodemailer = await import('nodemailer');
  return nodemailer.createTransport(smtpUrl);
}

/** Sends what is waiting; each message is marked sent once the server accepted it, so nothing goes twice. */
export async function deliverOutbox(db: Db, transport: MailTransport | null, from: string): Promise<{ sent: number; failed: number; waiting: number }> {
  const waiting = await undelivered(db);
  if (!transport) return { sent: 0, failed: 0, waiting: waiting.length };
  let sent = 0;
  let failed = 0;
  for (const m of waiting) {
    if (!m.toAddress) continue; // an editor without e-mail sees it in the workspace only
    try {
      await transport.sendMail({ from, to: m.toAddress, subject: m.subject, text: m.body });
      await db.update(outbox).set({ sentAt: new Date(), attempts: sql`${outbox.attempts} + 1`, lastError: null }).where(eq(outbox.id, m.id));
      sent++;
    } catch (err) {
      await db.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, lastError: String((err as Error).message).slice(0, 500) }).where(eq(outbox.id, m.id));
      failed++;
    }
  }
  if (sent || failed) log('mail', `gửi thư nhắc: ${sent} thành công, ${failed} lỗi`);
  return { sent, failed, waiting: waiting.length - sent };
}
