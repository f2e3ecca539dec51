/**
 * A client-side pacer for one service's write budget (Graph, Exchange): a
 * token bucket whose rate is learned from the service's refusals, so that
 * apply sends writes at the pace the service admits them instead of finding
 * the limit again with every worker.
 *
 * Why: a fixed number of workers either leaves budget unused (4 workers at
 * 250 ms a write send 16 a second into a budget of 20) or, with more workers,
 * overruns it and every worker retries at exactly the Retry-After it was
 * given, together, to be refused together again (1.5 refusals per write with
 * 16 workers, 3 per write at 2 writes/s).
 *
 * How:
 * - Until the service first refuses a write, writes go out as they come:
 *   nothing is known, and acquire() costs nothing (no clock read).
 * - A refusal means the service's bucket holds less than a token at that
 *   moment, and its Retry-After says when it holds one: the refusal's "token
 *   time". Nothing is sent before it, and the refused write goes first then.
 *   Between two token times the service admitted exactly what it refilled, so
 *   admitted / (difference of token times) is the rate: exact when the
 *   Retry-After is (Graph's is fractional, to the ms; the simulated tenant's
 *   too), within a second at each end when it is rounded up to whole seconds
 *   (Exchange), which the window (the last MAX_HISTORY refusals) dilutes.
 *   Without Retry-After the refusal's own time stands in for it. Time when
 *   no write was waiting for the open gate is left out: the service refilled
 *   then and nobody drew on it, so it says nothing of the rate. A window too
 *   small to measure (MIN_SAMPLE) keeps the estimate it had: a window of one
 *   or two writes read 66 writes/s from a budget of 200, and pacing at a low
 *   estimate is never refused, so never corrected but by the slow probe.
 * - Pacing at the rate would never be refused again, and a rate that changed
 *   (or an estimate a little low, the service's bucket filling between
 *   refusals) would never be learned: a slow probe (PROBE_PER_WRITE) lifts
 *   the pace while nothing is refused, so a refusal comes every few dozen
 *   writes at most and keeps the estimate current.
 * - The first refusal has no earlier one: the rate since the first write
 *   (which includes the service's burst, so it is high: a high guess is
 *   corrected by the next refusals, a low one only by the probe), or, when no
 *   time has passed, one write per Retry-After. A guess inflated by a large
 *   burst can be so high that no window between refusals is big enough to
 *   measure: twice as many refusals as admissions over 2 x MIN_SAMPLE
 *   refusals halve it, once, and the measure starts afresh.
 * - Writes take turns through one dispatcher at the learned pace, so no two
 *   workers are released at the same instant and concurrent waits do not add
 *   up on a virtual clock (one sleeper).
 * - Writes already on the wire when a refusal comes back reach the service
 *   before any write released after it, and take the next tokens: at the
 *   first refusal (they were sent unpaced) the gate opens after them, not at
 *   the bare Retry-After, and a write refused a second time waits one more
 *   token's time (else it finds its token taken again).
 *
 * Rate-Limit-* headers, where a provider reads them (the Microsoft provider
 * paces its own Exchange reads on them: providers/microsoft/pacing.ts), do
 * not reach the engine through the provider contract; the refusals do.
 */
import type { TenantClock } from "../provider/provider.js";

/** Refusals kept to measure the rate between (the oldest within HISTORY_MS is used). */
const MAX_HISTORY = 16;
const HISTORY_MS = 120_000;
/**
 * A measure needs this many writes admitted in its window, and a window of this many times the
 * Retry-After's resolution (1 ms, or 1 s when the service gives whole seconds): a window of 3
 * writes, or of 2 s against whole seconds, can be off by half, and a low estimate is slow to correct.
 */
const MIN_SAMPLE = 4;
const MIN_WINDOW_RESOLUTIONS = 10;
/** Pace above the estimate per write admitted since the last refusal (0.05%, without bound). */
const PROBE_PER_WRITE = 0.0005;
/** Without a Retry-After, the first wait after a refusal. */
const DEFAULT_RETRY_AFTER_MS = 1000;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class WritePacer {
  /** Learned writes per ms; null until the first refusal. */
  private rate: number | null = null;
  /** Earliest tenant time (ms) the next write may go. */
  private gate = 0;
  private readonly queue: Waiter[] = [];
  private dispatching = false;
  /** Writes released; released minus admitted and refused are on the wire. */
  private released = 0;
  /** Writes the service answered without refusing (a transient failure took its token too). */
  private admitted = 0;
  private admittedAtLastRefusal = 0;
  private refused = 0;
  /** Refusals as (token time in tenant ms; admitted, refused and idle time then), oldest first. */
  private readonly history: Array<{ readonly at: number; readonly admitted: number; readonly refused: number; readonly idle: number }> = [];
  /** Time (ms) the gate stood open with no write waiting: the service refilled and nobody drew on it. */
  private idle = 0;
  private startedAt: number | null = null;
  private startRead: Promise<void> | null = null;
  /** Set by the first refusal: from then on every write takes its turn. */
  private engaged = false;
  /** A refusal being learned from (its clock read): no write is released meanwhile. */
  private learning: Promise<unknown> = Promise.resolve();

  constructor(private readonly clock: TenantClock) {}

  /** The learned budget in writes per second, or null while the service has refused nothing. */
  get writesPerSecond(): number | null {
    return this.rate === null ? null : this.rate * 1000;
  }

  /**
   * Wait for a turn to send one write. `retry`: a write the service refused, which goes before
   * the writes that have not been tried yet. Rejects when a wait on the clock rejects (interrupted).
   */
  acquire(retry = false): Promise<void> {
    if (!this.engaged) {
      // nothing learned: go now; the first write's time is read once, for the first estimate
      this.startRead ??= this.clock.now().then(
        (d) => void (this.startedAt ??= d.getTime()),
        () => undefined,
      );
      this.released++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      if (retry) this.queue.unshift(waiter);
      else this.queue.push(waiter);
      void this.dispatch();
    });
  }

  /** The service answered a write without refusing it (done, failed, or of unknown outcome). */
  admit(): void {
    this.admitted++;
  }

  /**
   * The service refused a write for its budget, asking to come back after `retryAfterMs`. Writes
   * wait from this call on (not only once the clock is read); resolves with how long from now the
   * next write waits. `latencyMs`: how long writes take (bounds the wait for writes on the wire);
   * `again`: the write had been refused before.
   */
  refuse(retryAfterMs: number | undefined, options: { readonly latencyMs?: number | null; readonly again?: boolean } = {}): Promise<number> {
    this.engaged = true;
    this.refused++;
    const learned = this.learning.then(() => this.clock.now()).then((now) => this.learn(now.getTime(), retryAfterMs, options.latencyMs ?? null, options.again ?? false));
    this.learning = learned.catch(() => undefined);
    return learned;
  }

  private learn(nowMs: number, retryAfterMs: number | undefined, latencyMs: number | null, again: boolean): number {
    const told = retryAfterMs !== undefined && retryAfterMs > 0;
    const wait = told ? retryAfterMs : DEFAULT_RETRY_AFTER_MS;
    const tokenAt = nowMs + (told ? retryAfterMs : 0);
    const first = this.history.length === 0;
    const measured = this.estimate(tokenAt, wait, told && retryAfterMs % 1000 === 0 ? 1000 : 1);
    const oldest = this.history[0];
    // too few admitted to measure, and refused twice as often: far too fast (a first guess inflated by
    // a large burst). Halve, and measure afresh from here, so one storm halves once
    const refusedSince = oldest === undefined ? 0 : this.refused - oldest.refused;
    const storm = measured === null && oldest !== undefined && refusedSince >= 2 * MIN_SAMPLE && refusedSince > 2 * (this.admitted - oldest.admitted);
    this.rate = measured ?? (storm && this.rate !== null ? this.rate / 2 : this.rate);
    if (storm) this.history.length = 0;
    this.history.push({ at: tokenAt, admitted: this.admitted, refused: this.refused, idle: this.idle });
    while (this.history.length > MAX_HISTORY || (this.history.length > 1 && tokenAt - this.history[0]!.at > HISTORY_MS)) this.history.shift();
    this.admittedAtLastRefusal = this.admitted;
    // at the first refusal, the writes already on the wire were sent unpaced: they reach the service
    // first and take the next tokens, so go after them (but not after more than one latency: they are
    // all decided by then). Later, writes on the wire go at the pace and the Retry-After stands.
    const onTheWire = this.released - this.admitted - this.refused;
    const after = first && this.rate !== null && onTheWire > 0 ? Math.min(onTheWire / this.rate, latencyMs ?? Number.POSITIVE_INFINITY) : 0;
    // a write refused again was beaten to its token by writes on the wire: leave it one more token's time
    const margin = again && this.rate !== null ? 1 / this.rate : 0;
    this.gate = Math.max(this.gate, nowMs + wait + after + margin);
    return Math.ceil(this.gate - nowMs);
  }

  /**
   * Writes per ms: measured between token times, else (the first refusal) the rate since the first
   * write, which includes the service's burst and is high (the next refusal corrects it), or one
   * write per Retry-After. null: the window since the oldest refusal kept is too small to measure.
   */
  private estimate(tokenAt: number, retryAfterMs: number, resolutionMs: number): number | null {
    const oldest = this.history[0];
    if (oldest !== undefined) {
      // time nobody drew on the budget is no measure of it (a mailbox.wait of 25 minutes between two refusals)
      const busy = tokenAt - oldest.at - (this.idle - oldest.idle);
      const admitted = this.admitted - oldest.admitted;
      return admitted >= MIN_SAMPLE && busy >= MIN_WINDOW_RESOLUTIONS * resolutionMs ? admitted / busy : null;
    }
    if (this.startedAt !== null && tokenAt > this.startedAt && this.admitted > 0) return this.admitted / (tokenAt - this.startedAt);
    return 1 / retryAfterMs;
  }

  /** The gap between writes now: the estimate, lifted slowly while nothing is refused. */
  private interval(): number {
    if (this.rate === null) return 0;
    const probe = PROBE_PER_WRITE * (this.admitted - this.admittedAtLastRefusal);
    return 1 / (this.rate * (1 + probe));
  }

  /** Release waiters one at a time, each when the gate opens; the only sleeper. */
  private async dispatch(): Promise<void> {
    if (this.dispatching) return;
    this.dispatching = true;
    // woken by a write after nobody waited: the time the gate stood open since is idle
    let woken = true;
    try {
      while (this.queue.length > 0) {
        await this.learning;
        const now = (await this.clock.now()).getTime();
        if (now < this.gate) {
          // whole ms: a tenant clock moved by fractions compares unlike Date (which truncates) with readyAt times
          await this.clock.sleep(Math.ceil(this.gate - now));
          continue;
        }
        // the gate stood open and nobody waited: that time measures nothing (a late timer is not idle)
        if (woken && now > this.gate) this.idle += now - this.gate;
        woken = false;
        const interval = this.interval();
        // a dispatcher woken late may catch up by one gap, never more (no burst after an idle spell)
        this.gate = Math.max(this.gate, now - interval) + interval;
        this.released++;
        this.queue.shift()!.resolve();
      }
    } catch (e) {
      for (const waiter of this.queue.splice(0)) waiter.reject(e);
    } finally {
      this.dispatching = false;
    }
  }
}

/** A pacer per service budget, made on first use. */
export class Pacers {
  private readonly byService = new Map<string, WritePacer>();

  constructor(private readonly clock: TenantClock) {}

  of(service: string): WritePacer {
    let pacer = this.byService.get(service);
    if (!pacer) this.byService.set(service, (pacer = new WritePacer(this.clock)));
    return pacer;
  }
}
