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
  /** reverse proxies in front of the server whose X-Forwarded-For is trusted (0: use the socket's address) */
  trustProxy: number;
  /** CSP frame-ancestors: who may show the portal in a frame ('none' unless the province decides) */
  frameAncestors: string;
  /** false: publishing writes the snapshot and the API serves it, without building the static site (an API-only node) */
  buildSite: boolean;
  /** pushing open data on to the national portal (a CKAN Action API), when MIRROR_URL is set */
  mirror: MirrorConfig | null;
}

export interface MirrorConfig {
  /** the national portal's base address (its Action API is at <url>/api/3/action/) */
  url: string;
  token: string;
  /** the remote organisation of each unit; units not listed publish under `organization` */
  organizations: Record<string, string>;
  organization: string;
  /** prefixed to every dataset name, so the province's names stay unique in a shared namespace */
  prefix: string;
  /** send the topics as CKAN groups (the remote must have groups of the same names) */
  groups: boolean;
  intervalMinutes: number;
  /** per request; retries back off from retryBaseMs, doubling, up to maxAttempts */
  timeoutMs: number;
  retryBaseMs: number;
  maxAttempts: number;
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
    trustProxy: Math.max(0, Math.trunc(Number(env.TRUST_PROXY ?? 0)) || 0),
    frameAncestors: frameAncestorsOf(env.FRAME_ANCESTORS),
    buildSite: env.PORTAL_BUILD_SITE !== '0',
    mirror: mirrorOf(env),
  };
}

function mirrorOf(env: NodeJS.ProcessEnv): MirrorConfig | null {
  const url = env.MIRROR_URL?.trim().replace(/\/+$/, '');
  if (!url) return null;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new Error(`MIRROR_URL không hợp lệ: ${url}`);
  if (!env.MIRROR_TOKEN) throw new Error('MIRROR_URL cần MIRROR_TOKEN (mã truy cập API của cổng quốc gia)');
  let organizations: Record<string, string> = {};
  if (env.MIRROR_ORG_MAP) {
    try {
      organizations = JSON.parse(env.MIRROR_ORG_MAP) as Record<string, string>;
    } catch {
      throw new Error('MIRROR_ORG_MAP phải là JSON: {"so-y-te": "ten-to-chuc-tren-cong-quoc-gia", …}');
    }
  }
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  return {
    url, token: env.MIRROR_TOKEN, organizations, organization: env.MIRROR_ORG?.trim() || 'du-lieu-cap-tinh',
    prefix: env.MIRROR_PREFIX ?? '', groups: env.MIRROR_GROUPS !== '0', intervalMinutes: num(env.MIRROR_INTERVAL_MINUTES, 60),
    timeoutMs: num(env.MIRROR_TIMEOUT_MS, 30_000), retryBaseMs: num(env.MIRROR_RETRY_BASE_MS, 1000), maxAttempts: num(env.MIRROR_MAX_ATTEMPTS, 6),
  };
}

/** 'none', 'self' or a list of https origins; anything else is refused at start rather than sent as a broken header. */
function frameAncestorsOf(value: string | undefined): string {
  const v = value?.trim();
  if (!v || v === 'none') return "'none'";
  if (v === 'self') return "'self'";
  const origins = v.split(/\s+/);
  if (!origins.every((o) => /^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(o) || o === "'self'")) throw new Error(`FRAME_ANCESTORS không hợp lệ: ${v} (none, self hoặc các địa chỉ https://…)`);
  return origins.join(' ');
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
