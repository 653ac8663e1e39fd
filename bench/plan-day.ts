// The notification planning pass over a loaded store: the first pass of a store (a week's window),
// then a pass every 15 minutes over one day, as the loop runs them. Only what is due is computed:
// nothing is written or sent.
import type { Catalog } from '../src/core/catalog.js';
import { PASS_MARKER, planPass } from '../src/notify/pass.js';
import type { State } from '../src/store/state.js';

const EVERY_MS = 15 * 60_000;

/** Runs the passes on `state` (its pass marker is moved: give it a view nothing else uses). */
export function planDay(state: State, catalog: Catalog, at: number): { firstMs: number; medianMs: number; slowestMs: number; due: number } {
  const times: number[] = [];
  let due = 0;
  for (let i = 0; i <= 96; i += 1) {
    const passAt = at + i * EVERY_MS;
    if (i > 0) state.markers.set(PASS_MARKER, { id: PASS_MARKER, at: new Date(passAt - EVERY_MS).toISOString() });
    const start = performance.now();
    due += planPass(state, catalog, passAt, [30, 7, 1]).items.length;
    times.push(performance.now() - start);
  }
  const later = times.slice(1).sort((a, b) => a - b);
  return { firstMs: times[0]!, medianMs: later[Math.floor(later.length / 2)]!, slowestMs: later.at(-1)!, due };
}
