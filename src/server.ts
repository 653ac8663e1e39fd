// The HTTP server: Bot Framework messages through CloudAdapter (src/bot/messages-route.ts), a health
// check, the events API and the personal tab's routes. botbuilder is imported here, in src/bot/ and in
// src/notify/transport.ts only (eslint.config.js keeps it so).
import { CallerIdConstants, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import restify from 'restify';
import { botTokenVerifier, CHANNEL_ISSUER } from './api/bot-token.js';
import { addMessagesRoute, MESSAGES_PATH, PointsAdapter } from './bot/messages-route.js';
import { addTabRoutes } from './api/routes.js';
import { BotApp } from './bot/app.js';
import { addEventsRoute, EVENTS_PATH, type ReadPace } from './events/route.js';
import { PointsBot } from './bot/bot.js';
import type { Config } from './config.js';
import type { Catalog } from './core/catalog.js';
import { BotTransport, type Transport } from './notify/transport.js';
import type { PointsStore } from './store/contract.js';

const MAX_BODY = 256 * 1024;
/** A body of at most 256 kB that has not arrived in this time is not coming: 408 instead of Node's 5 minutes. */
export const BODY_DEADLINE_MS = 30_000;
/** The built tab page: the same path from src/server.ts and from the bundle dist/main.js. */
export const DEFAULT_TAB_DIR = fileURLToPath(new URL('../dist/tab/', import.meta.url));

/** How the bot gets tokens for what it sends: botbuilder's credentials factory. */
export type OutboundCredentials = ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1];

/**
 * botbuilder's public-cloud settings with this server's key sources. Given in full: once any of them is
 * set, botbuilder takes all of them as given (BotFrameworkAuthenticationFactory).
 */
function botFrameworkSettings(config: Config): ConfigurationBotFrameworkAuthenticationOptions {
  return {
    ...config.credentials,
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToBotFromChannelTokenIssuer: CHANNEL_ISSUER,
    OAuthUrl: 'https://api.botframework.com',
    ToBotFromChannelOpenIdMetadataUrl: config.botAuth.channelMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: config.botAuth.entraMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

export interface ServerOptions {
  config: Config;
  store: PointsStore;
  catalog: Catalog;
  log: Logger;
  now: () => number;
  /** Where to listen; default: all interfaces with Bot Framework credentials, loopback in local mode. */
  host?: string;
  /** How long an events batch may take to arrive; default 30 s (shorter in tests). */
  eventsReadDeadlineMs?: number;
  /** How fast an events batch must arrive; default READ_PACE (other values in tests). */
  eventsReadPace?: ReadPace;
  /** How long any other request body may take to arrive; default BODY_DEADLINE_MS (shorter in tests). */
  bodyDeadlineMs?: number;
  /** The folder of the built tab page; default dist/tab (npm run build). */
  tabDir?: string;
  /** Default: from the credentials, through Entra ID (app id and password) or the host's managed identity (UserAssignedMSI); tests give one that needs neither. */
  outboundCredentials?: OutboundCredentials;
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
  const { now } = options;
  const auth = new ConfigurationBotFrameworkAuthentication(botFrameworkSettings(config), options.outboundCredentials);
  const adapter = new PointsAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activity: context.activity.id, conversation: context.activity.conversation?.id }, 'turn failed');
    await context.sendActivity('Sorry, something went wrong on my side. Please try again in a moment.').catch(() => undefined);
  };
  const app = new BotApp({ store, catalog, now, reminderDays: config.notify.reminderDays });
  const bot = new PointsBot(app, config.admins, log);

  const server = restify.createServer({ name: 'devops-points', handleUncaughtExceptions: false });
  const parsers = restify.plugins.bodyParser({ maxBodySize: MAX_BODY, mapParams: false, mapFiles: false, rejectUnknown: true });
  // The events API reads its own raw body (its signature covers the exact bytes, and its cap is larger);
  // the bot endpoint parses its body after the token is checked. By the route matched (restify decodes
  // the path first), not the raw path.
  const ownBody = new Set([EVENTS_PATH, MESSAGES_PATH]);
  const bodyDeadlineMs = options.bodyDeadlineMs ?? BODY_DEADLINE_MS;
  // A client that announces a body and sends it slowly, or never, would hold its request until Node's
  // own 5-minute timeout, which answers without a body. The events API paces its bodies itself.
  server.use((req, res, next) => {
    const announced = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!announced || req.getRoute()?.path === EVENTS_PATH) return next();
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      log.warn({ path: req.getPath(), source: req.socket.remoteAddress }, 'request body too slow');
      res.header('Connection', 'close');
      res.send(408, { error: `The request body did not arrive within ${bodyDeadlineMs / 1000} s.` });
    }, bodyDeadlineMs);
    const done = () => clearTimeout(timer);
    req.once('end', done);
    res.once('close', done);
    return next();
  });
  server.use(parsers.map((parse): restify.RequestHandler => (req, res, next) => (ownBody.has(String(req.getRoute()?.path)) ? next() : parse(req, res, next))));

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

  // What a route throws is a bug: logged with its stack, answered without its text (restify would
  // send the error's message). restify's own refusals (404, 405, body parsing) carry a status code.
  server.on('restifyError', (req: restify.Request, res: restify.Response, err: Error & { statusCode?: unknown }, callback: () => void) => {
    if (typeof err.statusCode !== 'number') {
      log.error({ err, path: req.getPath() }, 'request failed');
      if (!res.headersSent) res.send(500, { error: 'Something went wrong on the server. Try again in a moment.' });
    }
    return callback();
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
    now,
    tabDir: options.tabDir ?? DEFAULT_TAB_DIR,
    // The development sign-in exists only in local mode, where the server listens on loopback.
    devSignIn: !config.credentials.MicrosoftAppId,
  });

  addEventsRoute(server, {
    store,
    catalog,
    settings: config.events,
    now,
    log,
    reading: {
      ...(options.eventsReadDeadlineMs !== undefined && { deadlineMs: options.eventsReadDeadlineMs }),
      ...(options.eventsReadPace && { pace: options.eventsReadPace }),
    },
  });

  const appId = config.credentials.MicrosoftAppId;
  const tenantId = config.credentials.MicrosoftAppTenantId;
  addMessagesRoute(server, {
    adapter,
    auth,
    verifyToken: appId ? botTokenVerifier({ ...config.botAuth, appId, ...(tenantId && { tenantId }) }, now) : null,
    parsers,
    run: (context) => bot.run(context),
    log,
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
