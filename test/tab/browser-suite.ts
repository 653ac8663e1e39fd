// What every browser test file of the tab sets up: the built page, a fake Entra ID, Chromium, and the
// servers its tests start, all stopped when the file ends. Call it inside the file's describe.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launch, pageWithErrors } from '../support/browser.js';
import { buildTab } from './build.js';
import { FakeEntra } from './entra.js';
import { startTabServer, type TabServer } from './fixtures.js';

export function browserSuite() {
  const entra = new FakeEntra();
  const servers: TabServer[] = [];
  let browser: Browser | undefined;
  let tabDir = '';

  beforeAll(async () => {
    [tabDir] = await Promise.all([buildTab(), entra.start()]);
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.close();
    await entra.stop();
  });

  return {
    entra,
    /** The real server on the seeded store, serving the built page. */
    async start(options: Omit<Parameters<typeof startTabServer>[0], 'tabDir'> = {}): Promise<TabServer> {
      const server = await startTabServer({ tabDir, ...options });
      servers.push(server);
      return server;
    },
    newPage: () => pageWithErrors(browser!),
  };
}
