import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdaptiveLimit } from "../../lib/apply/concurrency.js";

/** Answer `n` writes at `latencyMs` each. */
function answer(limit: AdaptiveLimit, n: number, latencyMs = 250): void {
  for (let i = 0; i < n; i++) limit.succeeded(latencyMs);
}

describe("the adaptive limit of writes in flight", () => {
  it("starts at 1 and doubles every round trip up to 4 while nothing is refused", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    expect(limit.limit).toBe(1);
    answer(limit, 1);
    expect(limit.limit).toBe(2);
    answer(limit, 2);
    expect(limit.limit).toBe(4);
  });

  it("then grows by one per window of answered writes while latency stays flat", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    answer(limit, 3);
    expect(limit.limit).toBe(4);
    answer(limit, 3);
    expect(limit.limit).toBe(4); // a window is `limit` answers
    answer(limit, 1);
    expect(limit.limit).toBe(5);
    answer(limit, 5 + 6 + 7);
    expect(limit.limit).toBe(8);
  });

  it("stops growing when latency rises (the service queues: more in flight would only wait longer)", () => {
    const limit = new AdaptiveLimit({ max: 64 });
    answer(limit, 3, 100);
    expect(limit.limit).toBe(4);
    answer(limit, 40, 1000);
    expect(limit.limit).toBe(4);
  });

  it("halves on a refusal", () => {
    const limit = new AdaptiveLimit({ max: 64, initial: 20 });
    limit.refused(limit.epoch);
    expect(limit.limit).toBe(10);
    limit.refused(limit.epoch);
    expect(limit.limit).toBe(5);
  });

  it("halves once per window: refusals of writes started before the cut are the same news", () => {
    const limit = new AdaptiveLimit({ max: 64, initial: 16 });
    const startedBefore = limit.epoch;
    limit.refused(startedBefore);
    limit.refused(startedBefore);
    limit.refused(startedBefore);
    expect(limit.limit).toBe(8);
  });

  it("never halves below the floor a pacer needs to keep its pace, nor below 1", () => {
    const limit = new AdaptiveLimit({ max: 64, initial: 12 });
    limit.refused(limit.epoch, 10);
    expect(limit.limit).toBe(10);
    const small = new AdaptiveLimit({ max: 64, initial: 1 });
    small.refused(small.epoch);
    expect(small.limit).toBe(1);
  });

  it("never exceeds its cap (--parallelism)", () => {
    const limit = new AdaptiveLimit({ max: 3 });
    answer(limit, 500);
    expect(limit.limit).toBe(3);
    limit.refused(limit.epoch, 50);
    expect(limit.limit).toBe(3);
  });

  it("stays between 1 and its cap whatever the answers, latencies, refusals and floors", () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant("answer" as const), latencyMs: fc.integer({ min: 0, max: 5000 }) }),
      fc.record({ kind: fc.constant("refuse" as const), stale: fc.boolean(), floor: fc.integer({ min: 0, max: 200 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(event, { maxLength: 300 }), (max, events) => {
        const limit = new AdaptiveLimit({ max });
        let previous = limit.limit;
        for (const e of events) {
          if (e.kind === "answer") {
            limit.succeeded(e.latencyMs);
            // an answer never lowers the limit, and raises it by one at most
            expect(limit.limit - previous).toBeGreaterThanOrEqual(0);
            expect(limit.limit - previous).toBeLessThanOrEqual(1);
          } else {
            limit.refused(e.stale ? limit.epoch - 1 : limit.epoch, e.floor);
            // a refusal never raises the limit
            expect(limit.limit).toBeLessThanOrEqual(previous);
          }
          expect(limit.limit).toBeGreaterThanOrEqual(1);
          expect(limit.limit).toBeLessThanOrEqual(max);
          previous = limit.limit;
        }
      }),
      { seed: 15 },
    );
  });
});
