// The state's index of the events API's answers: by body digest and by serial, whatever order the
// slots load in, and exactly as before when a transaction that took a slot over is undone.
import { describe, expect, it } from 'vitest';
import { Transaction } from '../../src/store/contract.js';
import { emptySnapshot, type AnswerRecord } from '../../src/store/schema.js';
import { State } from '../../src/store/state.js';

const digest = (c: string) => c.repeat(64);
const answer = (slot: number, serial: number, d: string, at = '2026-11-23T12:00:00.000Z'): AnswerRecord => ({
  id: `slot-${slot}`,
  serial,
  digest: digest(d),
  at,
  status: 200,
  body: { records: 1, new: { member: 1 }, known: { member: 0 }, entries: 0, points: 0 },
});

describe('the answers in the state', () => {
  it('finds the latest answer to a digest and the latest serial by serial, not by the order slots load in', () => {
    // PostgreSQL loads rows in the order they were first written: slot-0 (overwritten since) first.
    const state = State.from({ ...emptySnapshot(), answers: [answer(0, 3, 'a'), answer(1, 2, 'a'), answer(2, 1, 'b')] });
    expect(state.answerTo(digest('a'))).toEqual(answer(0, 3, 'a'));
    expect(state.answerTo(digest('b'))).toEqual(answer(2, 1, 'b'));
    expect(state.answerTo(digest('c'))).toBeUndefined();
    expect(state.latestAnswer()).toEqual(answer(0, 3, 'a'));
  });

  it('forgets the answer whose slot is taken over, and has it back when that put is undone', () => {
    const state = State.from({ ...emptySnapshot(), answers: [answer(0, 1, 'a'), answer(1, 2, 'b')] });
    const tx = new Transaction(state);
    tx.put(['answers', answer(0, 3, 'c')]);
    expect(state.answerTo(digest('a'))).toBeUndefined();
    expect(state.answerTo(digest('c'))).toEqual(answer(0, 3, 'c'));
    expect(state.latestAnswer()?.serial).toBe(3);
    tx.put(['answers', answer(2, 4, 'd')]);
    tx.undo();
    expect([...state.answers.values()]).toEqual([answer(0, 1, 'a'), answer(1, 2, 'b')]);
    expect(state.answerTo(digest('a'))).toEqual(answer(0, 1, 'a'));
    expect(state.answerTo(digest('c'))).toBeUndefined();
    expect(state.answerTo(digest('d'))).toBeUndefined();
    expect(state.latestAnswer()?.serial).toBe(2);
  });
});
