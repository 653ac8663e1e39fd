// The HTTP server: Bot Framework messages through CloudAdapter, a health check, and the personal tab's
// routes (src/api/). The only file besides src/bot/ that knows botbuilder.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import restify from 'restify';
import { z } from 'zod';
import { addTabRoutes } from './api/routes.js';
import { BotApp } from './bot/app.js';
import { addEventsRoute, EVENTS_PATH, type ReadPace } from './events/route.js';
import { PointsBot } from './bot/bot.js';
import type { Config } from './config.js';
import type { Catalog } from './core/catalog.js';
import { BotTransport, type Transport } from './notify/transport.js';
import type { Store } from './store/store.js';

const MAX_BODY = 256 * 1024;
/** The built tab page: the same path from src/server.ts and from the bundle dist/main.js. */
export const DEFAULT_TAB_DIR = fileURLToPath(new URL('../dist/tab/', import.meta.url));

/** The activity types of the Bot Framework protocol; anything else is refused with 400. */
const ACTIVITY_TYPES = [
  'message', 'contactRelationUpdate', 'conversationUpdate', 'typing', 'endOfConversation', 'event', 'invoke',
  'deleteUserData', 'messageUpdate', 'messageDelete', 'installationUpdate', 'messageReaction', 'suggestion',
  'trace', 'handoff', 'command', 'commandResult',
] as const;

const account = z.looseObject({ id: z.string().min(1).max(1000) });
/** What the bot needs to answer at all; CloudAdapter checks the rest. */
const activityShape = z.looseObject({
  type: z.enum(ACTIVITY_TYPES, { error: 'is not a Bot Framework activity type' }),
  serviceUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
  channelId: z.string().min(1).max(100),
  from: account,
  conversation: account,
  recipient: account.optional(),
  text: z.string().max(100_000).optional(),
}).refine(
  // Universal Actions: the card action must be there for the handler to have anything to do.
  (a) => a.type !== 'invoke' || a.name !== 'adaptiveCard/action' || (isObject(a.value) && isObject(a.value.action)),
  { message: 'an adaptiveCard/action invoke needs value.action', path: ['value'] },
);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface ServerOptions {
  config: Config;
  store: Store;
  catalog: Catalog;
  log: Logger;
  now?: () => number;
  /** Where to listen; default: all interfaces with Bot Framework credentials, loopback in local mode. */
  host?: string;
  /** How long an events batch may take to arrive; default 30 s (shorter in tests). */
  eventsReadDeadlineMs?: number;
  /** How fast an events batch must arrive; default READ_PACE (other values in tests). */
  eventsReadPace?: ReadPace;
  /** The folder of the built tab page; default dist/tab (npm run build). */
  tabDir?: string;
}

export interface RunningServer {
  url: string;
  /** Sends proactive messages through the same adapter and credentials. */
  transport: Transport;
  /** Stops taking requests and waits for those in flight. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config, store, catalog, log } = options;
  const auth = new ConfigurationBotFrameworkAuthentication(config.credentials as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activity: context.activity.id, conversation: context.activity.conversation?.id }, 'turn failed');
    await context.sendActivity('Sorry, something went wrong on my side. Please try again in a moment.').catch(() => undefined);
  };
  const app = new BotApp({ store, catalog, now: options.now ?? Date.now, reminderDays: config.notify.reminderDays });
  const bot = new PointsBot(app, config.admins, log);

  const server = restify.createServer({ name: 'devops-points', handleUncaughtExceptions: false });
  // The events API reads its own raw body: its signature covers the exact bytes, and its cap is larger.
  const parsers = restify.plugins.bodyParser({ maxBodySize: MAX_BODY, mapParams: false, mapFiles: false, rejectUnknown: true });
  // By the route matched (restify decodes the path first), not the raw path.
  server.use(parsers.map((parse): restify.RequestHandler => (req, res, next) => (req.getRoute()?.path === EVENTS_PATH ? next() : parse(req, res, next))));

  let inFlight = 0;
  let stopping = false;
  server.pre((req, res, next) => {
    if (stopping) {
      res.header('Connection', 'close');
      res.send(503, { error: 'The bot is stopping.' });
      return next(false);
    }
    inFlight += 1;
    // 'close' comes both after a full answer and when the client goes away first.
    res.once('close', () => (inFlight -= 1));
    return next();
  });

  // Bot Framework, the events platform and the tab send plain bodies. A compressed body's size is not
  // known until it is inflated (a 48 kB gzip body can hold 50 MB), and restify's gunzip has no error
  // handler: refused here, before any route reads a byte of it. The connection is closed so the
  // unread body does not stay on it.
  server.pre((req, res, next) => {
    const coding = req.headers['content-encoding'];
    if (coding === undefined) return next();
    if (coding.split(',').every((c) => ['', 'identity'].includes(c.trim().toLowerCase()))) {
      // identity is no coding at all; restify's body reader would refuse the header anyway.
      delete req.headers['content-encoding'];
      return next();
    }
    res.header('Connection', 'close');
    res.send(415, { error: 'Send the body uncompressed: this server accepts no Content-Encoding but identity.' });
    return next(false);
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok', members: store.state.members.size, entries: store.state.ledger.size });
    return next();
  });

  addTabRoutes(server, {
    config,
    store,
    catalog,
    log,
    now: options.now ?? Date.now,
    tabDir: options.tabDir ?? DEFAULT_TAB_DIR,
    // The development sign-in exists only in local mode, where the server listens on loopback.
    devSignIn: !config.credentials.MicrosoftAppId,
  });

  addEventsRoute(server, {
    store,
    catalog,
    settings: config.events,
    now: options.now ?? Date.now,
    log,
    reading: {
      ...(options.eventsReadDeadlineMs !== undefined && { deadlineMs: options.eventsReadDeadlineMs }),
      ...(options.eventsReadPace && { pace: options.eventsReadPace }),
    },
  });

  server.post('/api/messages', async (req, res) => {
    const checked = activityShape.safeParse(req.body);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      res.send(400, { error: `Not a Bot Framework activity: ${issue.path.join('.') || 'body'} ${issue.message}` });
      return;
    }
    try {
      await adapter.process(req, res, (context) => bot.run(context));
    } catch (error) {
      // CloudAdapter answers what it can; this is for what it throws before answering.
      log.warn({ err: error }, 'activity refused');
      if (!res.headersSent) res.send(400, { error: `Not a Bot Framework activity: ${(error as Error).message.slice(0, 300)}` });
    }
  });

  const host = options.host ?? (config.credentials.MicrosoftAppId ? '0.0.0.0' : '127.0.0.1');
  await new Promise<void>((resolve) => server.listen(config.port, host, resolve));
  const address = server.address();
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  log.info({ url, local: !config.credentials.MicrosoftAppId }, 'listening');

  return {
    url,
    transport: new BotTransport(adapter, config.credentials.MicrosoftAppId ?? ''),
    async close() {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      server.server.closeAllConnections();
      await closed;
    },
  };
}
