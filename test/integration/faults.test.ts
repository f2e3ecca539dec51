import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import { committedWrites, contosoDesired, createTenant, exactlyOnceProblems, leftover, orderProblems, planAgainst, planWrites, refusedWrites, tempDir } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("applying the contoso plan to a throttling, flaky simulated tenant", () => {
  // three seeds: a different sequence of transient failures each time, same outcome
  it.each([7, 42, 2026])("converges at 2 writes/s with one write in ten failing transiently (seed %i), each write committed exactly once", async (seed) => {
    const dir = tempDir("faults");
    dirs.push(dir);
    const tenant = createTenant(dir);
    try {
      const desired = contosoDesired();
      const doc = await planAgainst(tenant, desired);
      const writes = planWrites(doc).size;
      expect(doc.actions.length).toBeGreaterThanOrEqual(30);
      tenant.setFaults({ writesPerSecond: 2, burst: 2, transientRate: 0.1, seed });
      const startSeq = tenant.readLog({ limit: 1 })[0]!.seq;
      const clockBefore = tenant.nowMs();

      const result = await applyPlan(doc, tenant, { seed });

      expect(result.summary).toMatchObject({ failed: 0, notStarted: 0, done: doc.actions.length });
      expect(result.converged).toBe(true);
      const log = tenant.readLog({ afterSeq: startSeq });
      // the faults really happened, or this test would prove nothing
      expect(refusedWrites(log, "throttled").length).toBeGreaterThan(5);
      expect(refusedWrites(log, "transient").length).toBeGreaterThan(0);
      // pacing: beyond the burst of 2, at most 2 writes per second of tenant time
      expect(tenant.nowMs() - clockBefore).toBeGreaterThanOrEqual(((writes - 2) / 2) * 1000);
      expect(committedWrites(log)).toHaveLength(writes);
      expect(exactlyOnceProblems(doc, log)).toEqual([]);
      expect(orderProblems(doc, log)).toEqual([]);
      tenant.clearFaults();
      const left = await leftover(tenant, desired);
      expect(left.replan.map((a) => a.id)).toEqual([]);
      expect(left.drift).toEqual([]);
    } finally {
      tenant.close();
    }
  });
});
