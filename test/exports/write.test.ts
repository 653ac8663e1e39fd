// The encoders field by field, and writeExport against streams that push back or go away.
import { parse } from 'csv-parse/sync';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/core/export-formats.js';
import { ExportAbortedError, writeExport } from '../../src/services/exports.js';
import { State } from '../../src/store/state.js';
import { defaultCatalog } from '../support/catalog.js';

const catalog = defaultCatalog();
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('CSV fields', () => {
  const cells: [string, string | number | null | string[], string][] = [
    ['plain text', 'Ann', 'Ann'],
    ['none', null, ''],
    ['a negative number of ours', -5, '-5'],
    ['zero', 0, '0'],
    ['a comma', 'Peeters, Ann', '"Peeters, Ann"'],
    ['quotes, doubled', 'say "hi"', '"say ""hi"""'],
    ['a line feed', 'two\nlines', '"two\nlines"'],
    ['a carriage return inside', 'a\rb', '"a\rb"'],
    ['accents, as they are', 'Zoë Müller-Ŝ', 'Zoë Müller-Ŝ'],
    ['a list', ['2026-10-20', '2026-10-21'], '2026-10-20 2026-10-21'],
    ['=, a formula', '=1+2', "'=1+2"],
    ['+', '+1', "'+1"],
    ['- in text', '-2+3', "'-2+3"],
    ['@', '@SUM(A1)', "'@SUM(A1)"],
    ['a tab first', '\t=1', "'\t=1"],
    ['a carriage return first, then quoted', '\r=1', `"'\r=1"`],
    ['a formula with quotes and commas', '=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a list starting with a formula', ['=1', 'b'], "'=1 b"],
    ['= later in the text', 'a=1', 'a=1'],
  ];
  it.each(cells)('%s', (_what, cell, expected) => {
    expect(csvCell(cell)).toBe(expected);
  });

  it('a line ends with CRLF and reads back with csv-parse', () => {
    const columns = ['a', 'b', 'c'];
    const line = csvLine(columns, { a: 'x,"y"', b: -3, c: null });
    expect(line).toBe('"x,""y""",-3,\r\n');
    expect(parse(line)).toEqual([['x,"y"', '-3', '']]);
  });

});

/** A ledger big enough for many chunks: 300 members, 20 entries each, with long notes. */
function bigState(): State {
  const state = new State();
  for (let m = 0; m < 300; m += 1) {
    state.put(['members', { id: `m${m}`, email: `m${m}@example.com`, name: `Member ${m}`, signedUpAt: '2024-01-01' }]);
    for (let e = 0; e < 20; e += 1) {
      const at = new Date(Date.UTC(2025, 0, 1 + e, 10, m % 60)).toISOString();
      state.put(['ledger', { id: `m${m}-e${e}`, memberId: `m${m}`, action: 'qa.ask', at, points: 10, inputs: {}, source: 'import', by: 'test', edition: 'x', note: 'n'.repeat(100) }]);
    }
  }
  return state;
}

/** A slow destination: each chunk is taken a tick later, and it counts writes made while it asked to wait. */
class SlowWritable extends Writable {
  readonly chunks: Buffer[] = [];
  ignoredDrain = 0;
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override write(chunk: unknown, ...rest: never[]): boolean {
    if (this.writableNeedDrain) this.ignoredDrain += 1;
    return super.write(chunk, ...rest);
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk);
    setImmediate(callback);
  }
}

describe('writeExport', () => {
  it('waits for drain each time the destination asks, and delivers every row', async () => {
    const state = bigState();
    const stream = new SlowWritable();
    const progress: number[] = [];
    const result = await writeExport(state, catalog, { kind: 'ledger', format: 'csv' }, stream, { now: NOW, onRow: (done, total) => progress.push(done, total) });
    expect(result).toEqual({ ok: true, value: { rows: 6000 } });
    expect(stream.ignoredDrain).toBe(0);
    // More than one chunk went out, so backpressure was met.
    expect(stream.chunks.length).toBeGreaterThan(5);
    const records = parse(Buffer.concat(stream.chunks).toString('utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(6000);
    // Oldest first over all members: times never go back.
    expect(records.every((r, i) => i === 0 || records[i - 1]!.at! <= r.at!)).toBe(true);
    expect(progress.slice(-2)).toEqual([6000, 6000]);
  });

  it('writes the ledger as it was when the export began, though entries with past instants arrive while it waits for the destination', async () => {
    const state = bigState();
    const stream = new SlowWritable();
    let added = 0;
    const result = await writeExport(state, catalog, { kind: 'ledger', format: 'csv' }, stream, {
      now: NOW,
      onRow: (done) => {
        // As the bot would, between two chunks: a credit dated before rows already written.
        if (done % 1000 === 0) {
          added += 1;
          setImmediate(() => state.put(['ledger', { id: `late-${done}`, memberId: 'm0', action: 'qa.ask', at: '2025-01-01T00:00:00.000Z', points: 10, inputs: {}, source: 'import', by: 'test', edition: 'x' }]));
        }
      },
    });
    expect(added).toBe(6);
    expect(state.entriesOf('m0')).toHaveLength(20 + added);
    expect(result).toEqual({ ok: true, value: { rows: 6000 } });
    const ids = (parse(Buffer.concat(stream.chunks).toString('utf8'), { bom: true, columns: true }) as Record<string, string>[]).map((r) => r.entryId);
    expect(new Set(ids).size).toBe(6000);
    expect(ids.filter((id) => id!.startsWith('late-'))).toEqual([]);
  });

  it('stops with ExportAbortedError when the destination goes away midway (a cancelled download)', async () => {
    const state = bigState();
    const stream = new SlowWritable();
    let rows = 0;
    const written = writeExport(state, catalog, { kind: 'ledger', format: 'jsonl' }, stream, {
      now: NOW,
      onRow: (done) => {
        rows = done;
        if (done === 1500) setImmediate(() => stream.destroy());
      },
    });
    await expect(written).rejects.toBeInstanceOf(ExportAbortedError);
    expect(rows).toBeLessThan(6000);
  });

  it('reports an error of the destination (a broken pipe) as ExportAbortedError, not as an unhandled error', async () => {
    const stream = new SlowWritable();
    const written = writeExport(bigState(), catalog, { kind: 'ledger' }, stream, {
      now: NOW,
      onRow: (done) => {
        if (done === 1500) stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    await expect(written).rejects.toThrow(new ExportAbortedError('the export stopped: write EPIPE'));
  });

  it('keeps a broken destination’s error handled when it broke between two writes, with no wait for drain to catch it', async () => {
    // Takes everything at once: the export never waits, so the error arrives after writeExport returned.
    const stream = new Writable({ highWaterMark: 1 << 30, write: (_chunk, _encoding, done) => done() });
    const unhandled: unknown[] = [];
    const record = (error: unknown) => void unhandled.push(error);
    process.on('uncaughtException', record);
    try {
      const written = writeExport(bigState(), catalog, { kind: 'ledger' }, stream, {
        now: NOW,
        onRow: (done) => {
          if (done === 1500) stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        },
      });
      await expect(written).rejects.toThrow(new ExportAbortedError('the export stopped: write EPIPE'));
      // Until the stream has said all it will say: finished() answers at once when it already has.
      await finished(stream).catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });
});
