/**
 * Scenarios a review found where `exoform plan` succeeded but apply against
 * the simulated tenant failed, did not converge, or refused a plan that was
 * still good. Each builds a contoso variant, plans, applies and plans again:
 * the second plan must be empty.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import type { SharedMailboxSpec, UserMailboxSpec } from "../../lib/model/generated/desired-state.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { plan } from "../../lib/plan/planner.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { observe } from "../../lib/provider/observe.js";
import { loadFixture, SimulatedTenant, type TenantFixture } from "../../providers/simulated/index.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends ReadonlyArray<infer U> ? Array<Mutable<U>> : T[K] };
type Fixture = Mutable<TenantFixture>;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function contoso(edit: (f: Fixture) => void): SimulatedTenant {
  const f = structuredClone(loadFixture("contoso")) as Fixture;
  edit(f);
  const dir = mkdtempSync(join(tmpdir(), "exoform-apply-regress-"));
  dirs.push(dir);
  return SimulatedTenant.create(join(dir, "tenant.db"), f as TenantFixture);
}

function desired(shared: SharedMailboxSpec[], users: UserMailboxSpec[] = []): CanonicalDesiredState {
  const doc = { formatVersion: 1, stack: "contoso", tenant: { id: "contoso", domains: ["contoso.com"], usageLocation: "US" }, sharedMailboxes: shared, userMailboxes: users };
  const { state, diagnostics } = validateDesiredState(doc, "desired.json");
  if (!state) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  return state;
}

/** Plan, apply (expecting no error and no failure), plan again; the tenant is closed afterwards. */
async function applyThenReplan(tenant: SimulatedTenant, d: CanonicalDesiredState, beforeApply?: () => void): Promise<{ first: PlanDocument; again: PlanDocument }> {
  try {
    const first = plan(d, await observe(tenant));
    expect(first.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
    beforeApply?.();
    const result = await applyPlan(first, tenant);
    expect(result.actions.filter((a) => a.status === "failed")).toEqual([]);
    expect(result.converged).toBe(true);
    return { first, again: plan(d, await observe(tenant)) };
  } finally {
    tenant.close();
  }
}

const jack = "jack.hale@contoso.com";
const kim = "kim.nguyen@contoso.com";

describe("plans that must apply cleanly and converge on the simulated tenant", () => {
  it("revokes the grants a restored mailbox brings back from the recycle bin, in the same apply", async () => {
    const tenant = contoso((f) => {
      f.grants.push(
        { mailbox: jack, right: "FullAccess", trustee: "ben.ortiz@contoso.com", autoMapping: true },
        { mailbox: jack, right: "FullAccess", trustee: "ann.lee@contoso.com", autoMapping: false },
      );
    });
    const { first, again } = await applyThenReplan(tenant, desired([{ address: jack, displayName: "Jack", origin: "convert", fullAccess: [{ trustee: "ann.lee@contoso.com" }] }]));
    expect(first.actions.filter((a) => a.type === "permission.revoke").map((a) => a.params.trustee)).toEqual(["ann.lee@contoso.com", "ben.ortiz@contoso.com"]);
    expect(again.actions).toEqual([]);
  });

  it("restores the deleted user whose mailbox is in the recycle bin, not a later-deleted namesake without one", async () => {
    const tenant = contoso((f) => {
      f.users.push({ id: "u-0100", userPrincipalName: jack, displayName: "Jack Hale (2)", accountEnabled: false, usageLocation: "US", licenses: [], deletedAt: "2026-10-30T09:00:00.000Z" });
    });
    const { first, again } = await applyThenReplan(tenant, desired([{ address: jack, displayName: "Jack Hale", origin: "convert" }]));
    expect(first.actions.find((a) => a.type === "user.restore")?.params.userId).toBe("u-0010");
    expect(again.actions).toEqual([]);
  });

  it("gives a mailbox back to a person who holds Exchange Plan 2 as Plan 1 in one call, which the tenant accepts (R7.2)", async () => {
    const tenant = contoso((f) => {
      f.users.find((u) => u.userPrincipalName === kim)!.licenses = ["SPE_E3"];
      f.users.find((u) => u.userPrincipalName === "erin.kim@contoso.com")!.licenses = ["EXCHANGEENTERPRISE"];
      f.users.find((u) => u.userPrincipalName === "legal@contoso.com")!.licenses = ["SPE_E3"];
    });
    const { first, again } = await applyThenReplan(tenant, desired([], [{ address: kim, license: "EXCHANGESTANDARD" }]));
    expect(first.actions.find((a) => a.type === "user.assignLicense")?.params).toEqual({ sku: "EXCHANGESTANDARD", replaces: ["SPE_E3"] });
    expect(again.actions).toEqual([]);
  });

  it("applies a saved plan after the mailbox it waits for became ready, instead of calling it stale", async () => {
    const tenant = contoso((f) => {
      f.mailboxes.find((m) => m.address === "support@contoso.com")!.readyAt = "2026-11-01T09:05:00.000Z";
    });
    const { again } = await applyThenReplan(
      tenant,
      desired([{ address: "support@contoso.com", displayName: "Contoso Support", fullAccess: [{ trustee: "ben.ortiz@contoso.com" }] }]),
      () => tenant.advanceClock(10 * 60_000),
    );
    expect(again.actions).toEqual([]);
  });

  it("restores a deleted shared mailbox without converting it or taking a seat, even when none is free", async () => {
    const tenant = contoso((f) => {
      for (const s of f.skus) s.prepaidUnits = f.users.filter((u) => !u.deletedAt && (u.licenses ?? []).includes(s.skuPartNumber)).length;
      const events = "events-2025@contoso.com";
      f.users.find((u) => u.userPrincipalName === events)!.deletedAt = "2026-10-30T09:00:00.000Z";
      f.mailboxes.find((m) => m.address === events)!.deletedAt = "2026-10-30T09:00:00.000Z";
    });
    const { first, again } = await applyThenReplan(tenant, desired([{ address: "events-2025@contoso.com", displayName: "Events 2025", origin: "convert" }]));
    expect(first.actions.map((a) => a.type)).toEqual(["user.restore", "mailbox.wait", "mailbox.update"]);
    expect(again.actions).toEqual([]);
  });
});
