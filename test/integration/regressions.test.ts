/**
 * Regression tests for bugs the integration work found in the simulated
 * tenant's fault injection (providers/simulated/tenant.ts), checked without
 * letting the crash fault fire (it would kill the test process): only the
 * armed countdown is observed.
 */
import { describe, expect, it } from "vitest";
import type { SimulatedTenant } from "../../providers/simulated/index.js";
import { withTenant as withContoso } from "./helpers.js";

const withTenant = (fn: (t: SimulatedTenant) => Promise<void>) => withContoso("regress", fn);

describe("the simulated tenant's crash fault", () => {
  it("stays armed before commit when the write it would have lost is throttled instead", () =>
    withTenant(async (t) => {
      t.setFaults({ writesPerSecond: 1, burst: 1 });
      await t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com"); // takes the only token
      t.setFaults({ crashAfterWrites: 1, crashMode: "beforeCommit" });
      await expect(t.addRecipientPermission("support@contoso.com", "carla.diaz@contoso.com")).rejects.toMatchObject({ kind: "throttled" });
      // the throttled call was not a successful write: the crash must still happen on the next one
      expect(t.faults().crashAfterWrites).toBe(1);
    }));

  it("stays armed before commit when the write is refused with a transient failure", () =>
    withTenant(async (t) => {
      t.setFaults({ transientRate: 1, crashAfterWrites: 1, crashMode: "beforeCommit" });
      await expect(t.addRecipientPermission("support@contoso.com", "carla.diaz@contoso.com")).rejects.toMatchObject({ kind: "transient" });
      expect(t.faults().crashAfterWrites).toBe(1);
    }));

  it("counts every successful write when writes with latency overlap", () =>
    withTenant(async (t) => {
      t.setFaults({ latencyMs: 100, crashAfterWrites: 5 });
      await Promise.all([
        t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com"),
        t.addRecipientPermission("support@contoso.com", "carla.diaz@contoso.com"),
      ]);
      // two successful writes: two counted (a stale read counted them as one)
      expect(t.faults().crashAfterWrites).toBe(3);
    }));
});
