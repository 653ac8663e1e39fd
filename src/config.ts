// The one place that reads the environment.
import { fileURLToPath } from 'node:url';

export interface Config {
  dbFile: string;
  rulesFile: string;
  /** Where the person ran the command: npm runs scripts in the project folder and says so in INIT_CWD. */
  invocationDir: string;
}

export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../rules/catalog.json', import.meta.url));

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    dbFile: env.DB_FILE?.trim() || './data/db.json',
    rulesFile: env.RULES_FILE?.trim() || DEFAULT_RULES_FILE,
    invocationDir: env.INIT_CWD?.trim() || process.cwd(),
  };
}
