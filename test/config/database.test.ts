// Where the store is: DATABASE_URL (PostgreSQL) when set, else DB_FILE; a wrong URL is a sentence
// that never repeats the URL, which usually holds a password.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';
import { isDatabaseUrl, storeLocation } from '../../src/store/open-store.js';

describe('DATABASE_URL', () => {
  it('is off by default: the store is DB_FILE', () => {
    const config = readConfig({ DB_FILE: './data/other.json' });
    expect(config.databaseUrl).toBeNull();
    expect(storeLocation(config)).toBe('./data/other.json');
    expect(readConfig({ DATABASE_URL: '  ' }).databaseUrl).toBeNull();
  });

  it.each(['postgres://points:pw@db.example:5432/points', 'postgresql://points@10.0.0.4/points?sslmode=require', ' postgres://localhost/points '])('takes %s over DB_FILE', (url) => {
    const config = readConfig({ DATABASE_URL: url, DB_FILE: './data/db.json' });
    expect(config.databaseUrl).toBe(url.trim());
    expect(storeLocation(config)).toBe(url.trim());
    expect(isDatabaseUrl(storeLocation(config))).toBe(true);
  });

  it.each(['mysql://points:s3cret@db/points', 'db.example:5432/points', 'points:s3cret@db.example', 'http://points:s3cret@db.example/points'])('refuses %s with a sentence that does not repeat it', (url) => {
    let error: unknown;
    try {
      readConfig({ DATABASE_URL: url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/points (postgres:// or postgresql://), or unset to use the store file DB_FILE.',
    );
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('tells a database URL from a file path', () => {
    expect(isDatabaseUrl('./data/db.json')).toBe(false);
    expect(isDatabaseUrl('/data/postgres/db.json')).toBe(false);
    expect(isDatabaseUrl('POSTGRES://db/points')).toBe(true);
  });
});
