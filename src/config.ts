// The one place that reads the environment.
import { fileURLToPath } from 'node:url';

export interface BotCredentials {
  MicrosoftAppId?: string;
  MicrosoftAppPassword?: string;
  MicrosoftAppType?: string;
  MicrosoftAppTenantId?: string;
}

export interface Config {
  dbFile: string;
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

function readPort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3978;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number from 0 to 65535, not "${value}".`);
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
  const days = text.split(',').map((part) => Number(part.trim()));
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 364)) {
    throw new ConfigError(`REMINDER_DAYS must be whole days from 1 to 364 separated by commas (e.g. 30,7,1), or "none"; not "${value}".`);
  }
  return [...new Set(days)].sort((a, b) => b - a);
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

function readEvery(value: string | undefined): number {
  const text = value?.trim().toLowerCase();
  if (!text) return 15 * 60_000;
  if (text === 'off' || text === '0') return 0;
  const match = /^(\d+)\s*([smh]?)$/.exec(text);
  const ms = match ? Number(match[1]) * UNITS[match[2] || 'm']! : NaN;
  if (!(ms >= 1000 && ms <= 24 * 3_600_000)) {
    throw new ConfigError(`NOTIFY_EVERY must be a duration from 1s to 24h such as 15m, 90s or 1h (a bare number means minutes), or "off"; not "${value}".`);
  }
  return ms;
}

function readNumber(name: string, value: string | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not "${value}".`);
  }
  return n;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const credentials: BotCredentials = {};
  for (const key of ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId'] as const) {
    const value = env[key]?.trim();
    if (value) credentials[key] = value;
  }
  if (credentials.MicrosoftAppId && !credentials.MicrosoftAppPassword && credentials.MicrosoftAppType !== 'UserAssignedMSI') {
    throw new ConfigError('MicrosoftAppId is set without MicrosoftAppPassword: set both (or neither, for local mode).');
  }
  return {
    port: readPort(env.PORT),
    admins: new Set((env.ADMINS ?? '').split(',').map((id) => id.trim().toLowerCase()).filter(Boolean)),
    credentials,
    dbFile: env.DB_FILE?.trim() || './data/db.json',
    rulesFile: env.RULES_FILE?.trim() || DEFAULT_RULES_FILE,
    invocationDir: env.INIT_CWD?.trim() || process.cwd(),
    logLevel: readLogLevel(env.LOG_LEVEL),
    notify: {
      reminderDays: readReminderDays(env.REMINDER_DAYS),
      everyMs: readEvery(env.NOTIFY_EVERY),
      rate: readNumber('NOTIFY_RATE', env.NOTIFY_RATE, 5, 0.1, 50, false),
      maxAttempts: readNumber('NOTIFY_MAX_ATTEMPTS', env.NOTIFY_MAX_ATTEMPTS, 5, 1, 20, true),
    },
  };
}
