// The benchmark data set: members and credits, the same on every run.
import { writeFileSync } from 'node:fs';

// Actions a generator can repeat freely (no once-a-year rule), with the inputs they need.
const ACTIONS: [string, Record<string, number>][] = [
  ['qa.ask', {}],
  ['qa.answer', {}],
  ['qa.upvote-received', {}],
  ['qa.comment', {}],
  ['qa.downvote-received', {}],
  ['course.enroll', {}],
  ['course.complete', {}],
  ['course.mini-quiz', {}],
  ['feedback.form', {}],
  ['docs.typo', { points: 30 }],
  ['training.event', { days: 2 }],
  ['partner.customer-meeting', { attendees: 3 }],
];

/** A deterministic pseudo-random sequence, so every run measures the same data. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export function generate(file: string, members: number, entries: number): void {
  const next = random(42);
  const lines: string[] = [];
  const signUps: number[] = [];
  for (let m = 0; m < members; m += 1) {
    const signUp = Date.UTC(2021, 0, 1) + Math.floor(next() * 4 * 365) * 86_400_000;
    signUps.push(signUp);
    const signedUpAt = new Date(signUp).toISOString().slice(0, 10);
    lines.push(JSON.stringify({ type: 'member', id: `member-${m}`, email: `member${m}@example.com`, name: `Member ${m}`, signedUpAt }));
  }
  for (let e = 0; e < entries; e += 1) {
    const m = e % members;
    const at = signUps[m]! + 86_400_000 + Math.floor(next() * 600 * 86_400_000);
    const [action, inputs] = ACTIONS[Math.floor(next() * ACTIONS.length)]!;
    lines.push(JSON.stringify({ type: 'credit', id: `entry-${e}`, member: `member-${m}`, action, at: new Date(at).toISOString(), ...inputs }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

