import type { ITenantProvider } from "./provider.js";
import type { ObservedState } from "./observed.js";

/**
 * Read everything a plan needs: one bulk call per kind of object, in parallel.
 * Any failed read rejects the whole observation: a partial picture would make
 * missing objects look absent, which is how other tools cry wolf.
 */
export async function observe(provider: ITenantProvider): Promise<ObservedState> {
  const [tenant, now, skus, users, mailboxes, grants, groups] = await Promise.all([
    provider.readTenant(),
    provider.clock.now(),
    provider.listSkus(),
    provider.listUsers(),
    provider.listMailboxes(),
    provider.listGrants(),
    provider.listGroups?.(),
  ]);
  return { tenant, observedAt: now.toISOString(), skus, users, mailboxes, grants, ...(groups !== undefined ? { groups } : {}) };
}
