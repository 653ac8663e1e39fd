// A key source on loopback for the bot endpoint's and the tab's token checks: OpenID metadata naming a
// JSON Web Key Set, or 503 to everything ('fail'), or no answer at all ('hang'). Counts what is read.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const METADATA_PATH = '/v1/.well-known/openidconfiguration';
const KEYS_PATH = '/v1/.well-known/keys';

export class KeyServer {
  private server: Server | null = null;
  url = '';
  mode: 'serve' | 'fail' | 'hang' = 'serve';
  /** In 'serve' mode, answer this many requests and leave the later ones unanswered. */
  answerOnly = Infinity;
  /** The published keys (public JWKs, Bot Framework's endorsements included when given). */
  keys: Record<string, unknown>[] = [];
  /** Requests per path. */
  readonly hits = new Map<string, number>();

  get metadataUrl(): string {
    return `${this.url}${METADATA_PATH}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      if (this.mode === 'hang' || this.reads() > this.answerOnly) return;
      res.setHeader('content-type', 'application/json');
      if (this.mode === 'fail') res.statusCode = 503;
      else if (path !== METADATA_PATH && path !== KEYS_PATH) res.statusCode = 404;
      res.end(JSON.stringify(path === METADATA_PATH ? { issuer: 'https://api.botframework.com', jwks_uri: `${this.url}${KEYS_PATH}` } : { keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Metadata and key requests so far. */
  reads(): number {
    return [...this.hits.values()].reduce((sum, n) => sum + n, 0);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = null;
  }
}

/** A loopback metadata URL nobody listens on. */
export async function closedMetadataUrl(): Promise<string> {
  const server = await new KeyServer().start();
  await server.stop();
  return server.metadataUrl;
}
