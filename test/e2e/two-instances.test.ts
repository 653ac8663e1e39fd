// Two real bot processes (src/main.ts through tsx, as test/server/main.test.ts runs it) on one
// PostgreSQL database, behind one stub connector: concurrent writes split across both, the notification
// leader killed mid-pass, and a claim decided on one instance and seen as decided on the other. Every
// wait is on an event (a line of a process's output, a count of requests the connector received,
// /healthz); the bounds only turn a hang into a failure with a sentence.
import { spawn, type ChildProcess } from 'node:child_process';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog-file.js';
import { readConfig } from '../../src/config.js';
import { sign } from '../../src/events/signature.js';
import { SENDS_IN_FLIGHT } from '../../src/notify/deliver.js';
import { NOTIFY_TASK } from '../../src/notify/notifier.js';
import { importRecords } from '../../src/services/import-records.js';
import type { Transaction } from '../../src/store/contract.js';
import { PgStore, readPgStore } from '../../src/store/pg-store.js';
import { activity, cardText, invoke, readable, type Speaker } from '../support/bot-server.js';
import { StubConnector, type Recorded } from '../support/connector.js';
import { conversation } from '../support/notify.js';
import { describeWithPostgres, postgresAvailable, postgresPerFile } from '../support/postgres.js';
import { stopAll } from '../support/ready.js';
import { childTmp, tempDb } from '../support/temp.js';

const postgres = postgresAvailable ? postgresPerFile() : undefined;
const catalog = loadCatalog(readConfig({}).rulesFile);
const zone = catalog.timeZone;
const SECRET = 'a-long-shared-secret-for-two-instances';
/** Only turns a hang into a failure; a busy machine makes the test slower, never wrong. */
const HANG_GUARD_MS = 120_000;
// One temp folder for every process of the file, so they share tsx's cache.
const TMP = childTmp();
const started: ChildProcess[] = [];
afterAll(() => stopAll(started));

/** `what` names the wait in the failure, with what else helps find out why (a process's output). */
function guard<T>(promise: Promise<T>, what: string | (() => string), ms = HANG_GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const say = () => (typeof what === 'string' ? what : what());
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`nothing after ${ms / 1000} s: ${say()}`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

interface Instance {
  name: string;
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the first match of `pattern` in the output from `from` on (now or later). */
  line(pattern: RegExp, from?: number): Promise<RegExpExecArray>;
  exited: Promise<void>;
}

/** Starts a bot process on PORT 0; resolves once it listens. */
function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...TMP, PORT: '0', LOG_LEVEL: 'info', DB_FILE: tempDb('unused-'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  const watchers = new Set<() => void>();
  const read = (chunk: Buffer) => {
    output += chunk.toString();
    for (const watch of watchers) watch();
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = (pattern: RegExp, from = 0) =>
    guard(
      new Promise<RegExpExecArray>((resolve, reject) => {
        const watch = () => {
          const match = pattern.exec(output.slice(from));
          if (match) {
            watchers.delete(watch);
            resolve(match);
          }
        };
        watchers.add(watch);
        watch();
        void exited.then(() => reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${output.slice(-2000)}`)));
      }),
      `${name} waiting for ${pattern}`,
    );
  return line(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/).then((ready) => ({ name, child, url: ready[1]!, output: () => output, line, exited }));
}

async function post(instance: Instance, activity: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${instance.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** A signed events batch, as the community platform sends it. */
async function sendBatch(instance: Instance, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${instance.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature-256': sign(SECRET, timestamp, body) },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Writes the seed into the database before any bot starts, as an import would; the store stays open. */
async function openSeeded(url: string, records: unknown[], more: (tx: Transaction) => void = () => {}): Promise<PgStore> {
  const store = await PgStore.open(url, { command: 'two-instances seed' });
  try {
    const result = await importRecords(store, catalog, records.map((value, i) => ({ index: i + 1, value })), { source: 'import', by: 'test' }, Date.now());
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    await store.transact(more);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Both instances hold every committed write (they learn of each other's within about a second). */
async function converged(instances: Instance[], url: string): Promise<number> {
  const entries = (await readPgStore(url)).ledger.size;
  await guard(
    (async () => {
      for (const instance of instances) {
        while (((await (await fetch(`${instance.url}/healthz`)).json()) as { entries: number }).entries !== entries) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })(),
    'the instances never showed every committed write',
  );
  return entries;
}

const member = (id: string, name: string) => ({ type: 'member', id: `aad-${id}`, email: `${id}@example.com`, name, signedUpAt: '2025-06-01' });
const admin: Speaker = { id: '29:ada', aadObjectId: 'aad-ada', name: 'Ada Admin' };
const today = () => DateTime.now().setZone(zone);

describeWithPostgres('two bot processes on one database, behind one connector', () => {
  // The writes' set-up: notifications off (the notices have their own below), the events API on.
  let connector: StubConnector;
  let url: string;
  let a: Instance;
  let b: Instance;
  const WORKERS = Array.from({ length: 20 }, (_, i) => member(`w${i}`, `Worker ${i}`));
  beforeAll(async () => {
    connector = await new StubConnector().start();
    url = await postgres!.fresh();
    const seeded = await openSeeded(url, [
      member('ada', 'Ada Admin'),
      member('fay', 'Fay Feedback'),
      member('olga', 'Olga Once'),
      member('tia', 'Tia Trainer'),
      member('ole', 'Ole Attendee'),
      member('max', 'Max Trainer'),
      ...WORKERS,
    ]);
    await seeded.close();
    const env = { DATABASE_URL: url, ADMINS: 'aad-ada', EVENTS_SECRET: SECRET, EVENTS_BURST: '1000', EVENTS_RATE: '1000', NOTIFY_EVERY: 'off' };
    [a, b] = await Promise.all([startInstance('A', env), startInstance('B', env)]);
  });
  afterAll(async () => {
    await stopAll(started);
    await connector?.stop();
  });
  const hub = () => ({ connector });

  it('takes 200 concurrent awards and events batches across both: every acknowledged write once, nothing else, caps held', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const credit = (id: string, who: string, action: string) => ({ type: 'credit', id, member: who, action, at });
    // Awards: 40 of a monthly-capped action to Fay, 20 of a once-a-year one to Olga, 40 plain ones.
    const awards = Array.from({ length: 100 }, (_, i) => {
      const text = i % 5 < 2 ? 'award fay@example.com feedback.form' : i % 5 === 2 ? 'award olga@example.com advocacy.linkedin-headline' : `award w${i % 20}@example.com qa.answer note ${i}`;
      return { instance: i % 2 === 0 ? a : b, conversation: `conv-award-${i}`, text };
    });
    // Batches: each credits a worker and Fay's capped action; every tenth also asks Olga's other
    // once-a-year action, so all but one of those are refused whole (422), and none of their records may land.
    const batches = Array.from({ length: 100 }, (_, i) => {
      const records = [credit(`ev-ans-${i}`, `aad-w${i % 20}`, 'qa.answer'), credit(`ev-fb-${i}`, 'aad-fay', 'feedback.form'), ...(i % 10 === 0 ? [credit(`ev-once-${i}`, 'aad-olga', 'advocacy.job-title')] : [])];
      return { instance: i % 2 === 0 ? b : a, ids: records.map((r) => r.id), body: JSON.stringify({ records }) };
    });

    const [awarded, answered] = await guard(
      Promise.all([
        Promise.all(awards.map(({ instance, conversation, text }) => post(instance, activity(hub(), admin, { text }, { id: conversation, conversationType: 'personal' })))),
        Promise.all(batches.map(({ instance, body }) => sendBatch(instance, body))),
      ]),
      'the 200 writes',
    );

    expect(awarded.map((r) => r.status)).toEqual(Array(100).fill(200));
    // One reply per award, in its conversation; the credited ones name their entries.
    const replies = awards.map(({ conversation: id }) => connector.sent().filter((s) => (s.conversation as { id: string }).id === id));
    expect(replies.map((r) => r.length)).toEqual(Array(100).fill(1));
    const texts = replies.map((r) => readable(r));
    const credited = texts.filter((t) => t.includes('Credited'));
    const ackedAwards = credited.flatMap((t) => t.match(/award-[0-9a-f-]{36}/g) ?? []);
    const refused = texts.filter((t) => !t.includes('Credited'));
    expect(refused.map((t) => t.includes('Not credited: advocacy.linkedin-headline counts once per membership year'))).toEqual(Array(19).fill(true));
    expect(credited.length).toBe(81);
    expect(ackedAwards.length).toBe(81);

    expect(answered.every((r) => r.status === 200 || r.status === 422)).toBe(true);
    const acceptedBatches = batches.filter((_, i) => answered[i]!.status === 200);
    expect(acceptedBatches.length).toBe(91);
    // The refused ones are refused for the once-a-year record alone.
    for (const [i, answer] of answered.entries()) {
      if (answer.status === 422) expect(answer.body.problems).toEqual([{ index: 2, message: expect.stringContaining('advocacy.job-title counts once per membership year') }]);
      else expect(answer.body).toMatchObject({ new: { credit: batches[i]!.ids.length }, known: { credit: 0 } });
    }

    const state = await readPgStore(url);
    const entries = [...state.ledger.values()];
    // Exactly the acknowledged writes, whichever instance took them, and nothing half applied.
    expect(entries.filter((e) => e.source === 'admin').map((e) => e.id).sort()).toEqual([...ackedAwards].sort());
    expect(entries.filter((e) => e.source === 'api').map((e) => e.id).sort()).toEqual(acceptedBatches.flatMap((batch) => batch.ids).sort());
    // Once a year, across both channels and both instances.
    expect(state.entriesOf('aad-olga').map((e) => e.action).sort()).toEqual(['advocacy.job-title', 'advocacy.linkedin-headline']);
    // The monthly cap: 140 credits of 50 to Fay end at the cap in each calendar month they fall in.
    const feedback = state.entriesOf('aad-fay').filter((e) => e.action === 'feedback.form');
    expect(feedback.length).toBe(40 + 91);
    const byMonth = new Map<string, number[]>();
    for (const e of feedback) {
      const month = DateTime.fromISO(e.at, { zone }).toFormat('yyyy-MM');
      byMonth.set(month, [...(byMonth.get(month) ?? []), e.points]);
    }
    for (const points of byMonth.values()) expect(points.reduce((sum, p) => sum + p, 0)).toBe(Math.min(100, 50 * points.length));
    // Both instances serve every write.
    expect(await converged([a, b], url)).toBe(entries.length);
  });

  it('answers a batch retried through the other instance as it answered the first time, and applies it once', async () => {
    const body = JSON.stringify({ records: [{ type: 'credit', id: 'ev-retried', member: 'aad-w0', action: 'qa.answer', at: new Date(Date.now() - 60_000).toISOString() }] });
    const first = await sendBatch(a, body);
    expect(first).toMatchObject({ status: 200, body: { new: { credit: 1 }, known: { credit: 0 } } });
    const version = await readPgStore(url);
    // Sent at once: B may not have A's write in its view yet, but it answers from the database.
    expect(await sendBatch(b, body)).toEqual(first);
    const after = await readPgStore(url);
    expect(after.ledger.size).toBe(version.ledger.size);
    expect([...after.ledger.values()].filter((e) => e.id.startsWith('ev-retried'))).toHaveLength(1);
  });

  it('refuses on instance B, as already decided, the attendance claim approved on instance A: one credit each', async () => {
    const tia: Speaker = { id: '29:tia', aadObjectId: 'aad-tia', name: 'Tia Trainer' };
    const claimId = await submitAttendance(b, tia, 'aad-ole');
    // Submitted on B, approved on A at once: A decides on the database as it is, not on its view.
    const approved = await decide(a, claimId);
    expect(approved).toContain(`Claim ${claimId} approved`);
    expect(approved).toContain('Tia Trainer: +1,500 points');
    expect(approved).toContain('Ole Attendee: +1,500 points');
    expect(await decide(b, claimId)).toContain(`Claim already approved\nClaim ${claimId} was approved by Ada Admin on ${today().toISODate()}. Nothing was changed.`);
    const state = await readPgStore(url);
    expect(state.claims.get(claimId)).toMatchObject({ status: 'approved', decidedBy: 'aad-ada' });
    expect([...state.ledger.values()].filter((e) => e.id.startsWith(`${claimId}.`)).map((e) => [e.memberId, e.points]).sort()).toEqual([
      ['aad-ole', 1500],
      ['aad-tia', 1500],
    ]);
  });

  it('approves at once on one instance a claim just submitted through the other', async () => {
    // The race is the view's lag behind the database (a notice away): four streams of 25, so that an
    // approval that looked the claim up in its instance's view, and answered "No such claim", shows.
    const max: Speaker = { id: '29:max', aadObjectId: 'aad-max', name: 'Max Trainer' };
    const answers: string[] = [];
    const stream = async () => {
      for (let i = 0; i < 25; i += 1) answers.push(await decide(b, await submitAttendance(a, max, 'aad-ole')));
    };
    await Promise.all([stream(), stream(), stream(), stream()]);
    expect(answers.filter((t) => !/^Claim claim-\S+ approved\n/.test(t))).toEqual([]);
  });

  it('approves a claim once when both instances are asked at the same moment', async () => {
    const max: Speaker = { id: '29:max', aadObjectId: 'aad-max', name: 'Max Trainer' };
    const claimId = await submitAttendance(a, max, 'aad-ole');
    const answers = await Promise.all([decide(a, claimId), decide(b, claimId)]);
    expect(answers.filter((t) => t.includes(`Claim ${claimId} approved`))).toHaveLength(1);
    expect(answers.filter((t) => t.includes(`Claim ${claimId} was approved by Ada Admin`))).toHaveLength(1);
    const state = await readPgStore(url);
    expect([...state.ledger.values()].filter((e) => e.id.startsWith(`${claimId}.`)).map((e) => e.memberId).sort()).toEqual(['aad-max', 'aad-ole']);
  });

  let cards = 0;
  /** The member asks `instance` for the attendance card and submits it there; the claim's id. */
  async function submitAttendance(instance: Instance, from: Speaker, attendee: string): Promise<string> {
    const conversationId = `conv-${from.id}-card-${(cards += 1)}`;
    expect((await post(instance, activity(hub(), from, { text: 'attendance' }, { id: conversationId, conversationType: 'personal' }))).status).toBe(200);
    const [form] = connector.sent().filter((s) => (s.conversation as { id: string }).id === conversationId);
    const cardId = (form!.attachments as { content: { actions: { data: { cardId: string } }[] } }[])[0]!.content.actions[0]!.data.cardId;
    const day = (daysAgo: number) => today().minus({ days: daysAgo }).toISODate()!;
    const submitted = await execute(instance, from, 'attendance.submit', {
      cardId,
      title: 'DataMiner Automation training',
      kind: 'internal',
      role: 'trainer',
      from: day(5),
      to: day(3),
      attendees: attendee.replace(/^aad-/, '') + '@example.com',
      evidence: 'https://example.com/attendance-sheet.pdf',
    });
    expect(submitted).toContain('Claim submitted');
    return `claim-${cardId}`;
  }

  const decide = (instance: Instance, claimId: string) => execute(instance, admin, 'claim.approve', { claimId });

  /** A Universal Actions card action; the text of the card that replaces it. */
  async function execute(instance: Instance, from: Speaker, verb: string, data: Record<string, unknown>): Promise<string> {
    const response = await post(instance, invoke(hub(), from, verb, { verb, ...data }));
    expect(response.status).toBe(200);
    return cardText((response.body as { value: unknown }).value);
  }
});

describeWithPostgres('the notification leader killed in the middle of a pass', () => {
  const MEMBERS = 250;
  /** The connector's sends at which the leader is killed: well inside the pass. */
  const KILL_AT = 100;
  const EVERY_S = 2;
  const LEADS = /"time":(\d+),[^\n]*"msg":"this instance now leads the notifications"/;
  const PASS_DONE = /"msg":"notification pass done"/;
  let connector: StubConnector;
  beforeAll(async () => {
    connector = await new StubConnector().start();
    // Slow answers keep the window of sends in flight full whenever the kill lands.
    connector.answerDelayMs = 20;
  });
  afterAll(async () => {
    await stopAll(started);
    await connector?.stop();
  });

  const convOf = (request: Recorded) => (request.method === 'POST' ? /^\/v3\/conversations\/conv-([^/]+)\/activities/.exec(request.path)?.[1] : undefined);

  it('is replaced by the other instance, which finishes the pass: every notice delivered, repeats only of sends in flight', async () => {
    const url = await postgres!.fresh();
    const ids = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
    // Each member's 30-day renewal reminder fell due three days ago: inside the first pass's look-back.
    const signedUpAt = today().plus({ days: 27 }).minus({ years: 1 }).toISODate();
    const seeded = await openSeeded(
      url,
      ids.map((id) => ({ type: 'member', id, email: `${id}@example.com`, name: id, signedUpAt })),
      (tx) => ids.forEach((id) => tx.put(['conversations', conversation(id, connector.url)])),
    );
    // The seed's store leads the notifications until both instances run: then either may take the lead.
    expect(await seeded.leads(NOTIFY_TASK)).toBe(true);

    // Sends are counted as they arrive; the kill lands on the KILL_AT-th, never after a time.
    let sends = 0;
    let killedAt = 0;
    let standbyBeforeKill = '';
    let roles: { leader: Instance; standby: Instance } | null = null;
    const killed = deferred();
    const whileReading = deferred();
    connector.respond = (request) => {
      if (convOf(request) === undefined) return undefined;
      sends += 1;
      if (sends === KILL_AT) {
        // Held answers: the new leader can mark nothing sent until the marks at the kill are read.
        connector.hold = whileReading.promise;
        killedAt = Date.now();
        standbyBeforeKill = roles!.standby.output();
        roles!.leader.child.kill('SIGKILL');
        killed.resolve();
      }
      return undefined;
    };
    // Answers wait until the leader is known (its first sends arrive, fewer than KILL_AT), so the kill
    // finds it named.
    const leaderKnown = deferred();
    connector.hold = leaderKnown.promise;
    const env = { DATABASE_URL: url, NOTIFY_EVERY: `${EVERY_S}s`, NOTIFY_RATE: '50' };
    const [a, b] = await Promise.all([startInstance('A', env), startInstance('B', env)]);
    await seeded.close();
    // The leader is the one that says so; the other must not lead while it lives.
    const { leader, standby } = (roles = await Promise.race([a.line(LEADS).then(() => ({ leader: a, standby: b })), b.line(LEADS).then(() => ({ leader: b, standby: a }))]));
    connector.hold = null;
    leaderKnown.resolve();

    await guard(killed.promise, `the connector never received ${KILL_AT} sends`);
    await leader.exited;
    const atKill = await readPgStore(url);
    const marked = new Set([...atKill.notifications.values()].filter((n) => n.delivery === 'sent').map((n) => n.memberId));
    connector.hold = null;
    whileReading.resolve();
    // Everything due was in the outbox before the first send: nothing is lost with the leader.
    expect(atKill.notifications.size).toBe(MEMBERS);
    // Every send but the last SENDS_IN_FLIGHT had its mark committed when send KILL_AT arrived.
    expect(marked.size).toBeGreaterThanOrEqual(KILL_AT - SENDS_IN_FLIGHT);
    expect(marked.size).toBeLessThan(KILL_AT);
    // The standby never led before the kill (its output as it stood when the kill landed).
    expect(standbyBeforeKill).not.toMatch(LEADS);

    const took = await standby.line(LEADS);
    await standby.line(PASS_DONE, took.index);

    const final = await readPgStore(url);
    expect([...final.notifications.values()].filter((n) => n.delivery !== 'sent')).toEqual([]);
    const sent = connector.requests.map(convOf).filter((id): id is string => id !== undefined);
    const times = new Map<string, number>();
    for (const id of sent) times.set(id, (times.get(id) ?? 0) + 1);
    // Every member got their reminder; none marked sent at the kill got it again; the repeats are the
    // sends in flight at the kill, each repeated once.
    expect(times.size).toBe(MEMBERS);
    const repeated = [...times].filter(([, n]) => n > 1);
    expect(repeated.filter(([id]) => marked.has(id))).toEqual([]);
    expect(repeated.every(([, n]) => n === 2)).toBe(true);
    expect(repeated.length).toBeLessThanOrEqual(SENDS_IN_FLIGHT);
    // The standby asks at each tick of NOTIFY_EVERY, so the first tick after the kill takes over (the
    // instant is the one it logged). The bound allows two more ticks for a busy machine; an instance that
    // never takes over fails the wait above.
    expect(Number(took[1]) - killedAt).toBeLessThan(3 * EVERY_S * 1000);
  });
});
