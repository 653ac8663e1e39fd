// The limit for the /points benchmark: restify doing what the bot's endpoint must do at the least,
// parse the inbound activity and POST one reply to the connector, and nothing else.
import type { AddressInfo } from 'node:net';
import restify from 'restify';

const server = restify.createServer({ name: 'bare' });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
server.post('/api/messages', async (req, res) => {
  const activity = req.body as { id: string; serviceUrl: string; conversation: { id: string }; from: unknown; recipient: unknown };
  const reply = await fetch(`${activity.serviceUrl.replace(/\/$/, '')}/v3/conversations/${encodeURIComponent(activity.conversation.id)}/activities/${encodeURIComponent(activity.id)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: 'points', replyToId: activity.id, from: activity.recipient, recipient: activity.from, conversation: activity.conversation }),
  });
  await reply.arrayBuffer();
  res.send(200);
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
