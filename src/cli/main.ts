// The administrator's command line: npm run -s cli -- [--db FILE] <command> …
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { CatalogFileError, loadCatalog } from '../catalog-file.js';
import { pino } from 'pino';
import { ConfigError, readConfig, type Config } from '../config.js';
import { ORDER_KINDS, type Catalog, type OrderKind } from '../core/catalog.js';
import { historyByYear } from '../core/history.js';
import { parseWholeNumber } from '../core/numbers.js';
import { findMember } from '../core/records.js';
import { memberStatus } from '../core/lifecycle.js';
import type { Notification } from '../core/notices.js';
import { partnerStatus, redeem, type PartnerStatus } from '../core/partners.js';
import { realClock } from '../notify/deliver.js';
import { planPass, runPass } from '../notify/pass.js';
import { standaloneTransport } from '../notify/transport.js';
import { parseWhen, toUtcIso } from '../core/time.js';
import { checkRecords, importRecords, jsonLines, type BatchProblem } from '../services/import-records.js';
import type { State } from '../store/state.js';
import type { PointsStore } from '../store/contract.js';
import { isDatabaseUrl, openStore, readStoreAt, storeLocation } from '../store/open-store.js';
import { StoreDatabaseError } from '../store/pg-store.js';
import { StoreFailedError, StoreFileError, StoreLockedError, type StoreLog } from '../store/store.js';
import { exportCommand, EXPORT_USAGE } from './export.js';
import { formatHistory } from './history.js';
import { noProgress, progress, type Progress, type ProgressSink } from './progress.js';
import { counted, recordCount, sendFile, target, type Target } from './remote-import.js';
import { storeCommand, STORE_COPY_USAGE } from './store-copy.js';

const USAGE = `Usage: npm run -s cli -- [--db FILE] <command>

Commands:
  import FILE [--server URL [--max-wait SECONDS]]
                                import members, credits, reversals, partners and partner activities from a
                                JSON Lines file (all or nothing). While a running bot holds the store, give
                                --server URL (or set BOT_URL): the file is checked here, then sent to the
                                bot in signed batches of 1,000 (EVENTS_SECRET from the environment). Each
                                batch is all or nothing; re-running the file is safe. --server always sends
                                to the bot; BOT_URL is used only when the store is held. A batch the bot
                                cannot take is retried for up to --max-wait seconds (default 120)
  status MEMBER [--at WHEN]     a member's status as JSON; WHEN is an ISO instant or a date (end of that day)
  history MEMBER [--json]       a member's ledger, newest last
  partner PARTNER [--at WHEN]   a partner's credits and levels on both tracks this calendar year, as JSON
  redeem PARTNER --order end-customer|self-use|training --amount N [--at WHEN]
                                the most credits (and their value) one order of N may use, as JSON
  notify [--at WHEN] [--dry-run]
                                one notification pass: what is due since the last pass, then delivery;
                                --dry-run prints what is due as JSON lines and sends nothing
  ${EXPORT_USAGE}
                                statuses at --at, the ledger or claims from --from to --to, the month's and
                                year's leaderboards (or --period's) at --at, partner credits per track at --at;
                                CSV (for Excel) or JSON Lines on stdout, or into --out FILE (not replaced
                                without --force); progress on stderr
  ${STORE_COPY_USAGE}
                                copy a whole store, record for record, between a store file and PostgreSQL
                                (either way) into a place that holds no records: all or nothing. The copy is
                                then read back and every member's status at --at (default now) and every
                                collection compared with the source. Stop the bot first: writes made to the
                                source after it is read are not copied

MEMBER is a member id or email, PARTNER a partner id. The store is --db (a file, or a postgres:// URL), else
$DATABASE_URL, else $DB_FILE, else ./data/db.json (store copy names both stores with --from and --to).`;

/** A mistake the person at the keyboard can fix: printed as a sentence, exit code 1. */
class UserError extends Error {}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** A stream for long output (an export); without it, such output is gathered and given to out(). */
  stdout?: Writable;
  /** Where progress of long work goes (stderr, redrawn in place on a terminal). */
  progress?: ProgressSink;
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
        order: { type: 'string' },
        amount: { type: 'string' },
        server: { type: 'string' },
        'max-wait': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        period: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
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
  let config: Config;
  try {
    config = readConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 1;
  }
  const dbFile = values.db === undefined ? storeLocation(config) : isDatabaseUrl(values.db) ? values.db : resolve(config.invocationDir, values.db);
  try {
    const catalog = loadCatalog(config.rulesFile);
    switch (command) {
      case 'import':
        return await importCommand(expectOne(args, 'import FILE [--server URL]'), { server: values.server, maxWait: values['max-wait'] }, config, dbFile, catalog, io, now);
      case 'status':
        return await statusCommand(expectOne(args, 'status MEMBER'), values.at, dbFile, catalog, io, now);
      case 'history':
        return await historyCommand(expectOne(args, 'history MEMBER'), values.json === true, dbFile, catalog, io);
      case 'partner':
        return await partnerCommand(expectOne(args, 'partner PARTNER [--at WHEN]'), values.at, dbFile, catalog, io, now);
      case 'redeem':
        return await redeemCommand(expectOne(args, REDEEM_USAGE), values, dbFile, catalog, io, now);
      case 'notify':
        if (args.length > 0) throw new UserError('Expected: notify [--at WHEN] [--dry-run]');
        return await notifyCommand(values.at, values['dry-run'] === true, dbFile, catalog, config, io, now);
      case 'store':
        return await storeCommand(args, values, { catalog, io, now, at: instantOf(values.at, catalog, now), invocationDir: config.invocationDir });
      case 'export':
        return await exportCommand(args, values, { catalog, io, now, invocationDir: config.invocationDir, dbFile, load: () => readExisting(dbFile) });
      default:
        throw new UserError(`Unknown command "${command}".\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UserError || error instanceof CatalogFileError) {
      io.err(error.message);
      return 1;
    }
    if (error instanceof StoreFileError || error instanceof StoreLockedError || error instanceof StoreFailedError || error instanceof StoreDatabaseError) {
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

async function importCommand(
  file: string,
  remote: { server?: string | undefined; maxWait?: string | undefined },
  config: Config,
  dbFile: string,
  catalog: Catalog,
  io: Io,
  now: Date,
): Promise<number> {
  let text: Buffer;
  try {
    text = readFileSync(resolve(config.invocationDir, file));
  } catch (error) {
    throw new UserError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const maxWaitMs = maxWaitOf(remote.maxWait);
  // An explicit --server is checked before any work: a mistake there is told at once.
  const server = remote.server === undefined ? undefined : targetOf(remote.server, '--server', config);
  if (server && !isDatabaseUrl(dbFile) && !existsSync(dbFile)) {
    throw new UserError(`There is no store at ${dbFile} to check the file against: name the bot's store with --db (or DB_FILE).`);
  }
  const origin = { source: 'import', by: `cli:${operator()}` } as const;
  const total = recordCount(text);
  const bar = (label: string) => (io.progress ? progress(io.progress, label, total, 'records', () => performance.now()) : noProgress);
  // Checked against a read-only load first: a refused file touches no store file and needs no lock,
  // so it is answered with its bad lines even beside a running bot, and before anything is sent to it.
  const checked = checkRecords(await readStoreAt(dbFile), catalog, counted(jsonLines(text), bar('import: checking')), origin, now.getTime());
  if (!checked.ok) return refused(checked.problems, io);
  if (server) return importThroughBot(file, text, server, maxWaitMs, bar, io);
  let store: PointsStore;
  try {
    store = await openStore(dbFile, { command: 'cli import', log: storeLog(io) });
  } catch (error) {
    if (!(error instanceof StoreLockedError)) throw error;
    if (config.botUrl === undefined) {
      throw new UserError(`The store cannot be used: ${error.message} To import beside a running bot instead, give its address with --server URL (or BOT_URL) and set EVENTS_SECRET.`);
    }
    const bot = targetOf(config.botUrl, 'BOT_URL', config);
    io.err(`The store is held by another process; sending the file to the bot at ${bot.endpoint.origin} (BOT_URL) instead.`);
    return importThroughBot(file, text, bot, maxWaitMs, bar, io);
  }
  try {
    // Planned again under the lock: the store may have moved since the check.
    const result = await importRecords(store, catalog, counted(jsonLines(text), bar('import: applying')), origin, now.getTime());
    if (!result.ok) return refused(result.problems, io);
    io.out(JSON.stringify({ file, ...result.summary }));
    return 0;
  } finally {
    await store.close();
  }
}

function targetOf(address: string, name: string, config: Config): Target {
  const found = target(address, name, config.events.secret);
  if (!found.ok) throw new UserError(found.message);
  return found.target;
}

function maxWaitOf(value: string | undefined): number {
  if (value === undefined) return 120_000;
  const seconds = parseWholeNumber(value);
  if (seconds === null || seconds > 3600) throw new UserError(`--max-wait must be whole seconds from 0 to 3600, not "${value}".`);
  return seconds * 1000;
}

async function importThroughBot(file: string, text: Buffer, to: Target, maxWaitMs: number, bar: (label: string) => Progress, io: Io): Promise<number> {
  const sums = await sendFile(text, to, { now: realClock.now, sleep: (ms) => realClock.sleep(ms), maxWaitMs, bar: bar('import: sending'), say: io.err });
  if (!sums) return 1;
  io.out(JSON.stringify({ file, server: to.endpoint.origin, ...sums }));
  return 0;
}

function refused(problems: readonly BatchProblem[], io: Io): number {
  for (const problem of problems) io.err(`line ${problem.index}: ${problem.message}`);
  io.err(`Nothing was imported: ${problems.length} line(s) need fixing.`);
  return 1;
}

/** What the store reports while the CLI writes (a migration, a refusal) goes to stderr as sentences. */
const storeLog = (io: Io): StoreLog => ({ info: (_details, message) => io.err(message), error: (_details, message) => io.err(message) });

/** Queries never create a store: a wrong path gets a sentence, not an empty answer. */
async function readExisting(dbFile: string) {
  if (!isDatabaseUrl(dbFile) && !existsSync(dbFile)) throw new UserError(`There is no store at ${dbFile} yet: import members first, or name the store with --db.`);
  return readStoreAt(dbFile);
}

function operator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function instantOf(when: string | undefined, catalog: Catalog, now: Date): number {
  const at = when === undefined ? now.getTime() : parseWhen(when, catalog.timeZone);
  if (at === null) throw new UserError(`--at must be a date YYYY-MM-DD or an ISO-8601 instant with an offset, not "${when}".`);
  return at;
}

function statusOfPartner(state: State, id: string, catalog: Catalog, at: number): PartnerStatus {
  const input = state.partnerInput(id);
  if (!input) throw new UserError(`No partner with id "${id}".`);
  return partnerStatus(catalog, input, at);
}

async function partnerCommand(id: string, when: string | undefined, dbFile: string, catalog: Catalog, io: Io, now: Date): Promise<number> {
  const at = instantOf(when, catalog, now);
  const status = statusOfPartner(await readExisting(dbFile), id, catalog, at);
  const track = ({ credits, level, levelValidUntil }: PartnerStatus['tracks']['technical']) => ({ credits, level, levelValidUntil });
  io.out(
    JSON.stringify({
      partner: status.partner,
      at: status.at,
      year: status.year,
      tracks: { technical: track(status.tracks.technical), business: track(status.tracks.business) },
      level: status.level,
      discountPercent: status.discountPercent,
      devopsPointsThisMonth: status.devopsPointsThisMonth,
    }),
  );
  return 0;
}

const REDEEM_USAGE = `redeem PARTNER --order ${ORDER_KINDS.join('|')} --amount N [--at WHEN]`;

async function redeemCommand(
  id: string,
  options: { order?: string | undefined; amount?: string | undefined; at?: string | undefined },
  dbFile: string,
  catalog: Catalog,
  io: Io,
  now: Date,
): Promise<number> {
  if (options.order === undefined || options.amount === undefined) throw new UserError(`Expected: ${REDEEM_USAGE}`);
  const order = options.order;
  if (!(ORDER_KINDS as readonly string[]).includes(order)) throw new UserError(`--order must be ${ORDER_KINDS.join(', ')}, not "${order}".`);
  if (!/^\d+(\.\d{1,2})?$/.test(options.amount)) {
    throw new UserError(`--amount must be the order's amount, 0 or more with at most two decimals (such as 12500 or 99.95), not "${options.amount}".`);
  }
  const at = instantOf(options.at, catalog, now);
  const status = statusOfPartner(await readExisting(dbFile), id, catalog, at);
  const { technical, business } = status.tracks;
  // There is no record of credits spent yet: what a partner may spend is what it earned this year.
  const available = technical.credits + business.credits;
  const result = redeem(catalog, order as OrderKind, Number(options.amount), available);
  if (!result.ok) throw new UserError(`Cannot compute the credits: ${result.problem.message}.`);
  const basis = `The ${available} available credits are those earned in ${status.year} on both tracks (technical ${technical.credits}, business ${business.credits}); credits already spent are not recorded, so nothing is deducted.`;
  const { note, ...redemption } = result.value;
  io.out(JSON.stringify({ partner: status.partner, at: status.at, year: status.year, ...redemption, note: note === null ? basis : `${capitalise(note)}. ${basis}` }));
  return 0;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

async function statusCommand(ref: string, when: string | undefined, dbFile: string, catalog: Catalog, io: Io, now: Date): Promise<number> {
  const at = instantOf(when, catalog, now);
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
      year: { number: year.number, start: year.startDate, end: year.endDate },
      ...rest,
    }),
  );
  return 0;
}

async function notifyCommand(when: string | undefined, dryRun: boolean, dbFile: string, catalog: Catalog, config: Config, io: Io, now: Date): Promise<number> {
  const at = instantOf(when, catalog, now);
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
  if (!isDatabaseUrl(dbFile) && !existsSync(dbFile)) throw new UserError(`There is no store at ${dbFile} yet: import members first, or name the store with --db.`);
  const store = await openStore(dbFile, { command: 'cli notify', log: storeLog(io) });
  try {
    const transport = standaloneTransport(config.credentials);
    // Failures go to stderr; the report on stdout already says what the pass did.
    const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
    // The pass paces and retries its sends in real time, as the bot's does.
    let bar = noProgress;
    const onProgress = (settled: number, total: number) => {
      if (settled === 0 && io.progress) bar = progress(io.progress, 'notify', total, 'notices', () => performance.now());
      bar.update(settled);
    };
    const report = await runPass({ store, catalog, settings: config.notify, transport, log, clock: realClock, onProgress }, at);
    bar.end();
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
  const entries = state.entriesOf(member.id);
  if (json) io.out(JSON.stringify(historyByYear(member, entries, catalog.timeZone).flatMap((block) => block.entries)));
  else io.out(formatHistory(catalog, member, entries, (id) => state.reversalOf(id)));
  return 0;
}

