// The publish job's child process (job.ts: runPublishJobInChild). The module hooks first (see
// module-hooks.ts), then the job's modules.
await import('../module-hooks.ts');
const { serveJob } = await import('./job.ts');
serveJob();
