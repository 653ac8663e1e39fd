// MicrosoftAppType=UserAssignedMSI: the server starts without Azure (nothing asks the identity endpoint
// for a token at start or for a refused request), refuses a request without a token with 401, and
// gets its outbound token from the host's identity endpoint (App Service's IDENTITY_ENDPOINT, served
// here on loopback) only when it first sends.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../src/config.js';
import { messageCard } from '../../src/cards/cards.js';
import { discard, message, startBot, type BotHarness } from '../support/bot-server.js';

const CLIENT_ID = '5f0c2b8e-1d3a-4c6b-9e7f-2a1b3c4d5e6f';
const TENANT = '7d3a9c1e-5b2f-4e8a-9c6d-1f0e2d3c4b5a';
const IDENTITY_HEADER = 'identity-header-for-tests';

/** App Service's managed identity endpoint: records each token request and answers with a token. */
class IdentityEndpoint {
  readonly requests: { url: URL; header: string | undefined }[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      this.requests.push({ url, header: req.headers['x-identity-header'] as string | undefined });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'token-from-the-identity', expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: url.searchParams.get('resource'), token_type: 'Bearer' }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/msi/token`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let bot: BotHarness | undefined;
let identity: IdentityEndpoint | undefined;
afterEach(async () => {
  await discard(bot);
  bot = undefined;
  await identity?.stop();
  identity = undefined;
  vi.unstubAllEnvs();
});

describe('MicrosoftAppType=UserAssignedMSI', () => {
  it('starts without asking the identity endpoint, refuses a request without a token with 401, and takes its token from the endpoint when it sends', async () => {
    identity = await new IdentityEndpoint().start();
    vi.stubEnv('IDENTITY_ENDPOINT', identity.url);
    vi.stubEnv('IDENTITY_HEADER', IDENTITY_HEADER);
    const { credentials } = readConfig({ MicrosoftAppId: CLIENT_ID, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT });
    bot = await startBot({ credentials });

    expect(await (await fetch(`${bot.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
    const refused = await bot.post(message(bot, { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann' }, 'points'));
    expect(refused).toEqual({ status: 401, body: { code: 'no-token', error: expect.stringMatching(/^The request/) } });
    expect(identity.requests).toEqual([]);
    expect(bot.connector.requests).toEqual([]);

    // A proactive message: the token comes from the identity endpoint, for the managed identity.
    const reference = {
      channelId: 'msteams',
      serviceUrl: bot.connector.url,
      conversation: { id: 'conv-ann', conversationType: 'personal', tenantId: TENANT },
      user: { id: '29:ann', aadObjectId: 'aad-ann' },
      bot: { id: `28:${CLIENT_ID}` },
    };
    await bot.server.transport.send(reference, messageCard({ title: 'Hello' }));
    expect(identity.requests).toHaveLength(1);
    const [asked] = identity.requests;
    expect(asked!.header).toBe(IDENTITY_HEADER);
    expect(asked!.url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(asked!.url.searchParams.get('resource')).toBe('https://api.botframework.com');
    const sent = bot.connector.requests.filter((r) => r.method === 'POST');
    expect(sent.map((r) => r.authorization)).toEqual(['Bearer token-from-the-identity']);
  });
});
