// Runs the CLI in-process, as a person would at a terminal, and writes JSON Lines files beside a store.
import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { dirname, join } from 'node:path';
import { run } from '../../src/cli/main.js';
import { tempDb } from './temp.js';

/** A CLI runner whose clock is `now`. */
export function cliAt(now: Date) {
  return async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    let out = '';
    let err = '';
    const code = await run(args, env, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, now);
    return { code, out, err };
  };
}

/** Writes records (or raw lines) as a JSON Lines file in the store's folder; returns its path. */
export function jsonl(db: string, name: string, records: unknown[]): string {
  const file = join(dirname(db), name);
  writeFileSync(file, records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
}

/** A new store holding `records`, imported through the CLI as an administrator would. */
export async function importedStore(cli: ReturnType<typeof cliAt>, records: unknown[], prefix: string, file: string) {
  const db = tempDb(prefix);
  const result = await cli(['--db', db, 'import', jsonl(db, file, records)]);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  return { db, summary: JSON.parse(result.out) as Record<string, unknown> };
}
