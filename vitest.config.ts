import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    setupFiles: ['test/helpers/cleanup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    env: { PORTAL_QUIET: process.env.PORTAL_QUIET ?? '1', ASTRO_TELEMETRY_DISABLED: '1' },
  },
});
