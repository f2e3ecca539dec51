/**
 * A simulated tenant fixture holding exactly an observed state: what tests
 * that generate or build an ObservedState seed a real SimulatedTenant with.
 * The derived fields (seats consumed, quotas) are left for the tenant to compute.
 */
import type { ObservedState } from "../../lib/provider/observed.js";
import type { TenantFixture } from "../../providers/simulated/index.js";

export function fixtureOf(o: ObservedState): TenantFixture {
  return {
    formatVersion: 1,
    tenant: { ...o.tenant },
    clock: o.observedAt,
    skus: o.skus.map(({ consumedUnits: _c, ...s }) => s),
    users: o.users.map((u) => ({ ...u })),
    mailboxes: o.mailboxes.map(({ quotaBytes: _q, ...m }) => m),
    grants: o.grants.map((g) => ({ ...g })),
  };
}
