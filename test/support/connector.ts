// A stub Bot Connector on loopback: records every request the bot makes and answers like the real
// service (activity ids, conversation members for TeamsInfo).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
}

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
  email?: string;
}

export class StubConnector {
  readonly requests: Recorded[] = [];
  /** Users TeamsInfo.getMember can find, by channel user id. */
  readonly users = new Map<string, TeamsUser>();
  private server: Server | null = null;
  private waiters: (() => void)[] = [];
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
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const path = decodeURIComponent(req.url ?? '');
    this.requests.push({ method: req.method ?? '', path, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null });
    const member = /^\/v3\/conversations\/[^/]+\/members\/(.+)$/.exec(path);
    if (req.method === 'GET' && member) {
      const user = this.users.get(member[1]!);
      res.writeHead(user ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(user ? { ...user, userPrincipalName: user.email } : { error: { code: 'NotFound', message: 'no such member' } }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${this.requests.length}` }));
    }
    for (const wake of this.waiters.splice(0)) wake();
  }
}
