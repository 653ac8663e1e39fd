// Plain records for store tests: what they are does not matter, only that the store keeps them.
import type { LedgerEntry, Member } from '../../src/core/ledger.js';

export const member = (n: number): Member => ({ id: `m${n}`, email: `m${n}@example.com`, name: `Member ${n}`, signedUpAt: '2024-01-01' });

export const entry = (id: string, memberId = 'm1', points = 10): LedgerEntry => ({
  id,
  memberId,
  action: 'qa.ask',
  at: '2024-02-01T10:00:00.000Z',
  points,
  inputs: {},
  source: 'import',
  by: 'test',
  edition: 'test',
});
