// The notification and events settings: defaults, accepted forms, and a sentence for each mistake.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';

describe('notification and events settings', () => {
  it('have defaults', () => {
    const config = readConfig({});
    expect(config.notify).toEqual({ reminderDays: [30, 7, 1], everyMs: 15 * 60_000, rate: 5, maxAttempts: 5 });
    expect(config.events).toEqual({ secret: undefined, rate: 10, burst: 20 });
  });

  it.each([
    [{ REMINDER_DAYS: '7, 30,7' }, { reminderDays: [30, 7] }],
    [{ REMINDER_DAYS: 'none' }, { reminderDays: [] }],
    [{ NOTIFY_EVERY: '90s' }, { everyMs: 90_000 }],
    [{ NOTIFY_EVERY: '2' }, { everyMs: 120_000 }],
    [{ NOTIFY_EVERY: '1h' }, { everyMs: 3_600_000 }],
    [{ NOTIFY_EVERY: ' 15 m ' }, { everyMs: 15 * 60_000 }],
    [{ NOTIFY_EVERY: 'off' }, { everyMs: 0 }],
    [{ NOTIFY_RATE: '0.5', NOTIFY_MAX_ATTEMPTS: '3' }, { rate: 0.5, maxAttempts: 3 }],
  ])('reads %j', (env, expected) => {
    expect(readConfig(env).notify).toMatchObject(expected);
  });

  it('keeps the events secret exactly as given', () => {
    expect(readConfig({ EVENTS_SECRET: ' sixteen-chars-secret ', EVENTS_RATE: '2.5', EVENTS_BURST: '4' }).events).toEqual({ secret: ' sixteen-chars-secret ', rate: 2.5, burst: 4 });
    expect(readConfig({ EVENTS_SECRET: '   ' }).events.secret).toBeUndefined();
  });

  it.each([
    [{ REMINDER_DAYS: '30,0' }, 'REMINDER_DAYS'],
    [{ REMINDER_DAYS: 'soon' }, 'REMINDER_DAYS'],
    [{ NOTIFY_EVERY: '0.5s' }, 'NOTIFY_EVERY'],
    [{ NOTIFY_EVERY: '2d' }, 'NOTIFY_EVERY'],
    [{ NOTIFY_RATE: '60' }, 'NOTIFY_RATE'],
    [{ NOTIFY_MAX_ATTEMPTS: '2.5' }, 'NOTIFY_MAX_ATTEMPTS'],
    // Whole numbers are digits only: forms Number() would take are mistakes.
    [{ NOTIFY_MAX_ATTEMPTS: '1e1' }, 'NOTIFY_MAX_ATTEMPTS'],
    [{ NOTIFY_MAX_ATTEMPTS: '3.0' }, 'NOTIFY_MAX_ATTEMPTS'],
    [{ REMINDER_DAYS: '30,0x7' }, 'REMINDER_DAYS'],
    [{ REMINDER_DAYS: '30,,7' }, 'REMINDER_DAYS'],
    [{ NOTIFY_EVERY: '1e1m' }, 'NOTIFY_EVERY'],
    [{ PORT: '0x50' }, 'PORT'],
    [{ PORT: '3978.0' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '65536' }, 'PORT'],
    [{ EVENTS_SECRET: 'short' }, 'EVENTS_SECRET'],
    [{ EVENTS_SECRET: 'a-long-enough-secret', EVENTS_BURST: '0' }, 'EVENTS_BURST'],
  ])('refuses %j with a sentence naming the setting', (env, name) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(name);
  });
});
