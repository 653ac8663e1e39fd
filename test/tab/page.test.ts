// GET /tab: the built page and its two files, with the headers Teams needs to frame it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTab } from './build.js';
import { startTabServer, type TabServer } from './fixtures.js';

let server: TabServer;
beforeAll(async () => {
  server = await startTabServer({ tabDir: await buildTab() });
}, 180_000);
afterAll(() => server.close());

describe('the tab page', () => {
  it('is served at /tab with a policy that lets Teams, and only Microsoft 365 hosts, frame it', async () => {
    const response = await fetch(`${server.url}/tab`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/teams\.microsoft\.com https:\/\/\*\.teams\.microsoft\.com https:\/\/\*\.cloud\.microsoft/);
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/tab/tab.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/tab/tab.css" />');
  });

  it('serves the bundle and the style sheet, and nothing else under /tab', async () => {
    const js = await fetch(`${server.url}/tab/tab.js`);
    expect([js.status, js.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    const bundle = await js.text();
    expect(bundle.length).toBeLessThan(150_000); // teams-js is most of it; no framework
    expect(bundle).not.toMatch(/from\s*["']@microsoft/); // bundled, not imported at run time
    expect((await fetch(`${server.url}/tab/tab.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of ['/tab/index.html', '/tab/..%2Fpackage.json', '/tab/tab.js.map', '/tab/%2e%2e']) expect((await fetch(`${server.url}${path}`)).status).toBe(404);
  });

  it('says how to build it when it is not built', async () => {
    const unbuilt = await startTabServer({ tabDir: '/nonexistent/tab' });
    try {
      const response = await fetch(`${unbuilt.url}/tab`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'The tab page is not built: run npm run build.' });
    } finally {
      await unbuilt.close();
    }
  });
});
