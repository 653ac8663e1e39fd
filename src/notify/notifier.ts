// The loop inside the bot process: a pass at start and every NOTIFY_EVERY, never two at once.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { runPass, type PassDeps, type PassReport } from './pass.js';

/** The task name of the notification loop's lock on a shared store. */
export const NOTIFY_TASK = 'notify';

export class Notifier {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PassReport | null> | null = null;
  private readonly stopping = new AbortController();
  /** Whether the last ask found this instance leading: the log says when that starts. */
  private leading = false;

  constructor(
    private readonly deps: Omit<PassDeps, 'signal'>,
    private readonly log: Logger,
  ) {
    // Every send waiting for its slot of the pace or its retry listens for the stop, and each removes
    // its listener when its wait ends: many at once is the work, not a leak (Node warns above 10).
    setMaxListeners(0, this.stopping.signal);
  }

  /** Runs a pass now and then every `everyMs`; 0 runs none. */
  start(everyMs: number): void {
    if (everyMs <= 0) return;
    void this.pass();
    this.timer = setInterval(() => void this.pass(), everyMs);
    this.timer.unref();
  }

  /**
   * One pass, when this instance leads the notifications (always with the file store; on PostgreSQL
   * one instance at a time); while one runs, the caller gets that one instead of a second.
   */
  pass(): Promise<PassReport | null> {
    if (this.stopping.signal.aborted) return Promise.resolve(null);
    this.running ??= this.deps.store
      .leads(NOTIFY_TASK)
      .then((leads) => {
        // With several instances, the operator can tell which one sends (and when another took over).
        if (leads && !this.leading) this.log.info({ task: NOTIFY_TASK }, 'this instance now leads the notifications');
        this.leading = leads;
        return leads && !this.stopping.signal.aborted ? runPass({ ...this.deps, signal: this.stopping.signal }, this.deps.clock.now()) : null;
      })
      .catch((error: unknown) => {
        this.log.error({ err: error }, 'notification pass failed');
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stops the timer; a pass in flight finishes its sends in progress and leaves the rest pending. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
