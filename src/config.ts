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
  };
}
