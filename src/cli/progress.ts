// Progress of long CLI work (import, export, notify) on stderr, so stdout stays the command's answer.
// On a terminal one line redrawn in place; otherwise (a log file, CI) a plain line at every tenth of
// the work, so a log stays short and readable. A few lines of our own: the libraries for this
// (cli-progress, progress) draw the same bar and bring options we would not use.

export interface ProgressSink {
  write: (text: string) => void;
  /** A terminal: the line is redrawn in place. */
  isTTY: boolean;
}

export interface Progress {
  /** `done` units of the total are finished. */
  update(done: number): void;
  /** The work ended (whole or not); a terminal's line is closed. */
  end(): void;
}

const WIDTH = 24;
const REDRAW_MS = 100;

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Progress of `total` units called `unit` (e.g. "records"). `now` gives ms, for the rate and to
 * redraw a terminal at most ten times a second.
 */
export function progress(sink: ProgressSink, label: string, total: number, unit: string, now: () => number): Progress {
  const started = now();
  let lastDraw = -Infinity;
  let lastTenth = 0;
  let latest = 0;
  let written = 0;
  let open = false;

  const line = (done: number) => {
    const share = total === 0 ? 1 : Math.min(done / total, 1);
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? ` ${count(Math.round(done / seconds))} ${unit}/s` : '';
    return `${label} ${Math.floor(share * 100)}% ${count(done)}/${count(total)} ${unit}${rate}`;
  };

  return {
    update(done) {
      latest = done;
      if (sink.isTTY) {
        const at = now();
        if (at - lastDraw < REDRAW_MS && done < total) return;
        lastDraw = at;
        const filled = total === 0 ? WIDTH : Math.round((Math.min(done, total) / total) * WIDTH);
        // \x1b[K clears what a longer previous line left behind.
        sink.write(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${line(done)}\x1b[K`);
        open = true;
        return;
      }
      const tenth = total === 0 ? 10 : Math.floor((Math.min(done, total) / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        written = done;
        sink.write(`${line(done)}\n`);
      }
    },
    end() {
      if (sink.isTTY && open) sink.write('\n');
      // A log ends with where unfinished work stopped.
      else if (!sink.isTTY && latest !== written) sink.write(`${line(latest)}\n`);
      open = false;
    },
  };
}

/** Progress that shows nothing, for callers that are not a person at a terminal (tests, the bot). */
export const noProgress: Progress = { update() {}, end() {} };
