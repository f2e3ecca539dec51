/**
 * Faults on the wire of the local endpoint: a request answered 503/504
 * without being run, a write run and its response lost, a connection reset
 * after the request ran, a response held back. Deterministic: the same seed
 * and the same sequence of decide() calls give the same faults.
 *
 * Draws. Each kind of fault has its own mulberry32 sequence, seeded from
 * `settings.seed` XOR a salt of its own (so none mirrors the tenant's
 * transient-fault sequence, which starts from the bare seed, nor another
 * kind's). On every decide() call, in this fixed order:
 *   1. error         when wireErrorRate > 0: one draw; below the rate, a second draw
 *                    from the same sequence picks the status (below 0.5: 503, else 504);
 *   2. lostResponse  when the call writes and wireLostResponseRate > 0: one draw;
 *   3. reset         when wireResetRate > 0: one draw;
 *   4. slow          when wireSlowRate > 0: one draw.
 * Every applicable kind draws on every call, even when an earlier kind has already hit;
 * the first kind hit in that order is the answer. So a kind's sequence advances only
 * while its rate is above 0 (for lostResponse: on writes), and turning one kind on,
 * off or to another rate never changes which calls the other kinds hit (an earlier
 * kind may only mask a later one on the same call). Raising a rate only adds hits.
 * A change of seed restarts every sequence. One WireFaults lives per endpoint process.
 *
 * Slowness is WALL time (`wireSlowMs`): it is about client timeouts, not the tenant
 * clock. A slow hit with wireSlowMs 0 answers "none".
 */
import type { FaultSettings } from "../simulated/index.js";
import { nextRandom } from "../../lib/private/random.js";

export type WireFault = { kind: "none" } | { kind: "error"; status: 503 | 504 } | { kind: "slow"; ms: number } | { kind: "reset" } | { kind: "lostResponse" };

type Kind = "error" | "lostResponse" | "reset" | "slow";

/** Salts XOR-ed into the seed, one per kind ("WIRE" then the kind's initial, in ASCII). */
const SALT: Readonly<Record<Kind, number>> = {
  error: 0x57495245 ^ 0x45,
  lostResponse: 0x57495245 ^ 0x4c00,
  reset: 0x57495245 ^ 0x520000,
  slow: 0x57495245 ^ 0x53000000,
};

const NONE: WireFault = { kind: "none" };

export class WireFaults {
  private seed: number | null = null;
  private readonly state = new Map<Kind, number>();

  constructor(private readonly deps: { readonly settings: () => FaultSettings }) {}

  /** The fault for one request (see the header for the draws). */
  decide(write: boolean): WireFault {
    const settings = this.deps.settings();
    if (settings.seed !== this.seed) this.restart(settings.seed);
    const error = settings.wireErrorRate > 0 && this.draw("error") < settings.wireErrorRate;
    const status = error ? (this.draw("error") < 0.5 ? 503 : 504) : null;
    const lost = write && settings.wireLostResponseRate > 0 && this.draw("lostResponse") < settings.wireLostResponseRate;
    const reset = settings.wireResetRate > 0 && this.draw("reset") < settings.wireResetRate;
    const slow = settings.wireSlowRate > 0 && this.draw("slow") < settings.wireSlowRate;
    if (status !== null) return { kind: "error", status };
    if (lost) return { kind: "lostResponse" };
    if (reset) return { kind: "reset" };
    if (slow && settings.wireSlowMs > 0) return { kind: "slow", ms: settings.wireSlowMs };
    return NONE;
  }

  private restart(seed: number): void {
    this.seed = seed;
    for (const kind of Object.keys(SALT) as Kind[]) this.state.set(kind, (seed ^ SALT[kind]) >>> 0);
  }

  private draw(kind: Kind): number {
    const next = nextRandom(this.state.get(kind) ?? 0);
    this.state.set(kind, next.state);
    return next.value;
  }
}
