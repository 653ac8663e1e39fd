// POST /api/messages: Bot Framework activities. With MicrosoftAppId set the token is checked first
// (bot-token.ts), before the body is read; then the activity's shape; then botbuilder's own check of the
// token, and the turn. Every refusal is JSON; none carries botbuilder's text or costs a stack trace.
import { CloudAdapter, type Activity, type ConfigurationBotFrameworkAuthentication, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type restify from 'restify';
import { z } from 'zod';
import { isObject } from '../core/json.js';
import { BotTokenError, type BotCaller, type BotTokenProblem, type BotTokenVerifier } from '../api/bot-token.js';
import { FETCH_TIMEOUT_MS, KeysUnavailableError, RETRY_PAUSE_MS } from '../api/openid-keys.js';

export const MESSAGES_PATH = '/api/messages';

/** The activity types of the Bot Framework protocol; anything else is refused with 400. */
const ACTIVITY_TYPES = [
  'message', 'contactRelationUpdate', 'conversationUpdate', 'typing', 'endOfConversation', 'event', 'invoke',
  'deleteUserData', 'messageUpdate', 'messageDelete', 'installationUpdate', 'messageReaction', 'suggestion',
  'trace', 'handoff', 'command', 'commandResult',
] as const;

const account = z.looseObject({ id: z.string().min(1).max(1000) });
/** What the bot needs to answer at all; botbuilder checks the rest. */
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

type Authenticated = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;
type Logic = (context: TurnContext) => Promise<void>;

/**
 * CloudAdapter running a turn for a request this route has authenticated: CloudAdapter.process would
 * answer a refused token with botbuilder's text (500 when its keys cannot be read) and print its stack.
 */
export class PointsAdapter extends CloudAdapter {
  runTurn(authenticated: Authenticated, activity: Activity, logic: Logic): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

export interface MessagesRouteDeps {
  adapter: PointsAdapter;
  auth: ConfigurationBotFrameworkAuthentication;
  /** Null in local mode (no MicrosoftAppId): botbuilder then accepts any request too. */
  verifyToken: BotTokenVerifier | null;
  /** The body parsers, run once the token has passed. */
  parsers: restify.RequestHandler[];
  run: Logic;
  log: Logger;
}

const REFUSED_BY_BOTBUILDER = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

export function addMessagesRoute(server: restify.Server, deps: MessagesRouteDeps): void {
  const { adapter, auth, log } = deps;
  const callers = new WeakMap<restify.Request, BotCaller>();

  const unauthorized = (res: restify.Response, problem: BotTokenProblem) => {
    log.debug({ problem }, 'activity refused: token');
    res.header('WWW-Authenticate', problem === 'no-token' ? 'Bearer' : `Bearer error="invalid_token", error_description="${problem}"`);
    res.send(401, { code: problem, error: new BotTokenError(problem).message });
  };
  const keysUnavailable = (res: restify.Response, reason: string, retryAfterSeconds: number) => {
    log.warn({ reason }, 'activity refused: Bot Framework keys unavailable');
    res.header('Retry-After', String(retryAfterSeconds));
    res.send(503, { code: 'keys-unavailable', error: 'The bot cannot check Bot Framework tokens right now. Try again shortly.' });
  };

  const checkToken: restify.RequestHandler = (req, res, next) => {
    deps.verifyToken!(req.header('authorization')).then(
      (caller) => {
        callers.set(req, caller);
        next();
      },
      (error: unknown) => {
        if (!(error instanceof BotTokenError || error instanceof KeysUnavailableError)) return next(error as Error);
        // The body is not read: the connection goes with the answer.
        res.header('Connection', 'close');
        if (error instanceof BotTokenError) unauthorized(res, error.problem);
        else keysUnavailable(res, error.message, error.retryAfterSeconds);
        next(false);
      },
    );
  };

  const handle = async (req: restify.Request, res: restify.Response) => {
    const checked = activityShape.safeParse(req.body);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      res.send(400, { error: `Not a Bot Framework activity: ${issue.path.join('.') || 'body'} ${issue.message}` });
      return;
    }
    const activity = withDates(req.body as Activity);
    const mismatch = callers.get(req)?.refuses(checked.data);
    if (mismatch) return unauthorized(res, mismatch);

    let authenticated: Authenticated;
    try {
      authenticated = await within(FETCH_TIMEOUT_MS, auth.authenticateRequest(activity, req.header('authorization') ?? ''));
    } catch (error) {
      // botbuilder reads its own copy of the keys: a refusal there is 401, a failure to read them 503.
      const { name, message, statusCode } = error as { name?: string; message?: string; statusCode?: number };
      if (statusCode === 401 || REFUSED_BY_BOTBUILDER.has(name ?? '')) return unauthorized(res, 'refused');
      return keysUnavailable(res, message ?? String(error), RETRY_PAUSE_MS / 1000);
    }

    let answer: InvokeResponse | undefined;
    try {
      answer = await adapter.runTurn(authenticated, activity, deps.run);
    } catch (error) {
      // The turn's own errors are onTurnError's; this is what fails around it.
      log.error({ err: error, activity: activity.id }, 'activity not processed');
      if (!res.headersSent) res.send(500, { error: 'The bot could not process this activity. Try again in a moment.' });
      return;
    }
    if (answer?.body !== undefined) res.send(answer.status, answer.body);
    else res.send(answer?.status ?? 200);
  };

  server.post(MESSAGES_PATH, ...(deps.verifyToken ? [checkToken] : []), ...deps.parsers, handle);
}

/** As CloudAdapter.process: the activity's times as dates, their text kept in raw* (botbuilder's convention). */
function withDates(activity: Activity): Activity {
  const fields = activity as unknown as Record<string, unknown>;
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['expiration', 'rawExpiration'], ['localTimestamp', 'rawLocalTimestamp']] as const) {
    const value = fields[field];
    if (typeof value === 'string') {
      fields[raw] = value;
      fields[field] = new Date(value);
    }
  }
  return activity;
}

/** botbuilder's key read has no timeout of its own. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
