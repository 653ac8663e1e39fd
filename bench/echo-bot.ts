// The SDK's own floor for the /points benchmark: botbuilder's CloudAdapter on restify replying to
// every message with one fixed card, with no store, no rules and no identity lookup.
import type { AddressInfo } from 'node:net';
import { ActivityHandler, CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } from 'botbuilder';
import restify from 'restify';
import { messageCard } from '../src/cards/cards.js';

const card = CardFactory.adaptiveCard(messageCard({ title: 'Ann Peeters', lines: ['DevOps Enabler', '5,175 points this year'] }));
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new ActivityHandler();
bot.onMessage(async (context, next) => {
  await context.sendActivity(MessageFactory.attachment(card));
  await next();
});
const server = restify.createServer({ name: 'echo' });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
