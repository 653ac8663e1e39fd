// The one place that reads the environment.
import { fileURLToPath } from 'node:url';

export interface Config {
  dbFile: string;
  rulesFile: string;
}

export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../rules/catalog.json', import.meta.url));

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    dbFile: env.DB_FILE?.trim() || './data/db.json',
    rulesFile: env.RULES_FILE?.trim() || DEFAULT_RULES_FILE,
  };
}
