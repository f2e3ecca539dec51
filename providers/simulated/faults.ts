/**
 * Fault injection for the simulated tenant: pure functions over a persisted
 * state, so the same seed and the same sequence of calls on the same tenant
 * clock give the same faults, across processes.
 *
 * - Throttling: a token bucket on writes, refilled on the TENANT clock
 *   (writesPerSecond, burst). An empty bucket answers like Graph's 429
 *   (R7.6): code TooManyRequests with a Retry-After computed from the bucket.
 *   A refused call takes no token.
 * - Transient failures: a seeded PRNG (mulberry32) draws once per write;
 *   below transientRate the write fails with ServiceUnavailable.
 */
import type { FaultSettings } from "./fixture.js";
import { nextRandom } from "../../lib/private/random.js";

export { nextRandom };

/** What survives between calls and processes (stored in the tenant db). */
export interface FaultState {
  /** PRNG state (uint32). */
  rng: number;
  /** Tokens in the bucket. */
  tokens: number;
  /** Tenant time (ms) of the last refill; null before the first write. */
  refilledAt: number | null;
}

export function initialFaultState(settings: FaultSettings): FaultState {
  return { rng: settings.seed >>> 0, tokens: settings.burst, refilledAt: null };
}

export type FaultDecision =
  | { readonly fault: null }
  | { readonly fault: "throttled"; readonly retryAfterMs: number }
  | { readonly fault: "transient" };

/**
 * Decide the fate of one write at tenant time `nowMs`. Mutates `state`
 * (bucket and PRNG advance), which the caller persists whatever the outcome.
 */
export function decideWrite(settings: FaultSettings, state: FaultState, nowMs: number): FaultDecision {
  if (settings.writesPerSecond !== null) {
    const rate = settings.writesPerSecond / 1000; // tokens per ms
    const elapsed = state.refilledAt === null ? 0 : Math.max(0, nowMs - state.refilledAt);
    state.tokens = Math.min(settings.burst, state.tokens + elapsed * rate);
    state.refilledAt = nowMs;
    if (state.tokens < 1) {
      return { fault: "throttled", retryAfterMs: Math.max(1, Math.ceil((1 - state.tokens) / rate)) };
    }
    state.tokens -= 1;
  }
  if (settings.transientRate > 0) {
    const draw = nextRandom(state.rng);
    state.rng = draw.state;
    if (draw.value < settings.transientRate) return { fault: "transient" };
  }
  return { fault: null };
}
