import path from 'node:path';

/** Runtime configuration, read once from the environment. Everything the portal writes lives under dataDir. */
export interface PortalConfig {
  dataDir: string;
  databaseUrl: string | undefined;
  port: number;
  host: string;
  siteUrl: string;
  datasetsDir: string;
  /** Secure attribute on the session cookie; only a plain-HTTP test setup on another host turns it off */
  cookieSecure: boolean;
  uploadMaxBytes: number;
  /** smtp://user:pass@host:port; unset: reminders wait in the outbox and show in the workspace */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** the first admin's password on a new database (otherwise a random one is printed once) */
  adminPassword: string | undefined;
}

export const projectRoot = path.resolve(import.meta.dirname, '..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  const port = Number(env.PORT ?? 4321);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT không hợp lệ: ${env.PORT}`);
  const host = env.HOST ?? 'localhost';
  return {
    dataDir: path.resolve(env.DATA_DIR ?? path.join(projectRoot, '.data')),
    databaseUrl: env.DATABASE_URL || undefined,
    port,
    host,
    siteUrl: (env.SITE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    datasetsDir: path.resolve(env.DATASETS_DIR ?? path.join(projectRoot, 'datasets')),
    cookieSecure: env.COOKIE_SECURE !== '0',
    uploadMaxBytes: Number(env.UPLOAD_MAX_MB ?? 512) * 1024 * 1024,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM ?? 'Cổng dữ liệu mở <no-reply@localhost>',
    adminPassword: env.ADMIN_PASSWORD || undefined,
  };
}

/** The layout of the data directory (see DESIGN.md). */
export function dataPaths(dataDir: string) {
  return {
    pg: path.join(dataDir, 'pg'),
    files: path.join(dataDir, 'files'),
    tmp: path.join(dataDir, 'tmp'),
    publish: path.join(dataDir, 'publish'),
    site: path.join(dataDir, 'site'),
    siteBuilds: path.join(dataDir, 'site-builds'),
    logs: path.join(dataDir, 'logs'),
  };
}
