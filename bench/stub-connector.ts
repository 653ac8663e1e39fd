// A minimal Bot Connector for the benchmarks: answers every POST with an activity id. Prints its port.
// With STUB_THROTTLE_EVERY=N, every Nth activity is answered 429 with Retry-After: 1; GET /stats tells
// how many activities each conversation had accepted, to count what was lost or sent twice.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const throttleEvery = Number(process.env.STUB_THROTTLE_EVERY ?? 0);
let count = 0;
let throttled = 0;
const accepted = new Map<string, number>();

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ throttled, accepted: Object.fromEntries(accepted) }));
      return;
    }
    count += 1;
    if (throttleEvery > 0 && count % throttleEvery === 0) {
      throttled += 1;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"error":{"code":"Throttled","message":"too many requests"}}');
      return;
    }
    const conversation = /\/v3\/conversations\/([^/]+)\//.exec(req.url ?? '')?.[1];
    if (conversation) accepted.set(conversation, (accepted.get(conversation) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"id":"sent-${count}"}`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
