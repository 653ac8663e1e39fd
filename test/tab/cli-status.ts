// The CLI's `status`, the reference every number the tab shows is checked against.
import { expect } from 'vitest';
import { run } from '../../src/cli/main.js';
import { NOW } from './fixtures.js';

/** The CLI's `status` of a member, as JSON, on the same store at the fixtures' instant. */
export interface CliStatus {
  member: string;
  at: string;
  year: { number: number; start: string; end: string };
  points: number;
  status: string | null;
  nextLevel: string | null;
  pointsToNextLevel: number | null;
  toKeepStatus: number;
  daysToRenewal: number;
}

export async function cliStatus(file: string, member: string): Promise<CliStatus> {
  const out: string[] = [];
  const code = await run(['--db', file, 'status', member], {}, { out: (t) => out.push(t), err: (t) => out.push(t) }, new Date(NOW));
  expect(code, out.join('\n')).toBe(0);
  return JSON.parse(out[0]!) as CliStatus;
}
