// What every use case is given (the store, the catalog, the clock, new ids) and who is asking. The bot,
// the tab API and the CLI call the same use cases; each answers with one Result, never throwing for
// a refusal.
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../core/catalog.js';
import type { Member } from '../core/ledger.js';
import { refuse, type Problem } from '../core/result.js';
import type { PointsStore } from '../store/contract.js';

export interface ServiceDeps {
  store: PointsStore;
  catalog: Catalog;
  now: () => number;
  /** Ids for what a use case creates (claims' card ids, awards, revocations); random UUIDs when not given. */
  newId?: () => string;
}

/** Who is asking, always from the activity or the signed-in token, never from data they sent. */
export interface Caller {
  /** The AAD object id (Teams), else the channel's user id. */
  userId: string;
  name: string;
  email?: string;
  isAdmin: boolean;
  member?: Member;
}

export const newId = (deps: Pick<ServiceDeps, 'newId'>): string => (deps.newId ?? randomUUID)();

export const forAdmins = (): { ok: false; problem: Problem<'FOR_ADMINS'> } => refuse('FOR_ADMINS', 'only administrators may do this');

export const notEnrolled = (): { ok: false; problem: Problem<'NOT_ENROLLED'> } => refuse('NOT_ENROLLED', 'you are not enrolled in the program');
