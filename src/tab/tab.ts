// The personal tab "My points": in Teams, signs in with Teams SSO and shows the member's summary in
// Teams' theme; in a plain browser it says so, and in local mode offers the development sign-in.
import type { MeSummary } from '../api/me-summary.js';
import { adminView, type AdminApi, type AdminDownload } from './admin.js';
import { asTheme, connectToTeams, type Theme } from './host.js';
import { errorView, outsideTeamsView, summaryView, type SummaryViewOptions } from './render.js';
import './tab.css';

const root = document.getElementById('app')!;

function show(nodes: Node[], focus: 'heading' | 'none' = 'heading'): void {
  root.replaceChildren(...nodes);
  root.setAttribute('aria-busy', 'false');
  if (focus === 'heading') root.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
}

function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A call to the server; a failure is an ApiError with the server's sentence. */
async function request(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, undefined, 'The DevOps Points server cannot be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string; code?: string };
    throw new ApiError(response.status, body.code, body.error ?? `The server answered ${response.status}.`);
  }
  return response;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await request(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
  return (await response.json().catch(() => ({}))) as T;
}

const summaryWith = (token: string) => api<MeSummary>('/api/me/summary', { headers: { authorization: `Bearer ${token}` } });

/** The admin API with a token asked for on each call (Teams renews it), JSON bodies for decisions. */
function adminApi(token: () => Promise<string>): AdminApi {
  return async <T>(path: string, post?: { body?: unknown }) =>
    api<T>(path, {
      ...(post && { method: 'POST', body: JSON.stringify(post.body ?? {}) }),
      headers: { authorization: `Bearer ${await token()}`, ...(post && { 'content-type': 'application/json' }) },
    });
}

/** An export as a file: the sign-in is a header, which a plain link cannot carry. */
function adminDownload(token: () => Promise<string>): AdminDownload {
  return async (path) => {
    const response = await request(path, { headers: { authorization: `Bearer ${await token()}` } });
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'export';
    return { name, blob: await response.blob() };
  };
}

/** The summary's view, with the admin view when the summary says the user is an administrator. */
function view(summary: MeSummary, token: () => Promise<string>, options: SummaryViewOptions = {}): Node[] {
  return summaryView(summary, { ...options, ...(summary.admin && { admin: adminView(adminApi(token), { levels: summary.levels, download: adminDownload(token) }) }) });
}

async function inTeams(host: NonNullable<Awaited<ReturnType<typeof connectToTeams>>>): Promise<void> {
  applyTheme(host.theme);
  host.onThemeChange(applyTheme);
  const load = async (): Promise<void> => {
    try {
      let summary: MeSummary;
      try {
        summary = await summaryWith(await host.token());
      } catch (error) {
        // Teams may hand out a token that has just expired: ask once more.
        if (!(error instanceof ApiError && error.code === 'expired')) throw error;
        summary = await summaryWith(await host.token());
      }
      show(view(summary, () => host.token()));
    } catch (error) {
      const message = error instanceof ApiError ? error.message : `Teams could not sign you in: ${(error as Error).message || 'no reason given'}.`;
      show(errorView(message, () => void load()));
    } finally {
      host.loaded();
    }
  };
  await load();
}

async function outsideTeams(): Promise<void> {
  applyTheme(asTheme(new URLSearchParams(location.search).get('theme')));
  let devSignIn = false;
  try {
    ({ devSignIn } = await api<{ devSignIn: boolean }>('/api/tab/settings'));
  } catch {
    // Without the settings the page offers nothing to click.
  }
  const signInForm = (error?: string) => {
    show(outsideTeamsView({ devSignIn, ...(error && { error }), onSignIn: (member) => void signIn(member) }), error ? 'none' : 'heading');
    if (error) document.getElementById('dev-member')?.focus();
  };
  const signIn = async (member: string) => {
    try {
      const { token } = await api<{ token: string }>('/api/dev/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ member }),
      });
      show(view(await summaryWith(token), async () => token, { dev: { onSignOut: () => signInForm() } }));
    } catch (error) {
      signInForm((error as Error).message);
    }
  };
  signInForm();
}

const host = await connectToTeams();
await (host ? inTeams(host) : outsideTeams());
