import { describe, expect, it } from 'vitest';
import { progress } from '../../src/cli/progress.js';

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { written, sink: { isTTY, write: (text: string) => void written.push(text) } };
}

describe('CLI progress', () => {
  it('writes a plain line at each tenth when stderr is not a terminal, and none twice', () => {
    const { written, sink: s } = sink(false);
    let ms = 0;
    const bar = progress(s, 'import', 1_000, 'records', () => ms);
    for (let done = 0; done <= 1_000; done += 50) {
      ms += 100;
      bar.update(done);
    }
    bar.end();
    expect(written).toHaveLength(10);
    expect(written[0]).toBe('import 10% 100/1,000 records 333 records/s\n');
    expect(written[9]).toBe('import 100% 1,000/1,000 records 476 records/s\n');
  });

  it('says where unfinished work stopped when it ends early', () => {
    const { written, sink: s } = sink(false);
    let ms = 0;
    const bar = progress(s, 'export', 10_000, 'rows', () => ms);
    ms = 2_000;
    bar.update(3_500);
    ms = 3_000;
    bar.update(3_900);
    bar.end();
    expect(written).toEqual(['export 35% 3,500/10,000 rows 1,750 rows/s\n', 'export 39% 3,900/10,000 rows 1,300 rows/s\n']);
  });

  it('redraws one line on a terminal at most ten times a second, always showing the last step, and closes it', () => {
    const { written, sink: s } = sink(true);
    let ms = 0;
    const bar = progress(s, 'import', 100, 'records', () => ms);
    bar.update(10);
    ms = 50;
    bar.update(20); // within 100 ms of the last draw: skipped
    ms = 120;
    bar.update(30);
    ms = 130;
    bar.update(100); // the end is always drawn
    bar.end();
    expect(written).toEqual([
      '\r[##----------------------] import 10% 10/100 records\x1b[K',
      '\r[#######-----------------] import 30% 30/100 records 250 records/s\x1b[K',
      '\r[########################] import 100% 100/100 records 769 records/s\x1b[K',
      '\n',
    ]);
  });

  it('counts an empty job as done', () => {
    const { written, sink: s } = sink(false);
    const bar = progress(s, 'notify', 0, 'notices', () => 0);
    bar.update(0);
    bar.end();
    expect(written).toEqual(['notify 100% 0/0 notices\n']);
  });
});
