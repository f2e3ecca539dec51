/**
 * A declared mailbox found at one of its previousAddresses: renamed in place
 * (decision 0010), never deleted and created again. The mailbox first
 * (Set-Mailbox -WindowsEmailAddress keeps the old address on it as an extra
 * one, so mail to it still arrives), then its account's sign-in name, which
 * follows the address; settings, licences and grants are then compared
 * against the mailbox as the rename leaves it (lib/compare asRenamed).
 */
import { asRenamed, renamedFrom, type Renamed } from "../compare/mailbox.js";
import { grantsOn } from "../compare/observed-index.js";
import type { CanonicalSharedMailbox } from "../model/normalize.js";
import type { ObservedMailbox } from "../provider/observed.js";
import type { PlanContext } from "./context.js";
import { anchorOf, checkAddressFree, waitIfNotReady } from "./mailbox-common.js";

/** Converges the renamed mailbox: account writes wait for `accountReady`, mailbox writes for `mailboxReady`. */
export type ConvergeRenamed = (renamed: Renamed, accountReady: readonly string[], mailboxReady: readonly string[]) => void;

export function planRename(ctx: PlanContext, spec: CanonicalSharedMailbox, previous: ObservedMailbox | "ambiguous", converge: ConvergeRenamed): void {
  const address = spec.address;
  if (previous === "ambiguous") {
    const found = spec.previousAddresses.filter((a) => ctx.ix.mailboxes.has(a));
    ctx.error(
      "rename_ambiguous",
      address,
      `mailbox "${address}" lists previous addresses ${found.join(", ")}, and a mailbox lives at each of them, so exoform cannot tell which one to rename; keep in previousAddresses only the address this mailbox had, and declare the others on their own`,
    );
    return;
  }
  const old = previous.address;
  if (previous.type !== "shared") {
    ctx.error(
      "rename_user_mailbox",
      address,
      `mailbox "${address}" is declared as the new address of "${old}", but "${old}" is a person's user mailbox; convert it first under its own address (declare "${old}" with origin "convert" and apply), then rename it`,
    );
    return;
  }
  const anchor = anchorOf(ctx, old, previous);
  if (anchor === undefined || !checkAddressFree(ctx, address, `is declared as the new address of "${old}"`)) return;
  const renamed = asRenamed(previous, anchor, grantsOn(ctx.ix, old), address);
  if (renamed.renamesAccount && anchor.onPremisesSyncEnabled) {
    ctx.error(
      "hybrid_rename",
      address,
      `mailbox "${old}" is renamed to "${address}", but its account ${anchor.userPrincipalName} is directory-synced, and its sign-in name cannot be changed from the cloud (R4.4); rename the account and the mailbox on premises (Set-RemoteMailbox -PrimarySmtpAddress, the user's userPrincipalName), let directory sync run, then plan again`,
    );
    return;
  }
  const rename = ctx.add({
    type: "mailbox.rename",
    target: address,
    params: { from: old },
    dependsOn: waitIfNotReady(ctx, previous)(),
    reason: "mailbox_renamed",
    description: `Rename shared mailbox ${old} ("${previous.displayName}") to ${address} in place: ${old} stays on it as an extra address, so mail to it still arrives; its mail, members and licences stay with it`,
    fingerprint: [`mailbox:${old}`, `mailbox:${address}`],
  });
  const account = renamed.renamesAccount
    ? ctx.add({
        type: "user.rename",
        target: address,
        params: { from: anchor.userPrincipalName },
        dependsOn: [rename],
        reason: "mailbox_renamed",
        description: `Rename the sign-in name of the account behind ${address} from ${anchor.userPrincipalName} to ${address}, so it keeps following its mailbox's address (decision 0010); nothing else about the account changes`,
        fingerprint: [`user:${anchor.userPrincipalName}`, `user:${address}`],
      })
    : rename;
  converge(renamed, [account], [rename]);
}

/**
 * Before any mailbox is planned: the account the plan renames with a
 * mailbox, so that no grant in the plan names its old sign-in name (the
 * grant would reach no one once the rename ran).
 */
export function recordRename(ctx: PlanContext, spec: CanonicalSharedMailbox): void {
  if (spec.previousAddresses.length === 0 || ctx.ix.mailboxes.has(spec.address)) return;
  const previous = renamedFrom(spec, ctx.ix.mailboxes);
  if (previous === undefined || previous === "ambiguous" || previous.type !== "shared") return;
  const anchor = ctx.ix.usersById.get(previous.userId);
  if (anchor !== undefined && anchor.userPrincipalName === previous.address) ctx.renamedByPlan.set(anchor.userPrincipalName, spec.address);
}
