/**
 * Settling by reading: whether an action's effect is in place, from reads that
 * may lag the writes (provider.consistency "eventual", lib/provider/provider.ts).
 *
 * Against a strongly consistent provider (the default) one read decides.
 * Against an eventually consistent one:
 * - "is it absent?" is answered only after up to `reads` reads, the first at
 *   once, then after `delayMs`, 2 x delayMs, 4 x delayMs... of tenant time
 *   (default 5 reads over 3 + 6 + 12 + 24 = 45 s, the lag window), stopping
 *   at the first read that shows the effect. Used where a write may have
 *   happened: a write that failed transiently (its outcome unknown), a
 *   half-run action of an interrupted apply, a conflict or notFound refusal,
 *   the verification after apply.
 * - "is it present?" is trusted only once the lag window has passed since the
 *   last write this apply made to the same target for another action: a read
 *   within it may show the state before that write, which can look like this
 *   action's effect (a temporary license assigned, then removed: a stale read
 *   of the user shows no license, as if the removal were done). Before that, the
 *   reader waits out the window and reads again.
 * - A resumed apply first waits out the window once: the interrupted run's last
 *   writes may not show yet, and their journal entries may be lost.
 * - A write refused (notFound, conflict, precondition) within the window after
 *   this apply's write to its target, or to the target of an action it depends
 *   on, is run once more after the window (engine.ts): the backend it reached
 *   may not have seen that write (a user created a moment ago "does not exist").
 * docs/decisions/0004 ("Writes whose outcome is unknown") has the reasoning.
 */
import type { PlanAction } from "../plan/types.js";
import type { ITenantProvider, TenantClock } from "../provider/provider.js";
import { isDone, type EffectReader } from "./execute.js";
import { withRetry, type RetryContext } from "./retry.js";

export const SETTLE_DEFAULTS = {
  /** Reads before an effect is called absent against an eventually consistent provider. */
  reads: 5,
  /** Wait before the second read; doubles for each next one. */
  delayMs: 3000,
} as const;

export interface SettleOptions {
  readonly settleReads?: number;
  readonly settleDelayMs?: number;
}

export class SettlePolicy {
  readonly eventual: boolean;
  /** Reads before an effect is called absent (1 against a strongly consistent provider). */
  readonly reads: number;
  readonly delayMs: number;

  constructor(provider: Pick<ITenantProvider, "consistency">, options: SettleOptions = {}) {
    this.eventual = provider.consistency === "eventual";
    this.reads = this.eventual ? Math.max(1, Math.floor(options.settleReads ?? SETTLE_DEFAULTS.reads)) : 1;
    this.delayMs = Math.max(0, options.settleDelayMs ?? SETTLE_DEFAULTS.delayMs);
  }

  /** The wait after read number `n` (1-based) before the next one. */
  delayAfter(n: number): number {
    return this.delayMs * 2 ** Math.min(n - 1, 30);
  }

  /** How long reads may lag writes, as far as apply assumes: the span of the reads (0 when strongly consistent). */
  get windowMs(): number {
    if (!this.eventual) return 0;
    let sum = 0;
    for (let n = 1; n < this.reads; n++) sum += this.delayAfter(n);
    return sum;
  }

  /**
   * Read `probe` until `settled(value)` or `reads` reads were made, waiting
   * delayAfter(n) of tenant time between reads; the last value read.
   */
  async poll<T>(clock: TenantClock, probe: () => Promise<T>, settled: (value: T) => boolean): Promise<{ value: T; reads: number }> {
    for (let n = 1; ; n++) {
      const value = await probe();
      if (settled(value) || n >= this.reads) return { value, reads: n };
      await clock.sleep(this.delayAfter(n));
    }
  }
}

export interface ReadDoneOptions {
  /** Re-read with backoff before calling the effect absent (a write may have happened). */
  readonly poll: boolean;
  /**
   * Tenant time (ms) of this apply's last write to the action's target for another action, or
   * null: a read showing the effect is trusted only once the window since then has passed.
   */
  readonly since: number | null;
}

/**
 * Whether the action's effect is in place (isDone, each read retried as
 * `ctx` says), settled under `policy`. null: the effect cannot be read
 * (user.resetPassword). Rejects as withRetry does when a read fails.
 */
export async function readDone(reader: EffectReader, action: PlanAction, ctx: RetryContext, policy: SettlePolicy, options: ReadDoneOptions): Promise<boolean | null> {
  const read = async () => (await withRetry(ctx, () => isDone(reader, action))).value;
  if (!policy.eventual) return read();
  const trustFrom = options.since === null ? null : options.since + policy.windowMs;
  for (let n = 1; ; n++) {
    const done = await read();
    if (done === null) return null;
    if (done) {
      const now = trustFrom === null ? 0 : (await ctx.clock.now()).getTime();
      if (trustFrom === null || now >= trustFrom) return true;
      // this may be the state before our own earlier write to the target: look again once reads show it
      await ctx.clock.sleep(trustFrom - now);
      continue;
    }
    if (!options.poll || n >= policy.reads) return false;
    await ctx.clock.sleep(policy.delayAfter(n));
  }
}
