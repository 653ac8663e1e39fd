// The CLI's `status` and `export`, the references every number and file the tab gives is checked against.
import { Writable } from 'node:stream';
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

/** The CLI's `export` on the same store at the same instant, as bytes. */
export async function cliExport(file: string, args: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stdout = new Writable({ write: (chunk: Buffer, _encoding, done) => void (chunks.push(chunk), done()) });
  const err: string[] = [];
  const code = await run(['--db', file, 'export', ...args], {}, { out: (t) => chunks.push(Buffer.from(`${t}\n`)), err: (t) => err.push(t), stdout }, new Date(NOW));
  expect(code, err.join('\n')).toBe(0);
  return Buffer.concat(chunks);
}
