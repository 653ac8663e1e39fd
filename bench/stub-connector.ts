// A minimal Bot Connector for the benchmark: answers every POST with an activity id. Prints its port.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let count = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"id":"sent-${count}"}`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
