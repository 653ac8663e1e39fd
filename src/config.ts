// The one place that reads the environment.
import { fileURLToPath } from 'node:url';
import { parseWholeNumber } from './core/numbers.js';

export interface BotCredentials {
  MicrosoftAppId?: string;
  MicrosoftAppPassword?: string;
  MicrosoftAppType?: string;
  MicrosoftAppTenantId?: string;
}

export interface Config {
  dbFile: string;
  /** PostgreSQL instead of the file: the store then lives in that database, and DB_FILE is not used. */
  databaseUrl: string | null;
  rulesFile: string;
  port: number;
  /** AAD object ids of the administrators. */
  admins: ReadonlySet<string>;
  /** None set: local mode, no Bot Framework authentication (for the Agents Playground). */
  credentials: BotCredentials;
  logLevel: string;
  /** Where the person ran the command: npm runs scripts in the project folder and says so in INIT_CWD. */
  invocationDir: string;
  notify: NotifyConfig;
  /** POST /api/events; off without a secret. */
  events: EventsSettings;
  /** The running bot's address, for `import` beside it (BOT_URL); checked where it is used, by the CLI. */
  botUrl: string | undefined;
  /** Teams SSO for the personal tab; null when TAB_APP_ID_URI is not set (Teams tokens are then refused). */
  sso: SsoConfig | null;
  /** Where the keys of the tokens on POST /api/messages come from (with MicrosoftAppId set). */
  botAuth: BotAuthConfig;
}

export interface BotAuthConfig {
  /** OpenID metadata of Bot Framework's keys: tokens from the channels (Teams), issuer https://api.botframework.com. */
  channelMetadataUrl: string;
  /** OpenID metadata of Entra ID's keys: tokens of the bot's tenant (MicrosoftAppTenantId) and the Emulator's. */
  entraMetadataUrl: string;
}

export interface SsoConfig {
  /** The app registration's Application ID URI, e.g. api://points.example.com/<client id>. */
  appIdUri: string;
  /** The audiences a token may carry: the URI (v1 tokens) and the client id (v2 tokens), when known. */
  audiences: string[];
  /** The OpenID Connect metadata document whose jwks_uri holds the signing keys. */
  metadataUrl: string;
  /** Lower-case tenant ids whose users may sign in; empty: any tenant. */
  allowedTenants: ReadonlySet<string>;
}

export interface EventsSettings {
  /** The shared secret; none: the endpoint is off. */
  secret: string | undefined;
  /** Batches per second per source, sustained. */
  rate: number;
  /** Batches a source may send at once. */
  burst: number;
}

export interface NotifyConfig {
  /** Days before the anniversary to remind members, e.g. [30, 7, 1]. */
  reminderDays: number[];
  /** Milliseconds between notification passes; 0 turns the loop off. */
  everyMs: number;
  /** Sends per second. */
  rate: number;
  /** Tries per notification for throttling and passing errors. */
  maxAttempts: number;
}

export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../rules/catalog.json', import.meta.url));

export class ConfigError extends Error {}

/** A TCP port setting (0: any free port); `name` is how the sentence names it. */
export function readPort(value: string | undefined, name = 'PORT', fallback = 3978): number {
  const text = value?.trim();
  if (!text) return fallback;
  const port = parseWholeNumber(text);
  if (port === null || port > 65535) throw new ConfigError(`${name} must be a port number from 0 to 65535, not "${value}".`);
  return port;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readLogLevel(value: string | undefined): string {
  const level = value?.trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${value}".`);
  return level;
}

function readReminderDays(value: string | undefined): number[] {
  const text = value?.trim();
  if (!text) return [30, 7, 1];
  if (text === 'none') return [];
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const day = parseWholeNumber(part.trim());
    if (day === null || day < 1 || day > 364) {
      throw new ConfigError(`REMINDER_DAYS must be whole days from 1 to 364 separated by commas (e.g. 30,7,1), or "none"; not "${value}".`);
    }
    days.add(day);
  }
  return [...days].sort((a, b) => b - a);
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

function readEvery(value: string | undefined): number {
  const text = value?.trim().toLowerCase();
  if (!text) return 15 * 60_000;
  if (text === 'off' || text === '0') return 0;
  const unit = /[smh]$/.exec(text)?.[0];
  const amount = parseWholeNumber((unit ? text.slice(0, -1) : text).trimEnd());
  const ms = amount === null ? NaN : amount * UNITS[unit ?? 'm']!;
  if (!(ms >= 1000 && ms <= 24 * 3_600_000)) {
    throw new ConfigError(`NOTIFY_EVERY must be a duration from 1s to 24h such as 15m, 90s or 1h (a bare number means minutes), or "off"; not "${value}".`);
  }
  return ms;
}

function readNumber(name: string, value: string | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  const text = value?.trim();
  if (!text) return fallback;
  const n = integer ? (parseWholeNumber(text) ?? NaN) : Number(text);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not "${value}".`);
  }
  return n;
}

export const DEFAULT_OPENID_METADATA_URL = 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration';
/** Bot Framework's own, as botbuilder's AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl. */
export const DEFAULT_BOT_OPENID_METADATA_URL = 'https://login.botframework.com/v1/.well-known/openidconfiguration';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const APP_ID_URI = /^api:\/\/[^\s/?#]+(\/[^\s/?#]+)*$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function readMetadataUrl(name: string, value: string | undefined, fallback: string): string {
  const text = value?.trim();
  if (!text) return fallback;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // Plain http only on this machine, where tests serve their own keys.
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))) {
    throw new ConfigError(`${name} must be an https URL of an OpenID Connect metadata document (http only on 127.0.0.1 or localhost); not "${value}".`);
  }
  return url.href;
}

/** Checked, never echoed: the URL usually holds a password. */
function readDatabaseUrl(value: string | undefined): string | null {
  const text = value?.trim();
  if (!text) return null;
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/points (postgres:// or postgresql://), or unset to use the store file DB_FILE.');
  }
  return text;
}

function readSso(env: NodeJS.ProcessEnv): SsoConfig | null {
  const appIdUri = env.TAB_APP_ID_URI?.trim();
  const clientId = env.TAB_CLIENT_ID?.trim().toLowerCase();
  const tenants = (env.TAB_ALLOWED_TENANTS ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const metadataUrl = readMetadataUrl('TAB_OPENID_METADATA_URL', env.TAB_OPENID_METADATA_URL, DEFAULT_OPENID_METADATA_URL);
  if (!appIdUri) {
    if (clientId || tenants.length > 0) throw new ConfigError('TAB_CLIENT_ID and TAB_ALLOWED_TENANTS need TAB_APP_ID_URI: set it to the Application ID URI of the tab\'s app registration.');
    return null;
  }
  if (!APP_ID_URI.test(appIdUri)) {
    throw new ConfigError(`TAB_APP_ID_URI must be the Application ID URI of the app registration, such as api://points.example.com/<client id>, without a trailing slash; not "${appIdUri}".`);
  }
  if (clientId && !GUID.test(clientId)) throw new ConfigError(`TAB_CLIENT_ID must be the app registration's client id, a GUID; not "${env.TAB_CLIENT_ID}".`);
  const bad = tenants.find((t) => !GUID.test(t));
  if (bad !== undefined) throw new ConfigError(`TAB_ALLOWED_TENANTS must be tenant ids (GUIDs) separated by commas; "${bad}" is not one.`);
  // Teams builds the URI as api://<domain>/<client id> (or .../botid-<client id>): the client id is
  // then known without TAB_CLIENT_ID. v2 tokens carry it as their audience.
  const derived = /(?:^api:\/\/|\/)(?:botid-)?([0-9a-f-]{36})$/i.exec(appIdUri)?.[1]?.toLowerCase();
  const client = clientId || (derived && GUID.test(derived) ? derived : undefined);
  return { appIdUri, audiences: client ? [appIdUri, client] : [appIdUri], metadataUrl, allowedTenants: new Set(tenants) };
}

function readEvents(env: NodeJS.ProcessEnv): EventsSettings {
  // Used exactly as given: a secret with spaces is still that secret.
  const secret = env.EVENTS_SECRET?.trim() ? env.EVENTS_SECRET : undefined;
  // A short secret can be guessed offline from one signed request.
  if (secret !== undefined && secret.length < 16) throw new ConfigError('EVENTS_SECRET must be at least 16 characters (32 random bytes in hex is a good choice), or unset to turn the events API off.');
  return {
    secret,
    rate: readNumber('EVENTS_RATE', env.EVENTS_RATE, 10, 0.01, 10_000, false),
    burst: readNumber('EVENTS_BURST', env.EVENTS_BURST, 20, 1, 10_000, true),
  };
}

/** The app types botbuilder knows (it compares them case-insensitively); none given is MultiTenant. */
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/**
 * The Bot Framework registration, checked as botbuilder's ConfigurationServiceClientCredentialFactory
 * would check it, so that a mistake stops the start with a sentence rather than an assertion at the
 * first request. MultiTenant: app id and password. SingleTenant: app id, password and tenant.
 * UserAssignedMSI: the managed identity's client id as app id, the tenant, and no password (the token
 * comes from the identity endpoint of the Azure host when the bot first sends). None: local mode.
 */
function readCredentials(env: NodeJS.ProcessEnv): BotCredentials {
  const credentials: BotCredentials = {};
  for (const key of ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId'] as const) {
    const value = env[key]?.trim();
    if (value) credentials[key] = value;
  }
  const { MicrosoftAppId: id, MicrosoftAppPassword: password, MicrosoftAppTenantId: tenant } = credentials;
  const given = credentials.MicrosoftAppType;
  const type = given === undefined ? 'MultiTenant' : APP_TYPES.find((t) => t.toLowerCase() === given.toLowerCase());
  if (!type) throw new ConfigError(`MicrosoftAppType must be MultiTenant, SingleTenant or UserAssignedMSI, not "${given}".`);
  if (!id) {
    const stray = Object.keys(credentials);
    if (stray.length > 0) throw new ConfigError(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set without MicrosoftAppId: set MicrosoftAppId too, or leave all four empty for local mode.`);
    return credentials;
  }
  if (!GUID.test(id)) throw new ConfigError(`MicrosoftAppId must be the Azure Bot's Microsoft App ID (with UserAssignedMSI, the managed identity's client id), a GUID; not "${id}".`);
  if (type === 'UserAssignedMSI') {
    if (password) throw new ConfigError('MicrosoftAppPassword must be empty with MicrosoftAppType=UserAssignedMSI: the managed identity needs no secret.');
    if (!tenant) throw new ConfigError('MicrosoftAppType=UserAssignedMSI needs MicrosoftAppTenantId: set it to the tenant id of the managed identity.');
  } else {
    if (!password) throw new ConfigError(`MicrosoftAppId is set without MicrosoftAppPassword: set both (or neither, for local mode), or set MicrosoftAppType=UserAssignedMSI for a managed identity.`);
    if (type === 'SingleTenant' && !tenant) throw new ConfigError('MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId: set it to the tenant id of the app registration.');
  }
  return { ...credentials, MicrosoftAppType: type };
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const credentials = readCredentials(env);
  return {
    port: readPort(env.PORT),
    admins: new Set((env.ADMINS ?? '').split(',').map((id) => id.trim().toLowerCase()).filter(Boolean)),
    credentials,
    dbFile: env.DB_FILE?.trim() || './data/db.json',
    databaseUrl: readDatabaseUrl(env.DATABASE_URL),
    rulesFile: env.RULES_FILE?.trim() || DEFAULT_RULES_FILE,
    invocationDir: env.INIT_CWD?.trim() || process.cwd(),
    logLevel: readLogLevel(env.LOG_LEVEL),
    events: readEvents(env),
    botUrl: env.BOT_URL?.trim() || undefined,
    notify: {
      reminderDays: readReminderDays(env.REMINDER_DAYS),
      everyMs: readEvery(env.NOTIFY_EVERY),
      rate: readNumber('NOTIFY_RATE', env.NOTIFY_RATE, 5, 0.1, 50, false),
      maxAttempts: readNumber('NOTIFY_MAX_ATTEMPTS', env.NOTIFY_MAX_ATTEMPTS, 5, 1, 20, true),
    },
    sso: readSso(env),
    botAuth: {
      channelMetadataUrl: readMetadataUrl('BOT_OPENID_METADATA_URL', env.BOT_OPENID_METADATA_URL, DEFAULT_BOT_OPENID_METADATA_URL),
      entraMetadataUrl: readMetadataUrl('BOT_ENTRA_OPENID_METADATA_URL', env.BOT_ENTRA_OPENID_METADATA_URL, DEFAULT_OPENID_METADATA_URL),
    },
  };
}
