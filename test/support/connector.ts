// A stub Bot Connector on loopback: records every request the bot makes and answers like the real
// service (activity ids, conversation members for TeamsInfo).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  /** The Authorization header the bot sent, if any. */
  authorization?: string;
}

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
  email?: string;
}

/** An answer other than the default 200, chosen per request (e.g. 429 with Retry-After). */
export interface StubAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export class StubConnector {
  readonly requests: Recorded[] = [];
  /** Decides the answer to a request; undefined means the default. */
  respond: ((request: Recorded) => StubAnswer | undefined) | null = null;
  /** How long each answer takes, so that many requests are in flight at once. */
  answerDelayMs = 0;
  /** While set, answers wait for it: keeps requests in flight until the test lets them go. */
  hold: Promise<void> | null = null;
  /** Requests answered so far (the answer fully written), in order. */
  readonly answered: Recorded[] = [];
  /** Users TeamsInfo.getMember can find, by channel user id. */
  readonly users = new Map<string, TeamsUser>();
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The activities the bot sent, in order. */
  sent(): Record<string, unknown>[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/activities/.test(r.path)).map((r) => r.body ?? {});
  }

  clear(): void {
    this.requests.length = 0;
    this.answered.length = 0;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const path = decodeURIComponent(req.url ?? '');
    const recorded: Recorded = { method: req.method ?? '', path, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null, ...(req.headers.authorization && { authorization: req.headers.authorization }) };
    this.requests.push(recorded);
    const answer = this.respond?.(recorded);
    if (this.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
    if (this.hold) await this.hold;
    const member = /^\/v3\/conversations\/[^/]+\/members\/(.+)$/.exec(path);
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body ?? { error: { code: `Status${answer.status}`, message: `answered ${answer.status}` } }));
    } else if (req.method === 'GET' && member) {
      const user = this.users.get(member[1]!);
      res.writeHead(user ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(user ? { ...user, userPrincipalName: user.email } : { error: { code: 'NotFound', message: 'no such member' } }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${this.requests.length}` }));
    }
    this.answered.push(recorded);
  }
}
