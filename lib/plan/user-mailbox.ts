/**
 * Shared mailboxes that become a person's mailbox again (desired
 * userMailboxes, R1.12): convert to regular, license, reset the password,
 * allow sign-in. A user mailbox that is already licensed and enabled needs
 * nothing.
 */
import { compareUserMailbox, desiredLicenses } from "../compare/mailbox.js";
import type { CanonicalUserMailbox } from "../model/normalize.js";
import type { PlanContext } from "./context.js";
import { checkLicenseStandsAlone, checkSkuExists, mutuallyExclusive } from "./licenses.js";
import { hybridConvertMessage, planMailboxUpdate, waitIfNotReady } from "./mailbox-common.js";

export function planUserMailbox(ctx: PlanContext, spec: CanonicalUserMailbox): void {
  const address = spec.address;
  const mbx = ctx.ix.mailboxes.get(address);
  if (mbx === undefined) {
    ctx.error(
      "user_mailbox_not_found",
      address,
      `mailbox "${address}" is listed in userMailboxes, but there is no mailbox at that address to give back; fix the address or remove the entry`,
    );
    return;
  }
  const anchor = ctx.ix.usersById.get(mbx.userId);
  if (anchor === undefined) {
    ctx.error("anchor_missing", address, `mailbox "${address}" has no account in the directory (user id ${mbx.userId}); check it in the Microsoft 365 admin center`);
    return;
  }
  if (!checkSkuExists(ctx, address, desiredLicenses(spec)) || !checkLicenseStandsAlone(ctx, address, desiredLicenses(spec))) return;
  const upn = anchor.userPrincipalName;
  const cmp = compareUserMailbox(spec, mbx, anchor, ctx.desired.stack);
  const toShared = cmp.shared;
  const needsEnable = toShared || cmp.signInBlocked;
  if (anchor.onPremisesSyncEnabled && needsEnable) {
    ctx.error("hybrid_conversion", address, hybridConvertMessage(address, "Regular"));
    return;
  }
  const ready = waitIfNotReady(ctx, mbx);
  const steps: string[] = [];
  if (toShared) {
    steps.push(
      ctx.add({
        type: "mailbox.convert",
        target: address,
        params: { to: "regular" },
        dependsOn: ready(),
        reason: "declared_user_mailbox",
        description: `Convert ${address} ("${mbx.displayName}") back from a shared mailbox to a user mailbox; it must be licensed within 30 days (R1.12)`,
        fingerprint: [`mailbox:${address}`, `user:${upn}`],
      }),
    );
  }
  if (cmp.unlicensed) {
    const problems: string[] = [];
    const setUsageLocation = anchor.usageLocation === null ? ctx.desired.tenant.usageLocation : undefined;
    if (anchor.usageLocation === null && setUsageLocation === undefined) {
      problems.push(`its account has no usage location, which Microsoft 365 requires before licensing; declare one (usageLocation: "US" on the TenantStack) or set it on the account (Update-MgUser -UserId ${upn} -UsageLocation US)`);
    }
    const freedBy = ctx.seats.take(spec.license);
    if (freedBy === null) problems.push(`${spec.license} has no free seat: ${ctx.seats.describe(spec.license)}; free or buy a seat`);
    if (problems.length > 0) {
      ctx.error(
        "cannot_license_user_mailbox",
        address,
        `mailbox "${address}" must get license ${spec.license} as a user mailbox, but ${problems.join("; and ")}; then plan again`,
      );
      return;
    }
    // a held SKU that cannot coexist with the declared one (Plan 1 and Plan 2, R7.2) leaves in the same call
    const replaces = anchor.licenses.filter((s) => mutuallyExclusive(ctx, s, spec.license));
    const assign = ctx.add({
      type: "user.assignLicense",
      target: upn,
      params: {
        sku: spec.license,
        ...(replaces.length > 0 ? { replaces } : {}),
        ...(setUsageLocation !== undefined ? { usageLocation: setUsageLocation } : {}),
      },
      dependsOn: [...steps, ...(freedBy ?? [])],
      reason: "declared_user_mailbox_license",
      description: `${replaces.length > 0 ? `Replace ${replaces.join(", ")} with ${spec.license} on ${upn} in one call (Exchange Online Plan 1 and Plan 2 cannot be held together, R7.2)` : `Assign ${spec.license} to ${upn}`}, so the user mailbox ${address} keeps its content (R1.12)${setUsageLocation !== undefined ? `, after giving the account usage location ${setUsageLocation} (R7.1)` : ""}`,
      fingerprint: [`user:${upn}`, `sku:${spec.license}`, ...replaces.map((r) => `sku:${r}`)],
    });
    for (const r of replaces) ctx.seats.release(r, assign);
    steps.push(assign);
  }
  if (toShared) {
    steps.push(
      ctx.add({
        type: "user.resetPassword",
        target: upn,
        dependsOn: [...steps],
        reason: "declared_user_mailbox",
        description: `Reset the password of ${upn}, so the person signs in with new credentials (R1.12)`,
        fingerprint: [`user:${upn}`],
      }),
    );
  }
  if (needsEnable) {
    ctx.add({
      type: "user.allowSignIn",
      target: upn,
      dependsOn: [...steps],
      reason: toShared ? "declared_user_mailbox" : "sign_in_blocked_on_user_mailbox",
      description: `Allow sign-in for ${upn}: ${address} is a person's mailbox again`,
      fingerprint: [`user:${upn}`],
    });
  }
  // A person's mailbox carries no deletion tag: leaving the code must never delete it.
  planMailboxUpdate(ctx, address, [], cmp.tag, () => [...ready(), ...steps], upn);
}
