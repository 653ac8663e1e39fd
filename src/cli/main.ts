// The administrator's command line: npm run -s cli -- [--db FILE] <command> …
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CatalogFileError, loadCatalog } from '../catalog-file.js';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { pino } from 'pino';
import { readConfig, type Config } from '../config.js';
import type { Catalog } from '../core/catalog.js';
import { findMember } from '../core/records.js';
import { memberStatus } from '../core/lifecycle.js';
import type { Notification } from '../core/notices.js';
import { planPass, runPass } from '../notify/pass.js';
import { BotTransport } from '../notify/transport.js';
import { parseWhen, toUtcIso } from '../core/time.js';
import { importRecords, jsonLines } from '../services/import-records.js';
import { readStore, Store, StoreFailedError, StoreFileError, StoreLockedError } from '../store/store.js';
import { formatHistory } from './history.js';

const USAGE = `Usage: npm run -s cli -- [--db FILE] <command>

Commands:
  import FILE                   import members, credits and reversals from a JSON Lines file (all or nothing)
  status MEMBER [--at WHEN]     a member's status as JSON; WHEN is an ISO instant or a date (end of that day)
  history MEMBER [--json]       a member's ledger, newest last
  notify [--at WHEN] [--dry-run]
                                one notification pass: what is due since the last pass, then delivery;
                                --dry-run prints what is due as JSON lines and sends nothing

MEMBER is a member id or email. The store is --db, else $DB_FILE, else ./data/db.json.`;

/** A mistake the person at the keyboard can fix: printed as a sentence, exit code 1. */
class UserError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv, io: Io, now: Date): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        at: { type: 'string' },
        json: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? io.err : io.out)(USAGE);
    return command === undefined && !values.help ? 1 : 0;
  }
  const config = readConfig(env);
  const dbFile = values.db === undefined ? config.dbFile : resolve(config.invocationDir, values.db);
  try {
    const catalog = loadCatalog(config.rulesFile);
    switch (command) {
      case 'import':
        return await importCommand(expectOne(args, 'import FILE'), config.invocationDir, dbFile, catalog, io, now);
      case 'status':
        return await statusCommand(expectOne(args, 'status MEMBER'), values.at, dbFile, catalog, io, now);
      case 'history':
        return await historyCommand(expectOne(args, 'history MEMBER'), values.json === true, dbFile, catalog, io);
      case 'notify':
        if (args.length > 0) throw new UserError('Expected: notify [--at WHEN] [--dry-run]');
        return await notifyCommand(values.at, values['dry-run'] === true, dbFile, catalog, config, io, now);
      default:
        throw new UserError(`Unknown command "${command}".\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UserError || error instanceof CatalogFileError) {
      io.err(error.message);
      return 1;
    }
    if (error instanceof StoreFileError || error instanceof StoreLockedError || error instanceof StoreFailedError) {
      io.err(`The store cannot be used: ${error.message}`);
      return 1;
    }
    io.err(`Unexpected error: ${(error as Error).message}`);
    return 2;
  }
}

function expectOne(args: string[], usage: string): string {
  if (args.length !== 1 || !args[0]) throw new UserError(`Expected: ${usage}`);
  return args[0];
}

async function importCommand(file: string, from: string, dbFile: string, catalog: Catalog, io: Io, now: Date): Promise<number> {
  let text: Buffer;
  try {
    text = readFileSync(resolve(from, file));
  } catch (error) {
    throw new UserError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const store = await Store.open(dbFile, { command: 'cli import', now });
  try {
    const result = await importRecords(store, catalog, jsonLines(text), { source: 'import', by: `cli:${operator()}` });
    if (!result.ok) {
      for (const problem of result.problems) io.err(`line ${problem.index}: ${problem.message}`);
      io.err(`Nothing was imported: ${result.problems.length} line(s) need fixing.`);
      return 1;
    }
    io.out(JSON.stringify({ file, ...result.summary }));
    return 0;
  } finally {
    await store.close();
  }
}

/** Queries never create a store: a wrong path gets a sentence, not an empty answer. */
async function readExisting(dbFile: string) {
  if (!existsSync(dbFile)) throw new UserError(`There is no store at ${dbFile} yet: import members first, or name the store with --db.`);
  return readStore(dbFile);
}

function operator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function statusCommand(ref: string, when: string | undefined, dbFile: string, catalog: Catalog, io: Io, now: Date): Promise<number> {
  const at = when === undefined ? now.getTime() : parseWhen(when, catalog.timeZone);
  if (at === null) throw new UserError(`--at must be a date YYYY-MM-DD or an ISO-8601 instant with an offset, not "${when}".`);
  const state = await readExisting(dbFile);
  const member = findMember(state, ref);
  if (!member) throw new UserError(`No member with id or email "${ref}".`);
  const report = memberStatus(catalog, member, state.entriesOf(member.id), at);
  if (!report) throw new UserError(`${member.name} signed up on ${member.signedUpAt}; there is no status before that.`);
  const { year, reached: _reached, ...rest } = report;
  io.out(
    JSON.stringify({
      member: member.id,
      at: toUtcIso(at),
      year: { index: year.index, start: year.startDate, end: year.endDate },
      ...rest,
    }),
  );
  return 0;
}

async function notifyCommand(when: string | undefined, dryRun: boolean, dbFile: string, catalog: Catalog, config: Config, io: Io, now: Date): Promise<number> {
  const at = when === undefined ? now.getTime() : parseWhen(when, catalog.timeZone);
  if (at === null) throw new UserError(`--at must be a date YYYY-MM-DD or an ISO-8601 instant with an offset, not "${when}".`);
  if (dryRun) {
    // A preview reads the store without its lock, so it works beside a running bot.
    const plan = planPass(await readExisting(dbFile), catalog, at, config.notify.reminderDays);
    for (const { notice, state } of plan.items) {
      const { id, memberId, kind, createdAt: _created, ...details } = notice as Notification;
      io.out(JSON.stringify({ member: memberId, kind, key: id, state, ...details }));
    }
    io.err(`${plan.items.length} notification(s) due or pending at ${toUtcIso(at)}, since ${toUtcIso(plan.from)}${plan.firstPass ? ' (first pass)' : ''}. Nothing was sent.`);
    return 0;
  }
  // A real pass moves the pass marker to --at: one in the future would skip what falls before it.
  if (at > now.getTime()) throw new UserError('A pass that sends cannot run in the future; use --dry-run to preview one.');
  if (!existsSync(dbFile)) throw new UserError(`There is no store at ${dbFile} yet: import members first, or name the store with --db.`);
  const store = await Store.open(dbFile, { command: 'cli notify', now });
  try {
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(config.credentials as ConfigurationBotFrameworkAuthenticationOptions));
    const transport = new BotTransport(adapter, config.credentials.MicrosoftAppId ?? '');
    const log = pino({ level: config.logLevel }, pino.destination(2));
    const report = await runPass({ store, catalog, settings: config.notify, transport, log }, at);
    io.out(JSON.stringify(report));
    return report.failed > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function historyCommand(ref: string, json: boolean, dbFile: string, catalog: Catalog, io: Io): Promise<number> {
  const state = await readExisting(dbFile);
  const member = findMember(state, ref);
  if (!member) throw new UserError(`No member with id or email "${ref}".`);
  const entries = [...state.entriesOf(member.id)].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (json) io.out(JSON.stringify(entries));
  else io.out(formatHistory(catalog, member, entries, (id) => state.reversalOf(id)));
  return 0;
}

