// A stand-in for Teams as the tab's host, the way teams-js's own tests simulate it: the tab runs in a
// frame, and the host answers the SDK's postMessage requests by function name (initialize with the
// frame context and client type, getContext, authentication.getAuthToken) and can push a theme change.
// Served on the tab's own origin, which teams-js accepts as a host.
import type { Frame, Page } from 'playwright-core';

export interface HostOptions {
  /** The legacy context teams-js turns into app.Context (theme, userObjectId, tid, …). */
  context: Record<string, unknown>;
  /** What getAuthToken answers, in turn; the last one repeats. A string is a token, null a failure. */
  tokens: (string | null)[];
  tabPath: string;
}

export function hostPage(options: HostOptions): string {
  const script = `
    const context = ${JSON.stringify(options.context)};
    const tokens = ${JSON.stringify(options.tokens)};
    const frame = document.getElementById('tab');
    window.requests = [];
    window.addEventListener('message', (event) => {
      if (event.source !== frame.contentWindow || typeof event.data?.func !== 'string') return;
      const request = event.data;
      window.requests.push(request.func);
      const reply = (...args) => frame.contentWindow.postMessage({ id: request.id, args }, '*');
      if (request.func === 'initialize') reply('content', 'web');
      else if (request.func === 'getContext') reply(context);
      else if (request.func === 'authentication.getAuthToken') {
        const token = tokens.length > 1 ? tokens.shift() : tokens[0];
        if (token === null) reply(false, 'resourceDisabled');
        else reply(true, token);
      }
    });
    window.changeTheme = (theme) => frame.contentWindow.postMessage({ func: 'themeChange', args: [theme] }, '*');
  `;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Teams (simulated)</title></head>
<body style="margin:0"><iframe id="tab" title="My points" src="${options.tabPath}" style="border:0;width:100%;height:1600px"></iframe>
<script>${script}</script></body></html>`;
}

/** Opens the tab inside the simulated host at `${serverUrl}/teams` and answers with the tab's frame once it has loaded. */
export async function openInTeams(page: Page, serverUrl: string, options: Omit<HostOptions, 'tabPath'>): Promise<Frame> {
  await page.route(`${serverUrl}/teams`, (route) => route.fulfill({ contentType: 'text/html', body: hostPage({ tabPath: '/tab', ...options }) }));
  await page.goto(`${serverUrl}/teams`);
  await page.frameLocator('#tab').locator('main[aria-busy="false"]').waitFor();
  return page.frames().find((f) => f.url().endsWith('/tab'))!;
}
