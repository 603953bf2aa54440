// The publish job's child process (job.ts: runPublishJobInChild).
import { serveJob } from './job.ts';

serveJob();
