/**
 * desiredFromObserved: the desired state that describes a tenant as it is,
 * so that planning it against that tenant yields no changes. Used by
 * `exoform export` (adopting an existing tenant) and by the planner's
 * property tests. Pure: no I/O, no clock.
 *
 * What cannot be expressed is normalised the way the planner would converge
 * it: an anchor with several licences exports the one with the best Exchange
 * plan; grants to trustees that are no longer live users are left out (the
 * plan then removes those orphans).
 */
import type { DesiredState, SharedMailboxSpec } from "../model/generated/desired-state.js";
import { capabilitiesOfSkus } from "../model/licensing.js";
import { parseManagementTag } from "../model/management-tag.js";
import { canonicalize, type CanonicalDesiredState } from "../model/normalize.js";
import { compareStrings } from "../private/canonical-json.js";
import type { ObservedGrant, ObservedState, ObservedUser } from "../provider/observed.js";

export interface ExportOptions {
  /** The stack the document belongs to (scopes management tags). */
  readonly stack: string;
  /** Only these shared mailboxes (addresses, any case); default: every live shared mailbox. */
  readonly mailboxes?: readonly string[];
}

export function desiredFromObserved(observed: ObservedState, options: ExportOptions): CanonicalDesiredState {
  const only = options.mailboxes ? new Set(options.mailboxes.map((a) => a.toLowerCase())) : undefined;
  const liveUsers = new Map<string, ObservedUser>();
  const usersById = new Map<string, ObservedUser>();
  for (const u of observed.users) {
    usersById.set(u.id, u);
    if (u.deletedAt === null) liveUsers.set(u.userPrincipalName, u);
  }
  const grants = new Map<string, ObservedGrant[]>();
  for (const g of observed.grants) {
    const list = grants.get(g.mailbox);
    if (list) list.push(g);
    else grants.set(g.mailbox, [g]);
  }
  const servicePlans = new Map(observed.skus.map((s) => [s.skuPartNumber, s.servicePlans]));

  const shared: SharedMailboxSpec[] = [];
  for (const m of observed.mailboxes) {
    if (m.deletedAt !== null || m.type !== "shared") continue;
    if (only && !only.has(m.address)) continue;
    const anchor = usersById.get(m.userId);
    const live = (grants.get(m.address) ?? []).filter((g) => liveUsers.has(g.trustee));
    const tag = parseManagementTag(m.managementTag);
    shared.push({
      address: m.address,
      displayName: m.displayName,
      alias: m.alias,
      origin: "new",
      fullAccess: live.filter((g) => g.right === "FullAccess").map((g) => ({ trustee: g.trustee, autoMapping: g.autoMapping ?? true })),
      sendAs: live.filter((g) => g.right === "SendAs").map((g) => g.trustee),
      sendOnBehalf: live.filter((g) => g.right === "SendOnBehalf").map((g) => g.trustee),
      permissionsMode: "authoritative",
      license: bestLicense(anchor?.licenses ?? [], servicePlans),
      litigationHold: m.litigationHold,
      archive: m.archive,
      removalPolicy: tag !== null && tag.stack === options.stack ? "delete" : "retain",
    });
  }
  const domains = observed.tenant.domains.length > 0 ? observed.tenant.domains : ["invalid.example"];
  const doc: DesiredState = {
    formatVersion: 1,
    stack: options.stack,
    tenant: { id: observed.tenant.id, domains: [domains[0]!, ...domains.slice(1)] },
    sharedMailboxes: shared,
    userMailboxes: [],
  };
  return canonicalize(doc);
}

/** "none", the only licence, or the one with the strongest Exchange plan (Plan 2 > hold-capable > Plan 1), then by name. */
function bestLicense(licenses: readonly string[], servicePlans: ReadonlyMap<string, readonly string[]>): string {
  if (licenses.length === 0) return "none";
  const score = (sku: string) => {
    const caps = capabilitiesOfSkus([sku], servicePlans);
    return (caps.plan2 ? 4 : 0) + (caps.holdAndArchive ? 2 : 0) + (caps.exchange ? 1 : 0);
  };
  return [...licenses].sort((a, b) => score(b) - score(a) || compareStrings(a, b))[0]!;
}
