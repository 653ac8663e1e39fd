// The store's data in memory: one map per collection plus the indexes queries need. Puts can be
// undone, so a transaction that fails part-way leaves nothing behind.
import type { Claim, Preferences } from '../core/claims.js';
import type { LedgerEntry, Member } from '../core/ledger.js';
import type { Notification } from '../core/notices.js';
import type { Partner, PartnerActivity, PartnerView } from '../core/partner-records.js';
import type { PartnerStatusInput } from '../core/partners.js';
import type { LedgerView } from '../core/records.js';
import { indexAfter, withTimes, type Timeline } from '../core/timeline.js';
import { collectionNames, type AnswerRecord, type CollectionName, type Collections, type ConversationRecord, type Marker, type Records, type Snapshot } from './schema.js';

export type Put = { [C in CollectionName]: [C, Records[C]] }[CollectionName];

export class DuplicateLedgerIdError extends Error {}

/**
 * JSON.parse gives every entry its own copy of strings that repeat across the ledger (member id,
 * action, source, author, edition). Sharing one copy of each saves about a third of the memory a
 * loaded ledger takes. The values are unchanged; only their storage is shared.
 */
class Interner {
  private readonly strings = new Map<string, string>();
  get(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }
}

const NO_INPUTS = Object.freeze({});

/** One member's entries as a Timeline the state can grow: kept in time order as entries are put. */
type MemberTimeline = LedgerEntry[] & { times: number[] };
const NO_ENTRIES: Timeline = Object.freeze(withTimes([], Object.freeze([])));

/** Adds an entry at its place in time, after any of the same instant (the order they were written). */
function insertInTime(line: MemberTimeline, entry: LedgerEntry, at: number): void {
  const { times } = line;
  if (times.length === 0 || times[times.length - 1]! <= at) {
    line.push(entry);
    times.push(at);
    return;
  }
  const index = indexAfter(times, at);
  line.splice(index, 0, entry);
  times.splice(index, 0, at);
}

/** Sorts a timeline filled in the order of a snapshot (stable, so same-instant entries keep that order). */
function sortInTime(line: MemberTimeline): void {
  const { times } = line;
  let sorted = true;
  for (let i = 1; i < times.length && sorted; i += 1) sorted = times[i - 1]! <= times[i]!;
  if (sorted) return;
  const order = times.map((_t, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  const entries = order.map((i) => line[i]!);
  const at = order.map((i) => times[i]!);
  for (let i = 0; i < order.length; i += 1) {
    line[i] = entries[i]!;
    times[i] = at[i]!;
  }
}

type Maps = { readonly [C in CollectionName]: Map<string, Records[C]> };

const dealKey = (partnerId: string, dealId: string) => JSON.stringify([partnerId, dealId]);

/** Adds to or removes from a map of lists; an emptied list is dropped. */
function addTo<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
function removeFrom<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  const at = list?.lastIndexOf(item) ?? -1;
  if (!list || at < 0) return;
  list.splice(at, 1);
  if (list.length === 0) map.delete(key);
}

export class State implements LedgerView, PartnerView {
  readonly members = new Map<string, Member>();
  readonly ledger = new Map<string, LedgerEntry>();
  readonly claims = new Map<string, Claim>();
  readonly notifications = new Map<string, Notification>();
  readonly preferences = new Map<string, Preferences>();
  readonly conversations = new Map<string, ConversationRecord>();
  readonly markers = new Map<string, Marker>();
  readonly partners = new Map<string, Partner>();
  readonly partnerActivities = new Map<string, PartnerActivity>();
  /** The events API's answers, by slot. */
  readonly answers = new Map<string, AnswerRecord>();
  /** Member id → the Teams user id of their conversation. */
  private readonly conversationOfMember = new Map<string, string>();
  private readonly emails = new Map<string, string>();
  private readonly byMember = new Map<string, MemberTimeline>();
  /** Set while a snapshot loads: entries are appended and each timeline sorted once at the end. */
  private loading = false;
  private readonly reversals = new Map<string, LedgerEntry>();
  private readonly interner = new Interner();
  /** Partner id → the members whose partnerId names it (the partner's people). */
  private readonly membersByPartner = new Map<string, Member[]>();
  private readonly activitiesByPartner = new Map<string, PartnerActivity[]>();
  /** dealKey(partner, deal) → the deal's registration and decision. */
  private readonly deals = new Map<string, PartnerActivity[]>();
  private readonly answerByDigest = new Map<string, AnswerRecord>();
  /** The answer with the highest serial: the next one takes the slot after it. */
  private lastAnswer: AnswerRecord | undefined;

  static from(snapshot: Snapshot): State {
    const state = new State();
    state.loading = true;
    for (const name of collectionNames) for (const record of snapshot[name]) state.put([name, record] as Put);
    state.loading = false;
    for (const line of state.byMember.values()) sortInTime(line);
    return state;
  }

  member(id: string): Member | undefined {
    return this.members.get(id);
  }

  memberByEmail(email: string): Member | undefined {
    const id = this.emails.get(email.toLowerCase());
    return id === undefined ? undefined : this.members.get(id);
  }

  entry(id: string): LedgerEntry | undefined {
    return this.ledger.get(id);
  }

  /** The member's entries in time order (same-instant ones in the order written), instants parsed. */
  entriesOf(memberId: string): Timeline {
    return this.byMember.get(memberId) ?? NO_ENTRIES;
  }

  reversalOf(entryId: string): LedgerEntry | undefined {
    return this.reversals.get(entryId);
  }

  /** The member's personal conversation with the bot, if they ever had one (it may be removed or unreachable). */
  conversationOf(memberId: string): ConversationRecord | undefined {
    const userId = this.conversationOfMember.get(memberId) ?? memberId;
    return this.conversations.get(userId);
  }

  partner(id: string): Partner | undefined {
    return this.partners.get(id);
  }

  activity(id: string): PartnerActivity | undefined {
    return this.partnerActivities.get(id);
  }

  dealEvents(partnerId: string, dealId: string): readonly PartnerActivity[] {
    return this.deals.get(dealKey(partnerId, dealId)) ?? [];
  }

  /** The partner's people: the members whose partnerId names it. */
  membersOf(partnerId: string): readonly Member[] {
    return this.membersByPartner.get(partnerId) ?? [];
  }

  activitiesOf(partnerId: string): readonly PartnerActivity[] {
    return this.activitiesByPartner.get(partnerId) ?? [];
  }

  /** The latest answer kept for a batch with this body digest, however old. */
  answerTo(digest: string): AnswerRecord | undefined {
    return this.answerByDigest.get(digest);
  }

  /** The answer written last (the highest serial). */
  latestAnswer(): AnswerRecord | undefined {
    return this.lastAnswer;
  }

  /** What partnerStatus needs for one partner: its activities and every ledger entry of its people. */
  partnerInput(partnerId: string): PartnerStatusInput | undefined {
    const partner = this.partners.get(partnerId);
    if (!partner) return undefined;
    return { partner, activities: this.activitiesOf(partnerId), devops: this.membersOf(partnerId).flatMap((m) => this.entriesOf(m.id)) };
  }

  /** Applies one put; returns the record it replaced, if any. The ledger is append-only. */
  put(put: Put): Put[1] | undefined {
    switch (put[0]) {
      case 'members': {
        const previous = this.members.get(put[1].id);
        this.setMember(put[1], previous);
        return previous;
      }
      case 'ledger': {
        const entry = this.share(put[1]);
        if (this.ledger.has(entry.id)) throw new DuplicateLedgerIdError(`ledger entry ${entry.id} is written twice`);
        this.ledger.set(entry.id, entry);
        let line = this.byMember.get(entry.memberId);
        if (!line) this.byMember.set(entry.memberId, (line = withTimes([] as LedgerEntry[], [] as number[])));
        const at = Date.parse(entry.at);
        if (this.loading) {
          line.push(entry);
          line.times.push(at);
        } else insertInTime(line, entry, at);
        if (entry.reverses !== undefined) this.reversals.set(entry.reverses, entry);
        return undefined;
      }
      case 'conversations': {
        const previous = this.conversations.get(put[1].id);
        this.setConversation(put[1], previous);
        return previous;
      }
      case 'partnerActivities': {
        const previous = this.partnerActivities.get(put[1].id);
        this.setActivity(put[1], previous);
        return previous;
      }
      case 'answers': {
        const previous = this.answers.get(put[1].id);
        this.setAnswer(put[1], previous);
        return previous;
      }
      default: {
        const map = (this as Maps)[put[0]] as Map<string, Put[1]>;
        const previous = map.get(put[1].id);
        map.set(put[1].id, put[1]);
        return previous;
      }
    }
  }

  /** Takes back the latest put, given what put() returned for it. */
  undo(put: Put, replaced: Put[1] | undefined): void {
    switch (put[0]) {
      case 'members':
        if (replaced) this.setMember(replaced as Member, put[1]);
        else {
          this.members.delete(put[1].id);
          this.emails.delete(put[1].email.toLowerCase());
          if (put[1].partnerId !== undefined) removeFrom(this.membersByPartner, put[1].partnerId, put[1]);
        }
        return;
      case 'ledger': {
        const entry = put[1];
        this.ledger.delete(entry.id);
        const line = this.byMember.get(entry.memberId);
        const at = line?.lastIndexOf(entry) ?? -1;
        if (line && at >= 0) {
          line.splice(at, 1);
          line.times.splice(at, 1);
        }
        if (entry.reverses !== undefined) this.reversals.delete(entry.reverses);
        return;
      }
      case 'conversations':
        if (replaced) this.setConversation(replaced as ConversationRecord, put[1]);
        else {
          this.conversations.delete(put[1].id);
          if (put[1].memberId !== undefined) this.conversationOfMember.delete(put[1].memberId);
        }
        return;
      case 'partnerActivities':
        if (replaced) this.setActivity(replaced as PartnerActivity, put[1]);
        else {
          this.partnerActivities.delete(put[1].id);
          this.unindexActivity(put[1]);
        }
        return;
      case 'answers':
        this.unsetAnswer(put[1], replaced as AnswerRecord | undefined);
        return;
      default: {
        const map = (this as Maps)[put[0]] as Map<string, Put[1]>;
        if (replaced) map.set(put[1].id, replaced);
        else map.delete(put[1].id);
      }
    }
  }

  private share(entry: LedgerEntry): LedgerEntry {
    const intern = this.interner;
    entry.memberId = intern.get(entry.memberId);
    entry.action = intern.get(entry.action);
    entry.source = intern.get(entry.source) as LedgerEntry['source'];
    entry.by = intern.get(entry.by);
    entry.edition = intern.get(entry.edition);
    if (Object.keys(entry.inputs).length === 0) entry.inputs = NO_INPUTS;
    return entry;
  }

  private setConversation(record: ConversationRecord, replaced: ConversationRecord | undefined): void {
    if (replaced?.memberId !== undefined && replaced.memberId !== record.memberId) this.conversationOfMember.delete(replaced.memberId);
    this.conversations.set(record.id, record);
    if (record.memberId !== undefined) this.conversationOfMember.set(record.memberId, record.id);
  }

  private setMember(member: Member, replaced: Member | undefined): void {
    if (replaced) {
      this.emails.delete(replaced.email.toLowerCase());
      if (replaced.partnerId !== undefined) removeFrom(this.membersByPartner, replaced.partnerId, replaced);
    }
    this.members.set(member.id, member);
    this.emails.set(member.email.toLowerCase(), member.id);
    if (member.partnerId !== undefined) addTo(this.membersByPartner, member.partnerId, member);
  }

  private setActivity(activity: PartnerActivity, replaced: PartnerActivity | undefined): void {
    if (replaced) this.unindexActivity(replaced);
    this.partnerActivities.set(activity.id, activity);
    addTo(this.activitiesByPartner, activity.partnerId, activity);
    if (activity.deal !== undefined) addTo(this.deals, dealKey(activity.partnerId, activity.deal), activity);
  }

  private unindexActivity(activity: PartnerActivity): void {
    removeFrom(this.activitiesByPartner, activity.partnerId, activity);
    if (activity.deal !== undefined) removeFrom(this.deals, dealKey(activity.partnerId, activity.deal), activity);
  }

  /**
   * Slots are taken over in serial order, so the answer a put replaces is the oldest with its digest:
   * no other slot needs the index.
   */
  private setAnswer(answer: AnswerRecord, replaced: AnswerRecord | undefined): void {
    if (replaced && this.answerByDigest.get(replaced.digest) === replaced) this.answerByDigest.delete(replaced.digest);
    this.answers.set(answer.id, answer);
    this.indexAnswer(answer);
  }

  /** Undoes setAnswer; the indexes are rebuilt from the slots, which is rare (a failed transaction) and exact. */
  private unsetAnswer(answer: AnswerRecord, replaced: AnswerRecord | undefined): void {
    if (replaced) this.answers.set(answer.id, replaced);
    else this.answers.delete(answer.id);
    this.answerByDigest.clear();
    this.lastAnswer = undefined;
    for (const kept of this.answers.values()) this.indexAnswer(kept);
  }

  /** By serial, not by the order of puts: slots load in any order (PostgreSQL's: by first write). */
  private indexAnswer(answer: AnswerRecord): void {
    const same = this.answerByDigest.get(answer.digest);
    if (!same || answer.serial > same.serial) this.answerByDigest.set(answer.digest, answer);
    if (!this.lastAnswer || answer.serial > this.lastAnswer.serial) this.lastAnswer = answer;
  }

  /** The collections as arrays, for a snapshot. Records are never mutated, so this is a consistent copy. */
  collections(): Collections {
    const out = {} as Record<CollectionName, unknown[]>;
    for (const name of collectionNames) out[name] = [...(this as Maps)[name].values()];
    return out as Collections;
  }

  /** How many records each collection holds. */
  counts(): Record<CollectionName, number> {
    return Object.fromEntries(collectionNames.map((name) => [name, (this as Maps)[name].size])) as Record<CollectionName, number>;
  }
}
