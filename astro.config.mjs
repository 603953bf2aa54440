// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// The public site is static and built only from the publication snapshot (PORTAL_SNAPSHOT_DIR);
// the node adapter is there for the on-demand routes of the units' workspace.
export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  outDir: process.env.PORTAL_SITE_OUT ?? './dist',
  site: process.env.SITE_URL ?? 'http://localhost:4321',
  output: 'static',
  adapter: node({ mode: 'middleware' }),
  trailingSlash: 'always',
  // pages render while earlier ones are written: with 1 the build waited on the disk 40% of the time (bench:site)
  // Scripts and styles are files, never inlined: the Content-Security-Policy allows them from this host only
  build: { format: 'directory', inlineStylesheets: 'never', concurrency: 4 },
  vite: { build: { assetsInlineLimit: 0 } },
  compressHTML: true,
  devToolbar: { enabled: false },
});
