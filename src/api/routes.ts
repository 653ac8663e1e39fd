// The personal tab's routes: the built page under /tab, the signed-in member's summary, the
// administrators' API (admin-routes.ts), and the development sign-in in local mode. Identity comes
// only from the token, never from the request's parameters or body, so a request cannot name another
// member.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Response, Server } from 'restify';
import type { Config } from '../config.js';
import type { Catalog } from '../core/catalog.js';
import { findMember } from '../core/records.js';
import type { PointsStore } from '../store/contract.js';
import { addAdminRoutes } from './admin-routes.js';
import { meSummary } from './me-summary.js';
import { tabAuth } from './tab-auth.js';

export interface TabRoutesDeps {
  config: Config;
  store: PointsStore;
  catalog: Catalog;
  log: Logger;
  now: () => number;
  /** The folder of the built page (npm run build writes dist/tab). */
  tabDir: string;
  /** Offer the development sign-in: local mode only. */
  devSignIn: boolean;
}

/** The files of the built page, by the name in the URL. */
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'tab.js': { file: 'tab.js', type: 'text/javascript; charset=utf-8' },
  'tab.css': { file: 'tab.css', type: 'text/css; charset=utf-8' },
};

/** Teams, Outlook and Microsoft 365 frame the tab (Microsoft's list for tabs); 'self' for a local host page. */
const FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.cloud.microsoft',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
];

// teams-js reads its list of valid host origins from Microsoft's CDN (and falls back to a built-in list).
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https://res.cdn.office.net",
  "base-uri 'none'",
  "form-action 'none'",
  `frame-ancestors ${FRAME_ANCESTORS.join(' ')}`,
].join('; ');

const MAX_MEMBER_REF = 254;

export function addTabRoutes(server: Server, deps: TabRoutesDeps): void {
  const { config, store, catalog, log, now } = deps;
  const auth = tabAuth({ config, log, now, devSignIn: deps.devSignIn });
  const { dev } = auth;

  async function servePage(name: string, res: Response): Promise<void> {
    const page = PAGE_FILES[name];
    if (!page) {
      res.send(404, { error: `The tab has no file "${name}".` });
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(join(deps.tabDir, page.file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      res.send(503, { error: 'The tab page is not built: run npm run build.' });
      return;
    }
    res.writeHead(200, {
      'content-type': page.type,
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(page.file === 'index.html' && { 'content-security-policy': CSP }),
    });
    res.end(body);
  }

  server.get('/tab', async (_req, res) => servePage('', res));
  server.get('/tab/:file', async (req, res) => servePage(String(req.params.file ?? ''), res));

  server.get('/api/tab/settings', (_req, res, next) => {
    res.header('cache-control', 'no-store');
    res.send(200, { devSignIn: dev !== null, sso: auth.sso });
    return next();
  });

  server.get('/api/me/summary', async (req, res) => {
    const user = await auth.user(req, res);
    if (!user) return;
    const state = store.state;
    res.send(
      200,
      meSummary({
        catalog,
        state,
        member: state.member(user.id),
        isAdmin: auth.isAdmin(user),
        at: now(),
        reminderDays: config.notify.reminderDays,
      }),
    );
  });

  if (dev) {
    server.post('/api/dev/sign-in', async (req, res) => {
      res.header('cache-control', 'no-store');
      const body = req.body as { member?: unknown } | undefined;
      const ref = typeof body?.member === 'string' ? body.member.trim() : '';
      if (!ref || ref.length > MAX_MEMBER_REF) {
        res.send(400, { error: 'Give the member id or email to sign in as, as {"member": "..."}.' });
        return;
      }
      const member = findMember(store.state, ref);
      if (!member) {
        res.send(404, { error: `No member with id or email "${ref}".` });
        return;
      }
      log.info({ member: member.id }, 'development sign-in');
      res.send(200, { token: await dev.issue(member.id), member: { id: member.id, name: member.name } });
    });
  }

  addAdminRoutes(server, { store, catalog, log, now, auth, reminderDays: config.notify.reminderDays });
}
