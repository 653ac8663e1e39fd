// The journal's line format: writing a transaction as JSON lines, and replaying them at load.
//
// Each line is a JSON object that ends in its own checksum: `{"seq":7,"puts":[…],"crc":"1a2b3c4d"}`,
// where crc is the CRC-32 of the line's UTF-8 bytes before `,"crc"`. A byte changed inside a string
// still parses and validates, so only the checksum can tell it from what was acknowledged. Journals
// written before checksums (no "crc" on their first line) still load, unchecked; a file whose first
// line has one must have one on every line.
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { StoreFileError } from './durable-file.js';
import { checkJournalRecord } from './schema.js';
import { DuplicateLedgerIdError, type State, type Put } from './state.js';

const LINE_BYTES = 1 << 20;

const CRC_FIELD = ',"crc":"';
/** `,"crc":"` + 8 hex digits + `"}`. */
const CRC_SUFFIX_LENGTH = CRC_FIELD.length + 8 + 2;

const checksum = (body: string) => crc32(body).toString(16).padStart(8, '0');

const sealed = (body: string) => Buffer.from(`${body}${CRC_FIELD}${checksum(body)}"}\n`);

/**
 * A transaction's journal lines, each under about 1 MiB: a large transaction (a whole import) is
 * never held as one giant string or buffer. Records are never mutated after they are put, so
 * encoding them at flush time writes exactly what the transaction put.
 */
function* encodeLines(seq: number, puts: readonly Put[]): Generator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for (const [i, put] of puts.entries()) {
    const text = JSON.stringify(put);
    parts.push(text);
    size += text.length;
    if (size >= LINE_BYTES && i < puts.length - 1) {
      yield sealed(`{"seq":${seq},"more":true,"puts":[${parts.join(',')}]`);
      parts = [];
      size = 0;
    }
  }
  yield sealed(`{"seq":${seq},"puts":[${parts.join(',')}]`);
}

/** Appends the records in order, gathering small lines into one write; returns the bytes written. */
export async function writeRecords(handle: FileHandle, records: readonly { seq: number; puts: readonly Put[] }[]): Promise<number> {
  let group: Buffer[] = [];
  let groupBytes = 0;
  let total = 0;
  const writeGroup = async () => {
    const { bytesWritten } = await handle.writev(group);
    // A short write is rare on a regular file, but then the rest must still follow in order.
    if (bytesWritten < groupBytes) await handle.writeFile(Buffer.concat(group).subarray(bytesWritten));
    total += groupBytes;
    group = [];
    groupBytes = 0;
  };
  for (const record of records) {
    for (const line of encodeLines(record.seq, record.puts)) {
      group.push(line);
      groupBytes += line.length;
      if (groupBytes >= LINE_BYTES || group.length >= 256) await writeGroup();
    }
  }
  if (group.length > 0) await writeGroup();
  return total;
}

/** The complete (newline-ended) lines of a file, read in pieces; a torn last line is not one. */
async function* completeLines(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (piece as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
}

/** Whether the line ends in a checksum, and if so whether it matches: null when it does. */
function checksumProblem(line: string): { sealed: boolean; problem: string | null } {
  const suffix = line.slice(-CRC_SUFFIX_LENGTH);
  if (line.length <= CRC_SUFFIX_LENGTH || !suffix.startsWith(CRC_FIELD) || !suffix.endsWith('"}')) return { sealed: false, problem: null };
  const stored = suffix.slice(CRC_FIELD.length, -2);
  const actual = checksum(line.slice(0, -CRC_SUFFIX_LENGTH));
  return { sealed: true, problem: stored === actual ? null : `its checksum is ${actual}, not the ${stored} written with it` };
}

function applyPuts(file: string, where: string, state: State, puts: readonly Put[]): void {
  try {
    for (const put of puts) state.put(put);
  } catch (error) {
    if (error instanceof DuplicateLedgerIdError) throw new StoreFileError(file, `${where}: ${error.message}`);
    throw error;
  }
}

/**
 * Replays one journal file onto the state; returns the last sequence number and the bytes read.
 * A transaction may span several lines (all but its last marked "more"); it is applied only whole.
 * A crash can leave the file ending in a torn line or an unfinished transaction: neither was
 * acknowledged, and both are left out.
 */
export async function replay(file: string, state: State, afterSeq: number): Promise<{ seq: number; bytes: number }> {
  let seq = afterSeq;
  let lineNo = 0;
  let bytes = 0;
  let withChecksums: boolean | null = null;
  let open: { seq: number; puts: Put[]; line: number } | null = null;
  for await (const line of completeLines(file)) {
    lineNo += 1;
    bytes += Buffer.byteLength(line) + 1;
    const check = checksumProblem(line);
    withChecksums ??= check.sealed;
    if (check.problem) throw new StoreFileError(file, `line ${lineNo} is damaged: ${check.problem}. Restore the file from a backup, or remove the line knowing its transaction is lost`);
    if (withChecksums && !check.sealed) throw new StoreFileError(file, `line ${lineNo} is damaged: it has lost its checksum`);
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new StoreFileError(file, `line ${lineNo} is not valid JSON (${(error as Error).message})`);
    }
    const checked = checkJournalRecord(raw);
    if (!checked.ok) throw new StoreFileError(file, `line ${lineNo} is not a valid journal record: ${checked.message}`);
    const record = checked.value;
    if (open && open.seq !== record.seq) throw new StoreFileError(file, `line ${open.line}: transaction ${open.seq} is cut off by line ${lineNo}`);
    open ??= { seq: record.seq, puts: [], line: lineNo };
    for (const put of record.puts) open.puts.push(put);
    if (record.more) continue;
    const whole: { seq: number; puts: Put[]; line: number } = open;
    open = null;
    if (whole.seq <= seq) continue; // already in the snapshot (written around a compaction)
    if (whole.seq !== seq + 1) throw new StoreFileError(file, `line ${whole.line}: transactions ${seq + 1} to ${whole.seq - 1} are missing`);
    applyPuts(file, `line ${whole.line}`, state, whole.puts);
    seq = whole.seq;
  }
  return { seq, bytes };
}
