import { describe, expect, it } from "vitest";
import { applyPlan, type ApplyEvent } from "../../lib/apply/index.js";
import { backoffDelay, seededRandom } from "../../lib/apply/retry.js";
import { buildPlan, contoso, FAST } from "./helpers.js";

const grantBen = { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } } as const;

describe("apply retries", () => {
  it("retries a throttled write after at least the retryAfterMs the service asked for, on the tenant's clock", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.fail("addRecipientPermission", { kind: "throttled", code: "TooManyRequests", retryAfterMs: 30_000 }, 3);
    const before = tenant.state.now;
    const retries: ApplyEvent[] = [];
    const result = await applyPlan(plan, tenant, { ...FAST, baseBackoffMs: 10, onEvent: (e) => e.type === "retry" && retries.push(e) });
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 4 });
    expect(tenant.sleeps.slice(0, 3).every((ms) => ms >= 30_000)).toBe(true);
    expect(tenant.state.now - before).toBeGreaterThanOrEqual(90_000);
    expect(retries).toHaveLength(3);
    expect(tenant.writes()).toHaveLength(1);
  });

  it("never fails an apply because of throttling, however long it lasts", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.fail("addRecipientPermission", { kind: "throttled", code: "TooManyRequests" }, 200);
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 201 });
    expect(result.converged).toBe(true);
  });

  it("also retries throttled reads (pre-checks and the observation)", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.fail("getGrants", { kind: "throttled", code: "TooManyRequests", retryAfterMs: 1000 }, 5);
    tenant.fail("listMailboxes", { kind: "transient", code: "ServiceUnavailable" }, 2);
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 1 });
  });

  it("fails an action after the bounded number of transient retries, with the service's code and message", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.fail("addRecipientPermission", { kind: "transient", code: "ServiceUnavailable", message: "the server is busy" }, 100);
    const result = await applyPlan(plan, tenant, { ...FAST, maxTransientRetries: 8 });
    expect(result.actions[0]).toMatchObject({
      status: "failed",
      attempts: 9,
      error: { code: "ServiceUnavailable", message: "the server is busy", kind: "transient" },
    });
  });

  it("backs off exponentially with full jitter (anywhere in the window), capped, and reproducibly for a seed", () => {
    const policy = { baseBackoffMs: 1000, maxBackoffMs: 60_000, maxTransientRetries: 8 };
    const delays = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 10 }, (_, i) => backoffDelay(policy, i + 1, random, undefined));
    };
    const a = delays(42);
    expect(delays(42)).toEqual(a);
    expect(delays(43)).not.toEqual(a);
    a.forEach((d, i) => {
      const exp = Math.min(60_000, 1000 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(1);
      expect(d).toBeLessThanOrEqual(exp);
    });
    // full jitter: callers that failed together come back spread over the whole window, some in its first half
    const firsts = Array.from({ length: 50 }, (_, seed) => backoffDelay(policy, 4, seededRandom(seed), undefined));
    expect(firsts.some((d) => d < 4000)).toBe(true);
    expect(new Set(firsts).size).toBeGreaterThan(40);
    expect(backoffDelay(policy, 1, seededRandom(1), 45_000)).toBe(45_000);
  });

  it("gives the same retry delays for the same seed however the actions interleave", async () => {
    const run = async (parallelism: number) => {
      const tenant = contoso();
      const plan = await buildPlan(tenant, [grantBen, { type: "user.blockSignIn", target: "harry.wells@contoso.com" }]);
      tenant.fail("addRecipientPermission", { kind: "transient" }, 3);
      tenant.fail("setAccountEnabled", { kind: "transient" }, 2);
      const delays: string[] = [];
      await applyPlan(plan, tenant, { seed: 99, parallelism, onEvent: (e) => e.type === "retry" && delays.push(`${e.action.id} ${e.delayMs}`) });
      return delays.sort();
    };
    expect(await run(1)).toEqual(await run(4));
  });
});
