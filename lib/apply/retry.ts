/**
 * Retrying provider calls: exponential backoff with full jitter on the
 * tenant's clock, honouring the service's retryAfterMs (Graph 429 Retry-After,
 * EXO micro-delays, R8.2). Writes are retried by the engine, on their
 * service's pacer (pacer.ts); this module retries reads. Throttling is the service asking us to slow down, never
 * a failure, so it is retried without limit; transient errors (5xx, resets)
 * are retried a bounded number of times; everything else fails at once.
 */
import { ProviderError } from "../provider/errors.js";
import type { TenantClock } from "../provider/provider.js";
import type { ActionError } from "./types.js";
import { seededRandom } from "../private/random.js";

export { seededRandom };

export interface RetryPolicy {
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxTransientRetries: number;
}

/** FNV-1a of a string: a per-action seed that does not depend on scheduling order. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Delay before retry number `retry` (1-based): the retryAfterMs the service asked for, else exponential with full jitter. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number, retryAfterMs: number | undefined): number {
  // R7.6: when the service says when to come back, come back then (any later wastes the throttle budget); back off exponentially only without it
  if (retryAfterMs !== undefined && retryAfterMs > 0) return retryAfterMs;
  return fullJitter(policy, retry, random);
}

/**
 * "Full jitter": a delay drawn evenly from [1 ms, base x 2^(retry-1)], capped. Callers that failed
 * together come back spread over the whole window, not together at its end (or at its half, as a
 * half-fixed delay does), so a busy service is not hit by the same crowd again.
 */
export function fullJitter(policy: RetryPolicy, retry: number, random: () => number): number {
  const exp = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.min(retry - 1, 30));
  return Math.max(1, Math.round(random() * exp));
}

export function toActionError(e: unknown): ActionError {
  if (ProviderError.is(e)) return { code: e.code, message: e.message, kind: e.kind };
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: err.name === "Error" ? "InternalError" : err.name, message: err.message, kind: "internal" };
}

/** Thrown by withRetry when a call fails terminally; carries the attempts made. */
export class CallFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly attempts: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly clock: TenantClock;
  readonly random: () => number;
  readonly onRetry: (attempt: number, delayMs: number, error: ActionError) => void;
}

/**
 * Call `fn` until it succeeds or fails terminally. Resolves with its value and
 * the number of calls; rejects with CallFailed.
 */
export async function withRetry<T>(ctx: RetryContext, fn: () => Promise<T>): Promise<{ value: T; attempts: number }> {
  let attempts = 0;
  let transientRetries = 0;
  for (;;) {
    attempts++;
    try {
      return { value: await fn(), attempts };
    } catch (e) {
      if (!ProviderError.is(e) || !e.retryable) throw new CallFailed(e, attempts);
      if (e.kind === "transient" && ++transientRetries > ctx.policy.maxTransientRetries) throw new CallFailed(e, attempts);
      const delay = backoffDelay(ctx.policy, attempts, ctx.random, e.retryAfterMs);
      ctx.onRetry(attempts, delay, toActionError(e));
      await ctx.clock.sleep(delay);
    }
  }
}
