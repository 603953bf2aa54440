// The publish job's child process (job.ts: runPublishJobInChild). The boot module first (see
// server/boot.mjs), then the job's modules.
await import('../boot.mjs');
const { serveJob } = await import('./job.ts');
serveJob();
