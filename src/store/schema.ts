// What the store file holds, validated at load, and the steps that bring older files up to date.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { PARTNER_LEVELS } from '../core/catalog.js';
import type { Claim, Preferences } from '../core/claims.js';
import type { LedgerEntry, Member } from '../core/ledger.js';
import type { Notification } from '../core/notices.js';
import { DEAL_STATUSES, type Partner, type PartnerActivity } from '../core/partner-records.js';

export const SCHEMA_VERSION = 5;

const instant = z.iso.datetime({ offset: false, message: 'must be an ISO-8601 UTC instant' });
const date = z.iso.date('must be a date YYYY-MM-DD');

export const memberSchema = z.strictObject({
  id: z.string().min(1),
  email: z.string().min(3),
  name: z.string(),
  signedUpAt: date,
  partnerId: z.string().min(1).optional(),
}) satisfies z.ZodType<Member>;

export const entrySchema = z.strictObject({
  id: z.string().min(1),
  memberId: z.string().min(1),
  action: z.string().min(1),
  at: instant,
  points: z.number().int(),
  inputs: z.strictObject({
    points: z.number().int().optional(),
    days: z.number().int().optional(),
    attendees: z.number().int().optional(),
    releasedAt: z.string().optional(),
  }),
  source: z.enum(['bot', 'import', 'api', 'admin']),
  by: z.string(),
  edition: z.string(),
  note: z.string().optional(),
  evidence: z.string().optional(),
  reason: z.string().optional(),
  reverses: z.string().optional(),
  bonusFor: z.string().optional(),
}) satisfies z.ZodType<LedgerEntry>;

const optionalString = z.string().optional();

export const claimSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(['action', 'attendance']),
  submittedBy: z.string().min(1),
  submittedAt: instant,
  action: z.string().min(1),
  dates: z.array(date).min(1),
  evidence: optionalString,
  details: optionalString,
  title: optionalString,
  role: z.enum(['trainer', 'participant']).optional(),
  attendees: z.array(z.string()).optional(),
  status: z.enum(['pending', 'approved', 'rejected']),
  decidedBy: optionalString,
  decidedAt: instant.optional(),
  reason: optionalString,
  points: z.number().int().optional(),
  days: z.number().int().optional(),
  credited: z.array(z.string()).optional(),
  notCredited: z.array(z.string()).optional(),
}) satisfies z.ZodType<Claim>;

const level = z.enum(['advocate', 'enabler', 'catalyst']);
const noticeBase = {
  id: z.string().min(1),
  memberId: z.string().min(1),
  createdAt: instant,
  delivery: z.enum(['pending', 'sent', 'failed', 'unreachable', 'skipped']),
  attempts: z.number().int().nonnegative(),
  sentAt: instant.optional(),
  lastError: optionalString,
};

export const notificationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...noticeBase,
    kind: z.literal('claim-decision'),
    claimId: z.string().min(1),
    status: z.enum(['pending', 'approved', 'rejected']),
    points: z.number().int(),
    reason: optionalString,
    notCredited: z.array(z.string()).optional(),
  }),
  z.strictObject({
    ...noticeBase,
    kind: z.literal('promotion'),
    year: z.number().int().nonnegative(),
    level,
    reachedAt: instant,
    points: z.number().int(),
    nextLevel: level.nullable(),
    pointsToNextLevel: z.number().int().nullable(),
    renewalDate: date,
  }),
  z.strictObject({
    ...noticeBase,
    kind: z.literal('renewal-reminder'),
    year: z.number().int().nonnegative(),
    daysBefore: z.number().int().positive(),
    renewalDate: date,
    daysLeft: z.number().int(),
    points: z.number().int(),
    status: level.nullable(),
    toKeep: z.number().int(),
    nextLevel: level.nullable(),
    pointsToNextLevel: z.number().int().nullable(),
  }),
  z.strictObject({
    ...noticeBase,
    kind: z.literal('anniversary'),
    year: z.number().int().positive(),
    date,
    result: z.enum(['retained', 'demoted']),
    from: level.nullable(),
    to: level.nullable(),
    yearTotal: z.number().int(),
    toKeep: z.number().int(),
    nextRenewalDate: date,
  }),
  z.strictObject({
    ...noticeBase,
    kind: z.literal('partner-level'),
    partnerId: z.string().min(1),
    partnerName: z.string(),
    track: z.enum(['technical', 'business']),
    level: z.enum(['member', 'collaborator', 'creator']),
    year: z.number().int(),
    reachedAt: instant,
    credits: z.number().int(),
    validUntil: date,
  }),
]) satisfies z.ZodType<Notification>;

const account = z.strictObject({ id: z.string().min(1), name: optionalString, aadObjectId: optionalString });

/** How to reach a member in a personal chat with the bot: what continueConversationAsync needs. */
export const conversationSchema = z.strictObject({
  /** The Teams user: AAD object id, else the channel's user id. */
  id: z.string().min(1),
  memberId: optionalString,
  reference: z.strictObject({
    channelId: z.string().min(1),
    serviceUrl: z.string().min(1),
    conversation: z.strictObject({ id: z.string().min(1), conversationType: optionalString, tenantId: optionalString }),
    user: account,
    bot: account,
    locale: optionalString,
  }),
  savedAt: instant,
  /** The app was uninstalled: nothing is sent until it is installed again. */
  removedAt: instant.optional(),
  /** Teams answered 403 or 404: nothing is sent until the member writes again. */
  unreachable: z.strictObject({ since: instant, status: z.number().int(), reason: z.string() }).optional(),
});
export type ConversationRecord = z.infer<typeof conversationSchema>;

/** Named instants the product keeps, such as the last notification pass. */
export const markerSchema = z.strictObject({ id: z.string().min(1), at: instant });
export type Marker = z.infer<typeof markerSchema>;

export const preferencesSchema = z.strictObject({
  id: z.string().min(1),
  leaderboardOptOut: z.boolean().optional(),
  notificationsOff: z.boolean().optional(),
}) satisfies z.ZodType<Preferences>;

const partnerLevel = z.enum(PARTNER_LEVELS);

/** A partner organisation of the Partner Program; its people are the members whose partnerId names it. */
export const partnerSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  legacyLevel: z.strictObject({ technical: partnerLevel.optional(), business: partnerLevel.optional() }).optional(),
  legacyAt: instant.optional(),
  legacyValidUntil: date.optional(),
}) satisfies z.ZodType<Partner>;

/** One counted activity of a partner (certifications, downloads, a deal's registration or decision…). */
export const partnerActivitySchema = z.strictObject({
  id: z.string().min(1),
  partnerId: z.string().min(1),
  metric: z.string().min(1),
  at: instant,
  count: z.number().int().positive(),
  deal: optionalString,
  status: z.enum(DEAL_STATUSES).optional(),
  source: z.enum(['bot', 'import', 'api', 'admin']),
  by: z.string(),
  note: optionalString,
  evidence: optionalString,
}) satisfies z.ZodType<PartnerActivity>;

const count = z.number().int().nonnegative();
const countsByType = z.record(z.string(), count);

/**
 * The events API's answer to a batch it applied, found again by the digest of the batch's body: a
 * retry sent to any instance, or after a restart, gets the same answer. Answers take turns in a ring
 * of slots (the id, `slot-N`), so their number stays bounded without deleting anything.
 */
export const answerSchema = z.strictObject({
  id: z.string().min(1),
  /** The answer's place in the order answers were written (1, 2, …): its slot, and which slot is next. */
  serial: z.number().int().positive(),
  /** The SHA-256 of the batch's body, in hex. */
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex'),
  at: instant,
  status: z.number().int(),
  body: z.strictObject({ records: count, new: countsByType, known: countsByType, entries: count, points: z.number().int() }),
});
export type AnswerRecord = z.infer<typeof answerSchema>;

/**
 * The collections and their record schemas. Every collection is keyed by `id`; a new kind of record
 * adds a collection here and a migration step below.
 */
export const collections = {
  members: memberSchema,
  ledger: entrySchema,
  claims: claimSchema,
  notifications: notificationSchema,
  preferences: preferencesSchema,
  conversations: conversationSchema,
  markers: markerSchema,
  partners: partnerSchema,
  partnerActivities: partnerActivitySchema,
  answers: answerSchema,
} as const;

export type CollectionName = keyof typeof collections;
export interface Records {
  members: Member;
  ledger: LedgerEntry;
  claims: Claim;
  notifications: Notification;
  preferences: Preferences;
  conversations: ConversationRecord;
  markers: Marker;
  partners: Partner;
  partnerActivities: PartnerActivity;
  answers: AnswerRecord;
}
export const collectionNames = Object.keys(collections) as CollectionName[];

// Files are checked record by record and the parsed objects kept as they are: validating a whole
// snapshot at once would hold a second copy of every record until the end, doubling peak memory.
const snapshotHeader = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** The last journal record the snapshot includes. */
  seq: z.number().int().nonnegative(),
  /** The first journal generation to replay on top of the snapshot. */
  journal: z.number().int().nonnegative(),
  members: z.array(z.unknown()),
  ledger: z.array(z.unknown()),
  claims: z.array(z.unknown()),
  notifications: z.array(z.unknown()),
  preferences: z.array(z.unknown()),
  conversations: z.array(z.unknown()),
  markers: z.array(z.unknown()),
  partners: z.array(z.unknown()),
  partnerActivities: z.array(z.unknown()),
  answers: z.array(z.unknown()),
});

/** Every record of a store, collection by collection, in the order they were written. */
export type Collections = { [C in CollectionName]: Records[C][] };
export type Snapshot = { schemaVersion: typeof SCHEMA_VERSION; seq: number; journal: number } & Collections;

export const emptySnapshot = (): Snapshot => ({
  schemaVersion: SCHEMA_VERSION,
  seq: 0,
  journal: 0,
  ...(Object.fromEntries(collectionNames.map((name) => [name, []])) as unknown as Collections),
});

/** A file's content checked for loading: the value, or why the load stops. */
export type LoadCheck<T> = { ok: true; value: T } | { ok: false; message: string };

// Records are checked against validators that Ajv compiles from the zod schemas above (one source of
// truth): they check in place without building a copy of each record, which at load time halves the
// garbage and the peak memory of validating a large ledger.
const ajv = new Ajv2020({ validateFormats: false, allErrors: false });
const validators = Object.fromEntries(
  collectionNames.map((name) => [name, ajv.compile(z.toJSONSchema(collections[name], { target: 'draft-2020-12' }))]),
) as Record<CollectionName, ValidateFunction>;

function checkRecord(name: CollectionName, record: unknown, where: string): string | null {
  // Own properties only: a hostile name such as "toString" must not find a function on the prototype.
  const validate = Object.hasOwn(validators, name) ? validators[name] : undefined;
  if (!validate) return `${where || '(top level)'}: "${String(name)}" is not a collection of the store`;
  if (validate(record)) return null;
  const error = validate.errors?.[0];
  const path = error?.instancePath.split('/').filter(Boolean).join('.') ?? '';
  const detail = error?.keyword === 'additionalProperties' ? `unexpected field "${String(error.params.additionalProperty)}"` : error?.message;
  return `${[where, path].filter(Boolean).join('.') || 'the record'}: ${detail ?? 'is not valid'}`;
}

/** The problem, if any, that would stop a load of this record: what a write is checked against. */
export function checkPut(name: CollectionName, record: unknown): string | null {
  return checkRecord(name, record, '');
}

export function checkSnapshot(data: unknown): LoadCheck<Snapshot> {
  const header = snapshotHeader.safeParse(data);
  if (!header.success) return { ok: false, message: describeIssues(header.error) };
  for (const name of collectionNames) {
    const records = header.data[name];
    for (let i = 0; i < records.length; i += 1) {
      const problem = checkRecord(name, records[i], `${name}.${i}`);
      if (problem) return { ok: false, message: problem };
    }
  }
  return { ok: true, value: data as Snapshot };
}

const journalHeader = z.strictObject({
  seq: z.number().int().positive(),
  /** Set on every line of a multi-line transaction but its last. */
  more: z.literal(true).optional(),
  puts: z.array(z.tuple([z.enum(collectionNames as [CollectionName, ...CollectionName[]]), z.unknown()])).min(1),
  /** The line's checksum (see journal.ts), checked before the line is parsed. */
  crc: z.string().regex(/^[0-9a-f]{8}$/).optional(),
});

export interface JournalRecord {
  seq: number;
  more?: true;
  crc?: string;
  puts: { [C in CollectionName]: [C, Records[C]] }[CollectionName][];
}

export function checkJournalRecord(data: unknown): LoadCheck<JournalRecord> {
  const header = journalHeader.safeParse(data);
  if (!header.success) return { ok: false, message: describeIssues(header.error) };
  const puts = header.data.puts;
  for (let i = 0; i < puts.length; i += 1) {
    const [name, record] = puts[i]!;
    const problem = checkRecord(name, record, `puts.${i}`);
    if (problem) return { ok: false, message: problem };
  }
  return { ok: true, value: data as JournalRecord };
}

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** Step N turns a file of schema N into one of schema N+1. */
const migrations: Record<number, Migration> = {
  // Schema 0 is a plain lowdb file, { members, ledger }, with no version, sequence or journal.
  0: (data) => ({ schemaVersion: 1, seq: 0, journal: 0, members: data.members ?? [], ledger: data.ledger ?? [] }),
  // Schema 2 adds claims, notifications for members, and members' preferences.
  1: (data) => ({ ...data, schemaVersion: 2, claims: [], notifications: [], preferences: [] }),
  // Schema 3 turns notifications into an outbox (each with its delivery state) and adds members'
  // conversation references and markers (the last notification pass).
  2: (data) => ({
    ...data,
    schemaVersion: 3,
    notifications: ((data.notifications ?? []) as Record<string, unknown>[]).map(({ sentAt, ...notice }) => ({
      ...notice,
      delivery: sentAt === undefined ? 'pending' : 'sent',
      attempts: 0,
      ...(sentAt !== undefined && { sentAt }),
    })),
    conversations: [],
    markers: [],
  }),
  // Schema 4 adds the Partner Program: partner organisations and their activities.
  3: (data) => ({ ...data, schemaVersion: 4, partners: [], partnerActivities: [] }),
  // Schema 5 adds the events API's answers, shared by every process that opens the store.
  4: (data) => ({ ...data, schemaVersion: 5, answers: [] }),
};

export type MigrationResult = { ok: true; data: unknown; from: number } | { ok: false; message: string };

/** The fields of a schema-0 file: a plain lowdb file from before the store had versions. */
const SCHEMA_0_FIELDS = ['members', 'ledger'];

/**
 * Why an object without schemaVersion is not a schema-0 store, or null when it is one. Migrating
 * keeps only the fields a store has, so anything else (a catalog named by mistake) must be refused
 * here, before a writer would rewrite it as an empty store.
 */
function notSchema0(data: Record<string, unknown>): string | null {
  const fields = Object.keys(data);
  const foreign = fields.filter((field) => !SCHEMA_0_FIELDS.includes(field) || !Array.isArray(data[field]));
  if (fields.length > 0 && foreign.length === 0) return null;
  const held = fields.length === 0 ? 'nothing' : fields.slice(0, 5).map((field) => JSON.stringify(field)).join(', ') + (fields.length > 5 ? ', …' : '');
  return (
    `is not a store of this product: it has no "schemaVersion" and holds ${held} (a store holds "schemaVersion", ` +
    'or, from before versions, only the arrays "members" and "ledger"). Check DB_FILE or --db; the file was left as it is.'
  );
}

export function migrate(raw: unknown): MigrationResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: 'is not a JSON object' };
  let data = raw as Record<string, unknown>;
  if (data.schemaVersion === undefined) {
    const problem = notSchema0(data);
    if (problem) return { ok: false, message: problem };
  }
  const version = data.schemaVersion ?? 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { ok: false, message: `has an invalid schemaVersion ${JSON.stringify(version)}` };
  }
  if (version > SCHEMA_VERSION) {
    return { ok: false, message: `was written by a newer version of this product (schema ${version}); this version reads up to schema ${SCHEMA_VERSION}` };
  }
  for (let v = version; v < SCHEMA_VERSION; v += 1) {
    const step = migrations[v];
    if (!step) return { ok: false, message: `has schema ${v}, which no migration step handles` };
    data = step(data);
  }
  return { ok: true, data, from: version };
}

/** The first few validation problems, as "path: message". */
export function describeIssues(error: z.ZodError, limit = 5, prefix = ''): string {
  const lines = error.issues.slice(0, limit).map((issue) => `${[prefix, ...issue.path].filter((p) => p !== '').join('.') || '(top level)'}: ${issue.message}`);
  if (error.issues.length > limit) lines.push(`… and ${error.issues.length - limit} more`);
  return lines.join('; ');
}
