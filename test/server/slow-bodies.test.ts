// A body announced and never finished is answered with 408 JSON at the deadline, on the bot endpoint
// and the tab's routes alike, and the server goes on serving.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { activity, discard, readable, startBot, type BotHarness } from '../support/bot-server.js';

let bot: BotHarness | undefined;
afterEach(async () => {
  await discard(bot);
  bot = undefined;
});

/** Sends the headers and the first bytes of a body that announces more, then waits for the answer. */
function stalled(url: string, method: string, path: string, first: string, announced: number): Promise<{ status: number; type: string; body: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = request({ host: target.hostname, port: target.port, method, path: target.pathname, headers: { 'content-type': 'application/json', 'content-length': String(announced) } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, closed: res.headers.connection === 'close' }));
    });
    req.on('error', reject);
    req.write(first);
  });
}

describe('a body that does not arrive', () => {
  it.each([
    ['POST', '/api/messages'],
    ['POST', '/api/dev/sign-in'],
    ['GET', '/api/me/summary'],
  ])('%s %s answers 408 with a JSON sentence and closes the connection', async (method, path) => {
    bot = await startBot({ bodyDeadlineMs: 200 });
    const answer = await stalled(bot.url, method, path, '{"type":"message",', 5000);
    expect(answer).toEqual({ status: 408, type: 'application/json', body: JSON.stringify({ error: 'The request body did not arrive within 0.2 s.' }), closed: true });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('answers a body that arrived whole as usual', async () => {
    bot = await startBot({ bodyDeadlineMs: 200 });
    const ann = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann' };
    const response = await bot.post(activity(bot, ann, { text: 'help' }));
    expect(response.status).toBe(200);
    expect(readable(bot.connector.sent())).toContain('points');
  });
});
