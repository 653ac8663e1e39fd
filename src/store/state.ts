// The store's data in memory: one map per collection plus the indexes queries need. Puts can be
// undone, so a transaction that fails part-way leaves nothing behind.
import type { LedgerEntry, Member } from '../core/ledger.js';
import type { LedgerView } from '../core/records.js';
import { collectionNames, type CollectionName, type Records, type Snapshot } from './schema.js';

export type Put = { [C in CollectionName]: [C, Records[C]] }[CollectionName];

export class DuplicateLedgerIdError extends Error {}

export class State implements LedgerView {
  readonly members = new Map<string, Member>();
  readonly ledger = new Map<string, LedgerEntry>();
  private readonly emails = new Map<string, string>();
  private readonly byMember = new Map<string, LedgerEntry[]>();
  private readonly reversals = new Map<string, LedgerEntry>();

  static from(snapshot: Snapshot): State {
    const state = new State();
    for (const member of snapshot.members) state.put(['members', member]);
    for (const entry of snapshot.ledger) state.put(['ledger', entry]);
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

  entriesOf(memberId: string): readonly LedgerEntry[] {
    return this.byMember.get(memberId) ?? [];
  }

  reversalOf(entryId: string): LedgerEntry | undefined {
    return this.reversals.get(entryId);
  }

  /** Applies one put and returns what undoes it. The ledger is append-only. */
  put(put: Put): () => void {
    if (put[0] === 'members') {
      const member = put[1];
      const previous = this.members.get(member.id);
      this.setMember(member, previous);
      return () => {
        if (previous) this.setMember(previous, member);
        else {
          this.members.delete(member.id);
          this.emails.delete(member.email.toLowerCase());
        }
      };
    }
    const entry = put[1];
    if (this.ledger.has(entry.id)) throw new DuplicateLedgerIdError(`ledger entry ${entry.id} is written twice`);
    this.ledger.set(entry.id, entry);
    const list = this.byMember.get(entry.memberId);
    if (list) list.push(entry);
    else this.byMember.set(entry.memberId, [entry]);
    if (entry.reverses !== undefined) this.reversals.set(entry.reverses, entry);
    return () => {
      this.ledger.delete(entry.id);
      const own = this.byMember.get(entry.memberId);
      const at = own?.lastIndexOf(entry) ?? -1;
      if (own && at >= 0) own.splice(at, 1);
      if (entry.reverses !== undefined) this.reversals.delete(entry.reverses);
    };
  }

  private setMember(member: Member, replaced: Member | undefined): void {
    if (replaced) this.emails.delete(replaced.email.toLowerCase());
    this.members.set(member.id, member);
    this.emails.set(member.email.toLowerCase(), member.id);
  }

  /** The collections as arrays, for a snapshot. Records are never mutated, so this is a consistent copy. */
  collections(): Pick<Snapshot, CollectionName> {
    const out = {} as Record<CollectionName, unknown[]>;
    for (const name of collectionNames) out[name] = [...this[name].values()];
    return out as Pick<Snapshot, CollectionName>;
  }
}
