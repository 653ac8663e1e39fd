// A lowdb adapter that only returns once the file is on disk: temp file, fsync, rename, fsync of the
// folder. Large arrays are serialised in slices with a yield between them, so writing a snapshot of a
// big store does not stall the requests the process is serving meanwhile.
import { open, readFile, rename, rm } from 'node:fs/promises';
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

async function* serialise(data: object): AsyncGenerator<string> {
  yield '{';
  let first = true;
  for (const [key, value] of Object.entries(data)) {
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      yield JSON.stringify(value);
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i += SLICE) {
      yield (i > 0 ? ',' : '') + value.slice(i, i + SLICE).map((item) => JSON.stringify(item)).join(',');
      await yieldToLoop();
    }
    yield ']';
  }
  yield '}\n';
}

export class DurableJsonFile<T extends object> implements Adapter<T> {
  constructor(readonly path: string) {}

  /** The parsed file, or null when there is none. Never changes the file. */
  async read(): Promise<T | null> {
    let text: string;
    try {
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

  async write(data: T): Promise<void> {
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    const handle = await open(temp, 'w');
    try {
      let buffer = '';
      for await (const piece of serialise(data)) {
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
