/**
 * A fake clock for pacing tests: sleeps are timers that fire in time order
 * when the test runs the clock, so concurrent waits overlap as on a real
 * clock (a virtual clock whose sleep moves time at once adds them up), and
 * nothing waits for real time.
 */
import type { TenantClock } from "../../lib/provider/provider.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** Let every promise chain that can move without the clock do so. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class ManualClock implements TenantClock {
  /** The time in ms. */
  t = 0;
  private timers: Timer[] = [];
  private seq = 0;
  /** Set to make every sleep reject with this error (an interrupted apply). */
  failSleepsWith: Error | null = null;

  now = (): Promise<Date> => Promise.resolve(new Date(this.t));

  sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (this.failSleepsWith !== null) reject(this.failSleepsWith);
      else this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve, reject });
    });

  /** Fire timers in time order until `work` settles; throws when it waits on nothing (a deadlock). */
  async run<T>(work: Promise<T>): Promise<T> {
    let finished = false;
    work.then(
      () => (finished = true),
      () => (finished = true),
    );
    for (;;) {
      await settle();
      if (finished) return work;
      if (this.timers.length === 0) throw new Error(`deadlock at t=${this.t}: the work waits, and no timer is set`);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }
}
