/**
 * Mailboxes the code no longer declares. Only a shared mailbox whose
 * management tag names this stack with removal=delete is deleted (soft, with
 * its anchor, restorable for 30 days, R2.3); everything else is retained and
 * left alone. Converted-from-a-person mailboxes are never tagged (validation
 * forbids removalPolicy "delete" with origin "convert"), so they are never
 * deleted; a user account alone is never deleted (no action type exists).
 * A tagged mailbox on litigation hold is an error: the service would not
 * soft-delete it (R2.3).
 */
import { formatBytes } from "../model/licensing.js";
import { deletableByStack } from "../compare/mailbox.js";
import { grantsOn } from "../compare/observed-index.js";
import type { ObservedMailbox } from "../provider/observed.js";
import type { PlanContext } from "./context.js";
import type { AccessChange } from "./types.js";

/** Whether `m` is a live shared mailbox this stack created with removalPolicy "delete" (lib/compare, as drift reads it). */
export function isDeletable(ctx: PlanContext, m: ObservedMailbox): boolean {
  return deletableByStack(m, ctx.desired.stack);
}

export function planDeletion(ctx: PlanContext, m: ObservedMailbox): void {
  if (m.litigationHold) {
    // R2.3: removing a held mailbox makes it inactive, not soft-deleted; the tenant refuses Remove-Mailbox (decision 0003)
    ctx.error(
      "delete_on_litigation_hold",
      m.address,
      `mailbox "${m.address}" left the code with removalPolicy "delete", but it is on litigation hold, and a mailbox on hold cannot be deleted (R2.3: it would become an inactive mailbox); to delete it, declare it again with litigationHold: false, apply, then remove it from the code; to keep it, declare it again with removalPolicy "retain"`,
    );
    return;
  }
  const access: AccessChange[] = grantsOn(ctx.ix, m.address).map((g) => ({
    mailbox: m.address,
    principal: g.trustee,
    right: g.right,
    change: "lose" as const,
  }));
  ctx.add({
    type: "mailbox.delete",
    target: m.address,
    reason: "removed_from_code_with_delete_policy",
    description: `Delete shared mailbox ${m.address} ("${m.displayName}", ${formatBytes(m.sizeBytes)}) and its account: it left the code and was declared with removalPolicy "delete"; restorable for 30 days`,
    destructive: true,
    access,
    fingerprint: [`mailbox:${m.address}`, `grants:${m.address}`, `user:${ctx.ix.usersById.get(m.userId)?.userPrincipalName ?? m.address}`],
  });
}
