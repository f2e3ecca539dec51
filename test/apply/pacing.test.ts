/**
 * Apply at the service's pace (pacer.ts, concurrency.ts) through the engine:
 * against the simulated tenant's write budget (virtual clock: the pacer is
 * the one sleeper, so tenant time is the budget's time) and the fake provider.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan, type ApplyEvent } from "../../lib/apply/index.js";
import { desiredFrom, committedWrites, createTenant, exactlyOnceProblems, planAgainst, refusedWrites, tempDir } from "../integration/helpers.js";
import { generateScenario } from "../../scripts/gen/index.js";
import { FakeProvider, mailbox, user } from "../util/fake-provider.js";
import { buildPlan, contoso, FAST, type ActionSpec } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A generated tenant whose desired state adds `mailboxes` x `grantsPerMailbox` grants, each one write. */
async function grantsToApply(mailboxes: number, grantsPerMailbox: number) {
  const dir = tempDir("pacing");
  dirs.push(dir);
  const { fixture, desired } = generateScenario({ mailboxes, grantsPerMailbox, drift: 0, seed: 3 });
  const tenant = createTenant(dir, { ...fixture, grants: [] });
  const doc = await planAgainst(tenant, desiredFrom(desired, "generated"));
  return { tenant, doc };
}

describe("apply at the service's pace", () => {
  it("applies every action exactly once under a write budget, sending at the budget's pace with few refusals", async () => {
    const { tenant, doc } = await grantsToApply(20, 5);
    try {
      const writes = doc.actions.length;
      expect(writes).toBe(100);
      const budget = { writesPerSecond: 20, burst: 5 };
      tenant.setFaults(budget);
      const startSeq = tenant.readLog({ limit: 1 })[0]?.seq ?? 0;
      const before = tenant.nowMs();

      const result = await applyPlan(doc, tenant, FAST);

      expect(result.converged).toBe(true);
      const log = tenant.readLog({ afterSeq: startSeq });
      expect(committedWrites(log)).toHaveLength(writes);
      expect(exactlyOnceProblems(doc, log)).toEqual([]);
      // the budget was met (or this test would prove nothing), and learned: refusals are a few, not one per write or more
      const refused = refusedWrites(log, "throttled").length;
      expect(refused).toBeGreaterThan(0);
      expect(refused).toBeLessThanOrEqual(writes * 0.1);
      // at the budget's pace: no faster than it allows, and not much slower
      const budgetMs = ((writes - budget.burst) / budget.writesPerSecond) * 1000;
      expect(tenant.nowMs() - before).toBeGreaterThanOrEqual(budgetMs);
      expect(tenant.nowMs() - before).toBeLessThanOrEqual(budgetMs * 1.2);
    } finally {
      tenant.close();
    }
  });

  it("tells progress when writes wait on throttling: which service, how long, at what pace", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } },
      { type: "user.blockSignIn", target: "harry.wells@contoso.com" },
    ]);
    tenant.fail("addRecipientPermission", { kind: "throttled", code: "TooManyRequests", retryAfterMs: 2000 });
    tenant.fail("setAccountEnabled", { kind: "throttled", code: "TooManyRequests", retryAfterMs: 500 });
    const events: Extract<ApplyEvent, { type: "throttled" }>[] = [];
    const result = await applyPlan(plan, tenant, { ...FAST, onEvent: (e) => e.type === "throttled" && events.push(e) });
    expect(result.converged).toBe(true);
    expect(events.map((e) => [e.action.type, e.service, e.waitMs]).sort()).toEqual([
      ["permission.grant", "exchange", 2000],
      ["user.blockSignIn", "graph", 500],
    ]);
    for (const e of events) expect(e.writesPerSecond).toBeGreaterThan(0);
    expect(tenant.writes()).toHaveLength(2);
  });

  it("keeps more than the old fixed 4 writes in flight when the service answers them at a flat latency", async () => {
    const users = Array.from({ length: 12 }, (_, i) => user(`u${i}@contoso.com`));
    const mailboxes = Array.from({ length: 12 }, (_, i) => mailbox(`m${i}@contoso.com`));
    const specs: ActionSpec[] = mailboxes.flatMap((m) => users.map((u) => ({ type: "permission.grant" as const, target: m.address, params: { right: "SendAs" as const, trustee: u.userPrincipalName } })));
    const tenant = FakeProvider.create({ users, mailboxes });
    tenant.latency = 3;
    const plan = await buildPlan(tenant, specs);
    tenant.maxInFlight = 0;
    const result = await applyPlan(plan, tenant, { ...FAST, verify: false });
    expect(result.summary.done).toBe(144);
    expect(tenant.maxInFlight).toBeGreaterThan(4);
    expect(tenant.maxInFlightPerTarget).toBe(1);
  });
});
