import type { BrowserContext, Page } from 'playwright-core';

/**
 * Content-Security-Policy violations seen by the pages a test opens: Chromium reports each on the
 * console ("Refused to … because it violates the following Content Security Policy directive").
 * A test file ends by asserting the list is empty, so the policy never silently breaks a page.
 */
export const cspViolations: string[] = [];

const watch = (page: Page) => {
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`); });
  return page;
};

export async function watched(page: Promise<Page>): Promise<Page> {
  return watch(await page);
}

export function watchedContext(context: BrowserContext): BrowserContext {
  context.on('page', watch);
  return context;
}
