// Global setup: one private PostgreSQL server for the whole run (see postgres-cluster.ts), named to
// the test workers by TEST_POSTGRES_URL. Without PostgreSQL its tests are skipped, saying why; in CI
// (CI=true) a missing PostgreSQL is a failure, never a silent skip.
import { findPostgres, startCluster } from './postgres-cluster.js';

export const POSTGRES_URL = 'TEST_POSTGRES_URL';
export const POSTGRES_SKIPPED = 'TEST_POSTGRES_SKIPPED';

export default async function setup(): Promise<() => Promise<void>> {
  const bin = findPostgres();
  if (!bin) {
    const reason = 'no initdb, pg_ctl and postgres on the PATH or in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)';
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is not installed: ${reason}. CI must install it.`);
    process.env[POSTGRES_SKIPPED] = reason;
    return async () => {
      delete process.env[POSTGRES_SKIPPED];
    };
  }
  const cluster = await startCluster(bin);
  process.env[POSTGRES_URL] = cluster.url;
  return async () => {
    delete process.env[POSTGRES_URL];
    await cluster.stop();
  };
}
