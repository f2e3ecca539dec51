/**
 * Apply of the contoso plan through the Microsoft provider against a served
 * simulated tenant (Graph and the Exchange admin API over HTTPS on 127.0.0.1),
 * under the service's faults: small throttling budgets with one request in
 * five failing with 503/504, and lost responses with reads lagging writes.
 * The provider never re-sends a write whose outcome is unknown; apply settles
 * it by reading (lib/apply/settle.ts). The tenant's own operation log is the
 * judge: every planned write committed exactly once. The provider follows the
 * endpoint's virtual clock, so Retry-After waits and settle polls cost no
 * real time.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan, verifyByReplanning } from "../../lib/apply/index.js";
import { plan } from "../../lib/plan/index.js";
import { observe } from "../../lib/provider/observe.js";
import { wiredProvider } from "../providers/microsoft/wire.js";
import { committedWrites, contosoDesired, createTenant, exactlyOnceProblems, orderProblems, planWrites, tempDir } from "./helpers.js";
import { declaredEventual, normalizeWireLog, nothingLeft } from "./wire.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh contoso tenant served on the wire, the provider pointed at it, and the plan made through it. */
async function setUp(name: string) {
  const dir = tempDir(name);
  dirs.push(dir);
  const tenant = createTenant(dir);
  const wired = await wiredProvider(tenant);
  const provider = declaredEventual(wired.provider);
  const desired = contosoDesired();
  const doc = plan(desired, await observe(provider));
  expect(doc.actions.length).toBeGreaterThanOrEqual(30);
  return { tenant, wired, provider, desired, doc, startSeq: tenant.readLog({ limit: 1 })[0]!.seq, startRequest: tenant.readRequests({ limit: 1 })[0]?.seq ?? 0 };
}

describe("applying the contoso plan through the Microsoft provider to a served tenant", () => {
  it.each([7])(
    "converges through small Graph and Exchange budgets with one request in five failing with 503/504, each planned write committed once (seed %i)",
    async (seed) => {
      const { tenant, wired, provider, desired, doc, startSeq, startRequest } = await setUp("wire-faults");
      try {
        // Graph's write bucket refills over the ~30 min of tenant time the plan's mailbox waits take: 3 per 150 s makes it bite
        tenant.setFaults({ graphWritesPer150s: 3, exchangeWritesPer60s: 5, exchangeCmdletsPer5s: 5, wireErrorRate: 0.2, seed });
        const costBefore = wired.provider.cost();
        const result = await applyPlan(doc, provider, { seed });

        expect(result.summary).toMatchObject({ failed: 0, notStarted: 0 });
        expect(result.converged).toBe(true);
        // the faults happened, or this would prove nothing (the provider counts throttled $batch items the request log cannot show)
        const cost = wired.provider.cost();
        expect(cost.graph.throttled - costBefore.graph.throttled).toBeGreaterThan(0);
        expect(cost.exchange.throttled - costBefore.exchange.throttled).toBeGreaterThan(10);
        const requests = tenant.readRequests({ afterSeq: startRequest });
        expect(requests.filter((r) => r.fault === "503" || r.fault === "504").length).toBeGreaterThan(20);
        // among them, writes: each an unknown outcome for the provider, settled by apply before it ran again
        expect(requests.filter((r) => (r.fault === "503" || r.fault === "504") && (r.method === "PATCH" || (r.cmdlet !== null && !r.cmdlet.startsWith("Get-") && !r.path.endsWith("$batch")))).length).toBeGreaterThan(0);
        const log = normalizeWireLog(tenant.readLog({ afterSeq: startSeq }));
        expect(committedWrites(log)).toHaveLength(planWrites(doc).size);
        expect(exactlyOnceProblems(doc, log)).toEqual([]);
        expect(orderProblems(doc, log)).toEqual([]);
        expect(await nothingLeft(tenant, desired)).toEqual({ replan: [], drift: [] });
      } finally {
        await wired.stop();
      }
    },
  );

  it("settles lost responses and reset connections by reading a lagging tenant: converges, each planned write committed once, some actions settled by read", async () => {
    const { tenant, wired, provider, desired, doc, startSeq, startRequest } = await setUp("wire-lost");
    try {
      tenant.setFaults({ wireLostResponseRate: 0.3, wireResetRate: 0.05, readLagMs: 10_000, seed: 11 });
      const result = await applyPlan(doc, provider, { seed: 11 });

      expect(result.summary).toMatchObject({ failed: 0, notStarted: 0 });
      expect(result.converged).toBe(true);
      const requests = tenant.readRequests({ afterSeq: startRequest });
      // a write committed and its answer lost, or cut off half-way: both an unknown outcome for the provider
      const lost = requests.filter((r) => r.fault === "lostResponse" || (r.fault === "reset" && r.status < 400 && (r.method === "PATCH" || (r.cmdlet !== null && !r.cmdlet.startsWith("Get-")))));
      expect(requests.filter((r) => r.fault === "lostResponse").length).toBeGreaterThan(5);
      expect(requests.filter((r) => r.fault === "reset").length).toBeGreaterThan(0);
      const byRead = result.actions.filter((a) => a.settledBy === "read");
      expect(byRead.length).toBeGreaterThan(3);
      expect(byRead.every((a) => a.status === "done")).toBe(true);
      const log = normalizeWireLog(tenant.readLog({ afterSeq: startSeq }));
      // a password reset whose response was lost is written again: its effect cannot be read back (decision 0004);
      // every other planned write exactly once
      const lostResets = (target: string) => lost.filter((r) => r.method === "PATCH" && r.path === `/v1.0/users/${target}`).length;
      const problems = exactlyOnceProblems(doc, log, (_key, action) => {
        if (action.type !== "user.resetPassword") return 1;
        const committed = committedWrites(log).filter((e) => e.operation === "resetPassword" && e.target === action.target).length;
        return committed > 1 && committed <= 1 + lostResets(action.target) ? committed : 1;
      });
      expect(problems).toEqual([]);
      expect(orderProblems(doc, log)).toEqual([]);

      // the CLI's verification: the desired state planned again, through the lagging wire
      const verified = await verifyByReplanning(result, provider, desired, doc);
      expect(verified.verification).toEqual({ method: "replan", remaining: [] });
      expect(await nothingLeft(tenant, desired)).toEqual({ replan: [], drift: [] });
    } finally {
      await wired.stop();
    }
  });
});
