import type { ITenantProvider } from "./provider.js";
import type { ObservedGrant, ObservedState } from "./observed.js";
import { observedWithGrantTexts, type GrantsByMailbox } from "./packed-grants.js";

/**
 * Read everything a plan needs: one bulk call per kind of object, in parallel.
 * Any failed read rejects the whole observation: a partial picture would make
 * missing objects look absent, which is how other tools cry wolf.
 * Grants are read a mailbox at a time when the provider can (listGrantsByMailbox).
 */
export async function observe(provider: ITenantProvider): Promise<ObservedState> {
  const [tenant, now, skus, users, mailboxes, grants, groups] = await Promise.all([
    provider.readTenant(),
    provider.clock.now(),
    provider.listSkus(),
    provider.listUsers(),
    provider.listMailboxes(),
    provider.listGrantsByMailbox !== undefined ? provider.listGrantsByMailbox() : provider.listGrants(),
    provider.listGroups?.(),
  ]);
  const fields = { tenant, observedAt: now.toISOString(), skus, users, mailboxes };
  if (!isList(grants)) return observedWithGrantTexts(fields, grants, groups);
  return { ...fields, grants, ...(groups !== undefined ? { groups } : {}) };
}

function isList(grants: readonly ObservedGrant[] | GrantsByMailbox): grants is readonly ObservedGrant[] {
  return Array.isArray(grants);
}
