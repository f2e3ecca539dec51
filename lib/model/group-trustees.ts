/**
 * Mail-enabled security groups as trustees. A desired-state document names a
 * group by its address like a person, so only the tenant says which trustee
 * is a group: these checks are pure functions the planner calls with the
 * observed groups' addresses (validation cannot see the tenant).
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { CanonicalDesiredState } from "./normalize.js";

/**
 * Warnings for FullAccess grants to a group with autoMapping on: Outlook
 * automaps a mailbox only for users granted directly, never through a group
 * (Microsoft's shared mailbox documentation), so the setting does nothing.
 * A warning, not an error: the grant itself works.
 */
export function groupAutoMappingWarnings(desired: Pick<CanonicalDesiredState, "sharedMailboxes">, groupAddresses: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (groupAddresses.size === 0) return out; // most tenants name no group: no pass over every grant
  for (const m of desired.sharedMailboxes) {
    for (const g of m.fullAccess) {
      if (!g.autoMapping || !groupAddresses.has(g.trustee)) continue;
      out.push({
        severity: "warning",
        code: "group_automapping",
        target: m.address,
        message: `mailbox "${m.address}" grants FullAccess to group "${g.trustee}" with autoMapping on, but Outlook does not automap a mailbox through a group: grant FullAccess to the people who need it opened automatically, or set autoMapping: false for the group`,
      });
    }
  }
  return out;
}
