// The events API's answers to the batches it applied, kept in the store and written in the transaction
// of the batch they answer: an answer exists exactly when its batch was applied, for every instance
// on the same store and across restarts, so a retry sent anywhere gets the first answer again.
//
// The store never deletes, so answers take turns in a ring of slots (`slot-0` … `slot-9999`): the
// answer with serial n takes slot (n - 1) mod ANSWER_SLOTS, replacing the oldest one written. The
// serial follows the order of the store's transactions, which every instance plans one after another
// on the latest data, so two instances never pick the same next serial.
import type { Transaction } from '../store/contract.js';
import type { AnswerRecord } from '../store/schema.js';
import type { State } from '../store/state.js';

/** The answers kept at most: the store's size does not grow with the number of batches. */
export const ANSWER_SLOTS = 10_000;
/** An older answer is not given again: a retry after it is applied afresh, a no-op counting its records as known. */
export const ANSWER_TTL_MS = 24 * 3_600_000;

export type KeptAnswer = Pick<AnswerRecord, 'status' | 'body'>;

/** The answer given to a batch with this body digest, unless it is older than a day. */
export function earlierAnswer(view: State, digest: string, now: number): KeptAnswer | undefined {
  const kept = view.answerTo(digest);
  if (!kept || now - Date.parse(kept.at) > ANSWER_TTL_MS) return undefined;
  return { status: kept.status, body: kept.body };
}

/** Puts the answer in the next slot of the ring, in the transaction that applied its batch. */
export function keepAnswer(tx: Transaction, digest: string, answer: KeptAnswer, now: number): void {
  const serial = (tx.view.latestAnswer()?.serial ?? 0) + 1;
  tx.put(['answers', { id: `slot-${(serial - 1) % ANSWER_SLOTS}`, serial, digest, at: new Date(now).toISOString(), status: answer.status, body: answer.body }]);
}
