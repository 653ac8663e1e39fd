// A lowdb adapter that only returns once the file is on disk: temp file, fsync, rename, fsync of the
// folder. Large arrays are serialised in slices with a yield between them, so writing a snapshot of a
// big store does not stall the requests the process is serving meanwhile.
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

const SLICE = 2000;
const FLUSH_BYTES = 1 << 20;

export class StoreFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file} ${detail}`);
    this.name = 'StoreFileError';
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Plain JSON with a fixed layout: the scalar fields on the first line, then each array opened on its
 * own line with one item per line. Any JSON reader can read it; readLines below reads it line by line.
 */
async function* serialise(data: object, onItems: (items: number) => void): AsyncGenerator<string> {
  let done = 0;
  const entries = Object.entries(data);
  const scalars = entries.filter(([, value]) => !Array.isArray(value));
  const arrays = entries.filter(([, value]) => Array.isArray(value)) as [string, unknown[]][];
  yield `${JSON.stringify(Object.fromEntries(scalars)).slice(0, -1)}${arrays.length > 0 ? ',' : '}'}\n`;
  for (const [n, [key, items]] of arrays.entries()) {
    yield `${JSON.stringify(key)}:[\n`;
    for (let i = 0; i < items.length; i += SLICE) {
      const slice = items.slice(i, i + SLICE).map((item) => JSON.stringify(item));
      yield slice.join(',\n') + (i + SLICE < items.length ? ',\n' : '\n');
      onItems((done += slice.length));
      await yieldToLoop();
    }
    yield n < arrays.length - 1 ? '],\n' : ']}\n';
  }
}

/**
 * Reads a file in the layout serialise() writes, one line at a time, so a large store is never held
 * as one string next to its parsed form. Returns null for any other layout (a file edited by hand).
 */
async function readLines(path: string): Promise<object | null> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let data: Record<string, unknown> | null = null;
  let array: unknown[] | null = null;
  let done = false;
  try {
    for await (const line of lines) {
      if (done) return line.trim() === '' ? data : null;
      if (data === null) {
        if (!line.startsWith('{') || !line.endsWith(',')) return line.endsWith('}') ? (JSON.parse(line) as object) : null;
        data = JSON.parse(`${line.slice(0, -1)}}`) as Record<string, unknown>;
      } else if (array === null) {
        const open = /^("(?:[^"\\]|\\.)*"):\[$/.exec(line);
        if (!open) return null;
        array = [];
        data[JSON.parse(open[1]!) as string] = array;
      } else if (line === '],' || line === ']}') {
        array = null;
        done = line === ']}';
      } else {
        array.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line));
      }
    }
  } catch {
    return null;
  } finally {
    lines.close();
  }
  return done ? data : null;
}

export class DurableJsonFile<T extends object> implements Adapter<T> {
  constructor(readonly path: string) {}

  /** The parsed file, or null when there is none. Never changes the file. */
  async read(): Promise<T | null> {
    let text: string;
    try {
      const streamed = await readLines(this.path);
      if (streamed !== null) return streamed as T;
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreFileError(this.path, `cannot be read: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new StoreFileError(this.path, `is not valid JSON (${(error as Error).message})`);
    }
  }

  /** Writes the file whole or not at all; `onItems` hears how many array items are serialised so far. */
  async write(data: T, onItems: (items: number) => void = () => {}): Promise<void> {
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    const handle = await open(temp, 'w');
    try {
      let buffer = '';
      for await (const piece of serialise(data, onItems)) {
        buffer += piece;
        if (buffer.length >= FLUSH_BYTES) {
          await handle.writeFile(buffer);
          buffer = '';
        }
      }
      await handle.writeFile(buffer);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, this.path);
    await fsyncDir(dirname(this.path));
  }
}
