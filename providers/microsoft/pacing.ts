/**
 * Pacing of Exchange reads on the tenant's cmdlet budget, as the service
 * states it: `Rate-Limit-Limit`, `Rate-Limit-Remaining` and `Rate-Limit-Reset`
 * (RFC 3339, when the bucket is full again) on its answers
 * (../shared/docs/microsoft-apis.md §3, "adaptive pacing on Rate-Limit-Remaining").
 *
 * Until the service first refuses a read for its budget, reads go out as
 * they come (the configured concurrency). From the first throttled answer
 * that carries the three headers on, the pacer keeps an estimate of the
 * bucket (level from Remaining, refill rate from Limit - Remaining over the
 * time to Reset, on the provider's clock) and paced reads take turns: each
 * waits until the estimate holds its cost (the items of a $batch, or one
 * page) and at least the Retry-After it was given, is sent, and its answer
 * corrects the estimate before the next one goes. One at a time because a
 * wait that runs while another read is in flight would let the bucket
 * overflow (on a virtual clock a sleep moves the clock at once), and a read
 * sent too early is refused and must wait again: both waste budget.
 *
 * Without the headers (a service that sends only Retry-After) nothing is
 * learned: a throttled read waits its Retry-After and is sent again, as
 * before.
 */

export interface PacerClock {
  /** The provider's clock, in ms (tenant time against a local endpoint, wall time against Microsoft). */
  now(): Promise<number>;
  sleep(ms: number): Promise<void>;
}

/** Answer headers, lower-case names (a fetch Headers or a $batch item's headers). */
export type HeaderLookup = (name: string) => string | null | undefined;

/** Give back a turn taken with acquire(), once the read's answer has been learned from. */
export type Release = () => void;

const NOTHING: Release = () => undefined;

export class BudgetPacer {
  private engaged = false;
  private limit = 0;
  private ratePerMs = 0;
  /** Estimated calls left at `at` (after the reads already sent). */
  private level = 0;
  private at = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly clock: PacerClock) {}

  /** Whether the service has throttled a read and told its budget (reads then take turns). */
  get pacing(): boolean {
    return this.engaged;
  }

  /**
   * Wait until a read costing `cost` calls may go (at least `minWaitMs`, the Retry-After it was
   * given) and reserve its cost. The caller sends it, passes its answer to learn(), then releases.
   */
  async acquire(cost: number, minWaitMs = 0): Promise<Release> {
    if (!this.engaged) {
      if (minWaitMs > 0) await this.clock.sleep(minWaitMs);
      return NOTHING;
    }
    let open!: () => void;
    const turn = new Promise<void>((resolve) => (open = resolve));
    const before = this.tail;
    this.tail = before.then(() => turn);
    await before;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      open();
    };
    try {
      const now = await this.clock.now();
      this.refill(now);
      const need = Math.min(cost, this.limit);
      const wait = Math.max(minWaitMs, this.level >= need ? 0 : Math.ceil((need - this.level) / this.ratePerMs));
      if (wait > 0) {
        await this.clock.sleep(wait);
        this.refill(now + wait);
      }
      this.level -= need;
      return release;
    } catch (e) {
      release();
      throw e;
    }
  }

  /**
   * Learn from an answer to a paced read (or to any read once `throttled`): the bucket as the
   * service reports it. A throttled answer with the three headers starts the pacing.
   */
  async learn(header: HeaderLookup, throttled: boolean): Promise<void> {
    if (!this.engaged && !throttled) return;
    const limit = Number(header("rate-limit-limit") ?? Number.NaN);
    const remaining = Number(header("rate-limit-remaining") ?? Number.NaN);
    const reset = Date.parse(header("rate-limit-reset") ?? "");
    if (!(limit > 0) || !(remaining >= 0) || Number.isNaN(reset)) return;
    const now = await this.clock.now();
    if (reset > now && remaining < limit) this.ratePerMs = (limit - remaining) / (reset - now);
    if (!(this.ratePerMs > 0)) return; // a full bucket says nothing of the rate yet
    this.limit = limit;
    this.level = Math.min(remaining, limit);
    this.at = now;
    this.engaged = true;
  }

  private refill(now: number): void {
    if (now <= this.at) return;
    this.level = Math.min(this.limit, this.level + (now - this.at) * this.ratePerMs);
    this.at = now;
  }
}
