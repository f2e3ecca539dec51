/**
 * How many writes apply keeps in flight: a limit that adapts (AIMD) instead
 * of a fixed number, between 1 and a cap (`--parallelism`, default 64).
 *
 * - It starts at 1 and doubles every round trip (one more per write
 *   answered) up to 4 while nothing is refused: a service that admits only a
 *   small burst refuses a write or two at the start, not a whole first wave.
 *   Doubling further overshot: at a budget of 20 writes/s the window reached
 *   60 before the first refusal came back, and 30 writes in flight were refused.
 * - Additive increase: after `limit` writes answered in a row without a
 *   refusal (about one round trip of the current window), one more, as long
 *   as latency stays flat (the smoothed latency within twice the lowest seen,
 *   plus a few ms of scheduling noise). Rising latency means the service (or
 *   the link) queues: more in flight would only wait longer.
 * - Multiplicative decrease: a refusal halves the limit, once per window:
 *   the refusals of writes started before the last decrease are the same news.
 *   Never below `floor` (the writes a pacer needs in flight to send at its
 *   learned pace: rate x latency, with a margin), so the limit never starves a
 *   pacer that keeps the rate on its own.
 *
 * A fixed number was either too few (4 workers at 250 ms a write send 16 writes
 * a second into a budget of 20) or, raised, too many for a service that also
 * limits requests in flight (Exchange: a handful per tenant).
 */

export interface LimitOptions {
  /** Where the limit starts. Default 1. */
  readonly initial?: number;
  /** The most it may reach (`--parallelism`). */
  readonly max: number;
}

const DEFAULT_INITIAL = 1;
/** The limit doubles per round trip up to here, then grows by one per round trip. */
const SLOW_START_UNTIL = 4;
/** Latency is "flat" while the smoothed latency is at most this times the lowest seen... */
const LATENCY_TOLERANCE = 2;
/** ...plus this much (ms): timer and event-loop noise on fast calls. */
const LATENCY_SLACK_MS = 10;
/** Weight of the newest sample in the smoothed latency. */
const SMOOTHING = 0.2;

export class AdaptiveLimit {
  private current: number;
  readonly max: number;
  private answered = 0;
  /** Increments at each decrease; a write carries the epoch it started in. */
  private epochNow = 0;
  private minLatency = Number.POSITIVE_INFINITY;
  private smoothed: number | null = null;
  private refusedOnce = false;

  constructor(options: LimitOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.current = Math.min(this.max, Math.max(1, Math.floor(options.initial ?? DEFAULT_INITIAL)));
  }

  /** Writes that may be in flight now. */
  get limit(): number {
    return this.current;
  }

  /** The window a write starting now belongs to (give it back to refused()). */
  get epoch(): number {
    return this.epochNow;
  }

  /** The smoothed latency of answered writes in ms, or null before the first. */
  get latencyMs(): number | null {
    return this.smoothed;
  }

  /** A write was answered (not refused) after `latencyMs`. */
  succeeded(latencyMs: number): void {
    this.minLatency = Math.min(this.minLatency, latencyMs);
    this.smoothed = this.smoothed === null ? latencyMs : this.smoothed + SMOOTHING * (latencyMs - this.smoothed);
    if (!this.refusedOnce && this.current < SLOW_START_UNTIL) {
      this.current = Math.min(this.max, this.current + 1);
      return;
    }
    if (++this.answered < this.current) return;
    this.answered = 0;
    if (this.smoothed <= this.minLatency * LATENCY_TOLERANCE + LATENCY_SLACK_MS) this.current = Math.min(this.max, this.current + 1);
  }

  /** A write started in `epoch` was refused: halve, once per window, never below `floor` (and never up to it). */
  refused(epoch: number, floor = 1): void {
    if (epoch !== this.epochNow) return;
    this.epochNow++;
    this.refusedOnce = true;
    this.answered = 0;
    this.current = Math.max(1, Math.min(this.current, Math.ceil(floor)), Math.floor(this.current / 2));
  }
}
