// PostgreSQL for tests: the run's private server (started by postgres-setup.ts), a fresh database per
// test file and a fresh schema per store, all dropped when the file ends. Without PostgreSQL the tests
// that need it are skipped, with one line saying why.
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { POSTGRES_SKIPPED, POSTGRES_URL } from './postgres-setup.js';

const server = process.env[POSTGRES_URL];
export const postgresAvailable = server !== undefined;
if (!postgresAvailable) console.warn(`PostgreSQL tests skipped: ${process.env[POSTGRES_SKIPPED] ?? 'the run started no PostgreSQL server'}.`);

/** describe, or describe.skip without PostgreSQL. */
export const describeWithPostgres = postgresAvailable ? describe : describe.skip;

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.href;
}

/** Runs one statement as the superuser, on the database the URL names. */
export async function adminQuery(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

let databases = 0;

/**
 * Call at the top of a test file (files may share a module graph, so this cannot be module state):
 * `fresh()` gives the URL of an empty store, a new schema of the file's database made the search path
 * of its connections (cheaper than a database per store, and as separate). The database is created on
 * first use and dropped, with its connections, when the file ends.
 */
export function postgresPerFile(): { fresh(): Promise<string> } {
  let database: Promise<string> | undefined;
  let name: string | undefined;
  let schemas = 0;
  afterAll(async () => {
    if (name !== undefined) await adminQuery(server!, `DROP DATABASE ${name} WITH (FORCE)`);
  });
  return {
    async fresh() {
      if (!server) throw new Error('PostgreSQL is not available: use describeWithPostgres');
      database ??= (async () => {
        const made = `test_${process.pid}_${(databases += 1)}`;
        await adminQuery(server, `CREATE DATABASE ${made}`);
        name = made;
        return withDatabase(server, made);
      })();
      const url = await database;
      const schema = `store_${(schemas += 1)}`;
      await adminQuery(url, `CREATE SCHEMA ${schema}`);
      const parsed = new URL(url);
      parsed.searchParams.set('options', `-c search_path=${schema}`);
      return parsed.href;
    },
  };
}
