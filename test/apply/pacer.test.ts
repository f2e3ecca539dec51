import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WritePacer } from "../../lib/apply/pacer.js";
import { decideWrite, initialFaultState } from "../../providers/simulated/faults.js";
import { DEFAULT_FAULTS } from "../../providers/simulated/index.js";
import { ManualClock } from "./manual-clock.js";

interface Budget {
  readonly writesPerSecond: number;
  readonly burst: number;
  readonly latencyMs: number;
}

/**
 * A write budget on the manual clock: the simulated tenant's own token bucket (providers/simulated/faults.ts),
 * deciding each write after its latency, as the tenant does. Counts what it admitted and refused.
 */
function budgetService(clock: ManualClock, budget: Budget) {
  const settings = { ...DEFAULT_FAULTS, writesPerSecond: budget.writesPerSecond, burst: budget.burst };
  const state = initialFaultState(settings);
  const counts = { admitted: 0, refused: 0, firstAt: null as number | null, lastAt: 0 };
  return {
    counts,
    /** null when admitted, else the Retry-After of the refusal. */
    async write(): Promise<number | null> {
      await clock.sleep(budget.latencyMs);
      const decision = decideWrite(settings, state, clock.t);
      if (decision.fault === "throttled") {
        counts.refused++;
        return decision.retryAfterMs;
      }
      counts.admitted++;
      counts.firstAt ??= clock.t;
      counts.lastAt = clock.t;
      return null;
    },
    /** Admitted writes over what the budget offered from the first to the last (as bench/paced-apply.ts measures). */
    budgetUse(): number {
      return counts.admitted / (budget.burst + (budget.writesPerSecond * (counts.lastAt - (counts.firstAt ?? 0))) / 1000);
    },
  };
}

/** `workers` workers share `writes` writes, each sent through the pacer until the service admits it. */
async function drive(budget: Budget, workers: number, writes: number) {
  const clock = new ManualClock();
  const pacer = new WritePacer(clock);
  const service = budgetService(clock, budget);
  let next = 0;
  const worker = async () => {
    while (next < writes) {
      next++;
      let retry = false;
      for (;;) {
        await pacer.acquire(retry);
        const retryAfter = await service.write();
        if (retryAfter === null) {
          pacer.admit();
          break;
        }
        await pacer.refuse(retryAfter, { latencyMs: budget.latencyMs, again: retry });
        retry = true;
      }
    }
  };
  await clock.run(Promise.all(Array.from({ length: workers }, worker)));
  return { clock, pacer, service };
}

describe("the write pacer", () => {
  it("lets writes go at once, and never sleeps, while the service has refused nothing", async () => {
    const clock = new ManualClock();
    const pacer = new WritePacer(clock);
    const sleeps: number[] = [];
    const sleep = clock.sleep;
    clock.sleep = (ms) => (sleeps.push(ms), sleep(ms));
    await Promise.all(Array.from({ length: 100 }, () => pacer.acquire()));
    expect(sleeps).toEqual([]);
    expect(pacer.writesPerSecond).toBeNull();
  });

  it("after a refusal sends nothing before its Retry-After, and then the refused write first", async () => {
    const clock = new ManualClock();
    const pacer = new WritePacer(clock);
    await pacer.acquire();
    pacer.admit();
    clock.t = 1000;
    const waitMs = await pacer.refuse(500);
    expect(waitMs).toBe(500);
    const released: string[] = [];
    const fresh = pacer.acquire().then(() => released.push(`fresh at ${clock.t}`));
    const retried = pacer.acquire(true).then(() => released.push(`retried at ${clock.t}`));
    await clock.run(Promise.all([fresh, retried]));
    expect(released[0]).toBe("retried at 1500");
    expect(released[1]).toMatch(/^fresh at \d+$/);
    expect(Number(released[1]!.split(" ")[2])).toBeGreaterThan(1500);
  });

  it.each([
    { writesPerSecond: 20, burst: 20, latencyMs: 250, workers: 10, writes: 600 },
    { writesPerSecond: 2, burst: 2, latencyMs: 250, workers: 4, writes: 120 },
    { writesPerSecond: 200, burst: 10, latencyMs: 20, workers: 16, writes: 2000 },
  ])(
    "learns a budget of $writesPerSecond writes/s from its refusals and uses at least 95% of it, with at most 5% of writes refused",
    async ({ writes, workers, ...budget }) => {
      const { pacer, service } = await drive(budget, workers, writes);
      expect(service.counts.admitted).toBe(writes);
      expect(service.budgetUse()).toBeGreaterThanOrEqual(0.95);
      expect(service.counts.refused / (writes + service.counts.refused)).toBeLessThanOrEqual(0.05);
      expect(pacer.writesPerSecond! / budget.writesPerSecond).toBeCloseTo(1, 1);
    },
  );

  it("does not take time no write was waiting as a measure of the budget (a long mailbox.wait between two refusals)", async () => {
    const clock = new ManualClock();
    const pacer = new WritePacer(clock);
    const service = budgetService(clock, { writesPerSecond: 5, burst: 5, latencyMs: 0 });
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) {
        for (let retry = false; ; retry = true) {
          await pacer.acquire(retry);
          const retryAfter = await service.write();
          if (retryAfter === null) break;
          await pacer.refuse(retryAfter, { latencyMs: 0, again: retry });
        }
        pacer.admit();
      }
    };
    await clock.run(burst(40));
    clock.t += 25 * 60_000; // nobody writes for 25 minutes
    await clock.run(burst(40));
    expect(pacer.writesPerSecond! / 5).toBeCloseTo(1, 1);
  });

  it("releases waiting writes one at a time, spaced by the learned pace: no two workers at the same instant", async () => {
    const { clock, pacer } = await drive({ writesPerSecond: 10, burst: 10, latencyMs: 100 }, 8, 100);
    const releases: number[] = [];
    await clock.run(Promise.all(Array.from({ length: 20 }, () => pacer.acquire().then(() => releases.push(clock.t)))));
    const gaps = releases.slice(1).map((t, i) => t - releases[i]!);
    expect(new Set(releases).size).toBe(releases.length);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(80);
  });

  it("rejects the writes waiting for their turn when its wait is interrupted", async () => {
    const clock = new ManualClock();
    const pacer = new WritePacer(clock);
    await pacer.acquire();
    await pacer.refuse(1000);
    clock.failSleepsWith = new Error("interrupted");
    await expect(pacer.acquire()).rejects.toThrow("interrupted");
  });

  it("admits every write exactly once and keeps refusals to a small share, whatever the budget, burst, latency and workers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          writesPerSecond: fc.integer({ min: 1, max: 100 }),
          burst: fc.integer({ min: 1, max: 30 }),
          latencyMs: fc.integer({ min: 0, max: 500 }),
          workers: fc.integer({ min: 1, max: 16 }),
        }),
        async ({ workers, ...budget }) => {
          const writes = 200;
          const { service } = await drive(budget, workers, writes);
          expect(service.counts.admitted).toBe(writes);
          // learning a budget takes a refusal or two per worker on the wire at the first one, more after a large burst (its first
          // guess is high); after that, a few per hundred
          expect(service.counts.refused).toBeLessThanOrEqual(workers + 0.15 * writes);
        },
      ),
      { numRuns: 40, seed: 15 },
    );
  });
});
