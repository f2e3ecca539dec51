/**
 * One declared shared mailbox, in each of the states the tenant may hold it
 * in: already shared (converge), a user mailbox to convert (R1.1-R1.3,
 * R1.13), a soft-deleted user to restore and convert (R2.5), or absent (create,
 * R4.2, R5.1). Every path ends in the same tail: licences, settings, grants.
 */
import { compareGrants, type GrantComparison } from "../compare/grants.js";
import { grantsOn, type HeldGrants } from "../compare/observed-index.js";
import { compareSharedMailbox, compareSignIn, compareTag, desiredLicenses, renamedFrom, type SharedMailboxComparison } from "../compare/mailbox.js";
import { compareSettings } from "../compare/settings.js";
import type { MailboxNeeds } from "../model/licensing.js";
import { compareStrings } from "../private/canonical-json.js";
import type { CanonicalSharedMailbox } from "../model/normalize.js";
import type { ObservedGrant, ObservedMailbox, ObservedUser } from "../provider/observed.js";
import type { PlanContext } from "./context.js";
import { checkGrants, planGrants } from "./grants.js";
import { recordLeaver } from "./leaver.js";
import { checkDeclaredLicense, planLicenseAssignments, planLicenseRemovals } from "./licenses.js";
import { anchorOf, checkAddressFree, checkExtraAddressesFree, hybridConvertMessage, hybridSignInMessage, planMailboxUpdate, waitIfNotReady } from "./mailbox-common.js";
import { planRename } from "./rename.js";
import { DAY_MS, RECYCLE_BIN_DAYS } from "../model/service-rules.js";

/** Soft-deleted users and their mailboxes are restorable for 30 days (R2.3, R7.3). */
export const RESTORE_WINDOW_DAYS = RECYCLE_BIN_DAYS;
/** A restored user's mailbox is re-created within 20-30 minutes (R2.5). */
export const RECREATE_MINUTES = 30;
/** A new mailbox accepts members after "a few minutes" (R3.4). */
export const PROVISION_MINUTES = 5;

/** `live`: the live mailbox at the declared address, if any, with its grants (the planner's walk finds both, lib/plan/planner.ts). */
export function planSharedMailbox(ctx: PlanContext, spec: CanonicalSharedMailbox, live: ObservedMailbox | undefined, grants: HeldGrants): void {
  if (spec.signIn !== undefined) {
    ctx.note(
      "sign_in_exception",
      spec.address,
      `sign-in stays allowed on the account of shared mailbox ${spec.address}, by a declared exception: "${spec.signIn.reason}"; anyone with its password can read and send as the mailbox (R4.1), so review the reason`,
    );
  }
  if (live === undefined) {
    const previous = renamedFrom(spec, ctx.ix.mailboxes);
    if (previous !== undefined) {
      planRename(ctx, spec, previous, (renamed, accountReady, mailboxReady) =>
        planLiveShared(ctx, spec, renamed.mailbox, renamed.anchor, renamed.grants, accountReady, () => mailboxReady),
      );
    } else if (spec.origin === "convert") planRestore(ctx, spec);
    else planNew(ctx, spec);
    return;
  }
  const anchor = anchorOf(ctx, spec.address, live);
  if (anchor === undefined) return;
  if (live.type === "user") {
    if (spec.origin !== "convert") {
      ctx.error(
        "user_mailbox_at_new_address",
        spec.address,
        `mailbox "${spec.address}" is a person's user mailbox, but the code declares it as a new shared mailbox (origin "new"), so exoform will not convert it; set origin: "convert" if turning this mailbox into a shared one is intended, or choose another address`,
      );
      return;
    }
    planConversion(ctx, spec, live, anchor, grants);
    return;
  }
  planLiveShared(ctx, spec, live, anchor, grants, [], waitIfNotReady(ctx, live));
}

/**
 * A mailbox that is shared already (or will be, right after a rename in this
 * plan): whatever the origin, only converge sign-in, settings, licences and
 * grants. Account writes wait for `after`, mailbox writes for `ready`.
 */
function planLiveShared(
  ctx: PlanContext,
  spec: CanonicalSharedMailbox,
  live: ObservedMailbox,
  anchor: ObservedUser,
  grants: HeldGrants | readonly ObservedGrant[],
  after: readonly string[],
  ready: () => readonly string[],
): void {
  const cmp = compareSharedMailbox(spec, live, anchor, grants, ctx.desired.stack);
  if (cmp.same) {
    // the fast path, the common case at scale: nothing to change, only the checks that hold whatever the tenant
    checkDeclaredLicense(ctx, spec.address, desiredLicenses(spec), needsOf(spec, live));
    checkGrants(ctx, spec, cmp.grants);
    return;
  }
  if (cmp.signIn !== null) {
    if (anchor.onPremisesSyncEnabled) ctx.error("hybrid_sign_in", spec.address, hybridSignInMessage(spec.address, anchor.userPrincipalName, cmp.signIn));
    else addSignIn(ctx, spec, anchor.userPrincipalName, cmp.signIn, after);
  }
  convergeTail(ctx, spec, {
    upn: anchor.userPrincipalName,
    licenses: anchor.licenses,
    usageLocation: anchor.usageLocation,
    after,
    mailbox: live,
    grants: cmp.grants,
    compared: cmp,
    ready,
  });
}

// ------------------------------------------------------------------ paths

function planConversion(ctx: PlanContext, spec: CanonicalSharedMailbox, mbx: ObservedMailbox, anchor: ObservedUser, grants: HeldGrants): void {
  if (anchor.onPremisesSyncEnabled) {
    ctx.error("hybrid_conversion", spec.address, hybridConvertMessage(spec.address, "Shared"));
    return;
  }
  const wait = waitIfNotReady(ctx, mbx);
  let convert = "";
  convergeTail(ctx, spec, {
    upn: anchor.userPrincipalName,
    licenses: anchor.licenses,
    usageLocation: anchor.usageLocation,
    after: [],
    mailbox: mbx,
    grants: compareGrants(spec, grants),
    ready: () => [convert],
    convert: (assigns) => {
      convert = addConvert(ctx, spec, anchor.userPrincipalName, [...assigns, ...wait()], mbx.displayName);
      planSignInAfterConversion(ctx, spec, anchor, convert);
      return convert;
    },
  });
}

/** R2.5: restore the account, license it, reset its password, wait for the mailbox, convert, unlicense, add members. */
function planRestore(ctx: PlanContext, spec: CanonicalSharedMailbox): void {
  const address = spec.address;
  const liveUser = ctx.ix.users.get(address);
  if (liveUser !== undefined) {
    ctx.error(
      "nothing_to_convert",
      address,
      `mailbox "${address}" is declared with origin "convert", but the user ${address} has no mailbox to convert (an unlicensed user's mailbox is disconnected after 30 days, R1.12); license the user so the mailbox reconnects, or declare it with origin "new" under another address`,
    );
    return;
  }
  // Several deleted users may share the UPN (R7.3): restore the one whose mailbox is at this address, the latest first.
  const owners = new Set((ctx.ix.deletedMailboxes.get(address) ?? []).map((m) => m.userId));
  const deleted = [...(ctx.ix.deletedUsers.get(address) ?? [])].sort(
    (a, b) =>
      Number(owners.has(b.id)) - Number(owners.has(a.id)) ||
      Date.parse(b.deletedAt ?? "") - Date.parse(a.deletedAt ?? "") ||
      compareStrings(a.id, b.id),
  );
  const user = deleted[0];
  if (user === undefined) {
    ctx.error(
      "nothing_to_convert",
      address,
      `mailbox "${address}" is declared with origin "convert", but no mailbox, user or deleted user has this address; use origin "new" to create a shared mailbox, or fix the address`,
    );
    return;
  }
  const deletedDays = (ctx.now - Date.parse(user.deletedAt ?? "")) / DAY_MS;
  if (deletedDays > RESTORE_WINDOW_DAYS) {
    ctx.error(
      "deleted_user_purged",
      address,
      `mailbox "${address}" is declared with origin "convert", but its user was deleted on ${user.deletedAt} (${Math.floor(deletedDays)} days ago), past the ${RESTORE_WINDOW_DAYS}-day recycle bin window (R2.3), so the mailbox cannot be recovered; declare it with origin "new" to start an empty shared mailbox`,
    );
    return;
  }
  const mbx = (ctx.ix.deletedMailboxes.get(address) ?? []).find((m) => m.userId === user.id);
  if (mbx === undefined) {
    // restoring the account would bring no mailbox back, and the wait for it would time out
    ctx.error(
      "deleted_user_without_mailbox",
      address,
      `mailbox "${address}" is declared with origin "convert", but the deleted user ${address} (deleted on ${user.deletedAt}) has no mailbox in the recycle bin (it was unlicensed when deleted, R2.3), so restoring it brings no mail back; purge it from the recycle bin (Remove-MgDirectoryDeletedItem -DirectoryObjectId ${user.id}) and declare the mailbox with origin "new"`,
    );
    return;
  }
  if (user.onPremisesSyncEnabled) {
    ctx.error("hybrid_conversion", address, `${hybridConvertMessage(address, "Shared")}; restore the account on premises first (the cloud recycle bin cannot restore a synced user)`);
    return;
  }
  const upn = user.userPrincipalName;
  const restore = ctx.add({
    type: "user.restore",
    target: upn,
    params: { userId: user.id },
    reason: "deleted_user_mailbox_to_convert",
    description: `Restore ${upn} (deleted ${user.deletedAt}) from the recycle bin with its mailbox, so the mailbox ${mbx.type === "shared" ? "comes back as a shared one" : "can become shared"} (R2.5)`,
    fingerprint: [`user:${upn}`, `mailbox:${address}`],
  });
  const recreated = (dependsOn: readonly string[]) =>
    ctx.add({
      type: "mailbox.wait",
      target: address,
      params: { for: "recreated", minutes: RECREATE_MINUTES },
      dependsOn,
      reason: "mailbox_recreated_after_restore",
      description: `Wait up to ${RECREATE_MINUTES} minutes for ${address} to be re-created after the restore (R2.5)`,
      fingerprint: [`mailbox:${address}`],
    });
  // a deleted shared mailbox: the restore is enough; nothing to convert, so no licence to borrow
  const shared = mbx.type === "shared";
  const restoredWait = shared ? recreated([restore]) : "";
  const restoredSignIn = compareSignIn(spec, user.accountEnabled);
  if (shared && restoredSignIn !== null) addSignIn(ctx, spec, upn, restoredSignIn, [restore]);
  let convert = "";
  convergeTail(ctx, spec, {
    upn,
    licenses: [], // a restore does not bring licences back (R2.4)
    usageLocation: user.usageLocation,
    after: [restore],
    mailbox: mbx,
    grants: compareGrants(spec, grantsOn(ctx.ix, address)),
    ready: () => [shared ? restoredWait : convert],
    ...(shared
      ? {}
      : {
          convert: (assigns: readonly string[]) => {
            const reset = ctx.add({
              type: "user.resetPassword",
              target: upn,
              dependsOn: [restore, ...assigns],
              reason: "restored_account_password",
              description: `Reset the password of ${upn} to a random one nobody knows, so the restored account's old credentials stop working`,
              fingerprint: [`user:${upn}`],
            });
            convert = addConvert(ctx, spec, upn, [recreated([reset]), ...assigns], mbx.displayName);
            planSignInAfterConversion(ctx, spec, user, convert);
            return convert;
          },
        }),
  });
}

function planNew(ctx: PlanContext, spec: CanonicalSharedMailbox): void {
  const address = spec.address;
  if (!checkAddressFree(ctx, address, "is declared as new")) return;
  const create = ctx.add({
    type: "mailbox.create",
    target: address,
    params: { displayName: spec.displayName, ...(spec.alias !== undefined ? { alias: spec.alias } : {}) },
    reason: "mailbox_declared",
    description: `Create shared mailbox ${address} ("${spec.displayName}")`,
    fingerprint: [`mailbox:${address}`, `user:${address}`],
  });
  const wait = ctx.add({
    type: "mailbox.wait",
    target: address,
    params: { for: "provisioned", minutes: PROVISION_MINUTES },
    dependsOn: [create],
    reason: "new_mailbox_provisioning",
    description: `Wait a few minutes for the new mailbox ${address} to accept members and settings (R3.4)`,
    fingerprint: [`mailbox:${address}`],
  });
  // the service creates the account enabled (R4.2): a declared exception keeps it so
  if (compareSignIn(spec, true) !== null) {
    ctx.add({
      type: "user.blockSignIn",
      target: address,
      dependsOn: [create],
      reason: "new_anchor_sign_in_enabled",
      description: `Block sign-in for ${address}, the new mailbox's account: the service creates it enabled (R4.2)`,
      fingerprint: [`user:${address}`],
    });
  }
  convergeTail(ctx, spec, {
    upn: address,
    licenses: [],
    usageLocation: undefined,
    after: [create],
    mailbox: "created",
    grants: compareGrants(spec, []),
    ready: () => [wait],
  });
}

// ------------------------------------------------------------------ shared tail

interface TailInput {
  readonly upn: string;
  readonly licenses: readonly string[];
  readonly usageLocation: string | null | undefined;
  /** Actions licence assignments wait for. */
  readonly after: readonly string[];
  /** The mailbox as it is (or comes back, after a restore); "created": this plan creates it. */
  readonly mailbox: ObservedMailbox | "created";
  readonly grants: GrantComparison;
  /** Settings and tag already compared (a mailbox that is shared already); otherwise compared here. */
  readonly compared?: Pick<SharedMailboxComparison, "settings" | "tag">;
  /** The actions writes to the mailbox must wait for (create+wait, conversion, a readiness wait). */
  readonly ready: () => readonly string[];
  /** For conversions: adds the conversion once the licence assignments are known; returns its id. */
  readonly convert?: (assigns: readonly string[]) => string;
}

function convergeTail(ctx: PlanContext, spec: CanonicalSharedMailbox, input: TailInput): void {
  const needs = needsOf(spec, input.mailbox);
  const steps = planLicenseAssignments(ctx, {
    address: spec.address,
    upn: input.upn,
    current: input.licenses,
    desired: desiredLicenses(spec),
    needs,
    conversion: input.convert !== undefined,
    usageLocation: input.usageLocation,
    declaredUsageLocation: spec.usageLocation ?? ctx.desired.tenant.usageLocation,
    after: input.after,
  });
  const convert = input.convert?.(steps.assigns);
  const current = input.mailbox === "created" ? null : input.mailbox.managementTag;
  const settings = input.compared?.settings ?? compareSettings(spec, input.mailbox);
  checkExtraAddressesFree(ctx, spec, settings, input.upn); // an error voids the plan; the other checks still report theirs
  const update = planMailboxUpdate(
    ctx,
    spec.address,
    settings,
    input.compared?.tag ?? compareTag(spec.removalPolicy, current, ctx.desired.stack),
    () => [...input.ready(), ...steps.assigns],
    input.upn,
  );
  planLicenseRemovals(ctx, { address: spec.address, upn: input.upn, desired: desiredLicenses(spec) }, steps, [
    ...(convert !== undefined ? [convert] : []),
    ...(update !== undefined ? [update] : []),
  ]);
  planGrants(ctx, spec, input.grants, input.ready);
}

// ------------------------------------------------------------------ helpers

/** What the mailbox will need its licences for once converged (R1.4-R1.6). */
function needsOf(spec: CanonicalSharedMailbox, mailbox: ObservedMailbox | "created"): MailboxNeeds {
  return { sizeBytes: mailbox === "created" ? 0 : mailbox.sizeBytes, litigationHold: spec.litigationHold, archive: spec.archive };
}

function addConvert(ctx: PlanContext, spec: CanonicalSharedMailbox, upn: string, dependsOn: readonly string[], displayName: string): string {
  recordLeaver(ctx, spec.address, upn);
  return ctx.add({
    type: "mailbox.convert",
    target: spec.address,
    params: { to: "shared" },
    dependsOn,
    reason: "origin_convert",
    description: `Convert ${spec.address} ("${displayName}") from a user mailbox to a shared mailbox; its mail, calendar and rules are kept (R1.1)`,
    fingerprint: [`mailbox:${spec.address}`, `user:${upn}`],
  });
}

/**
 * The account of a mailbox that is (or comes back as) shared: blocked (R4.1),
 * or allowed when the code declares a sign-in exception (compareSignIn).
 */
function addSignIn(ctx: PlanContext, spec: CanonicalSharedMailbox, upn: string, change: "block" | "allow", dependsOn: readonly string[]): string {
  const address = spec.address;
  if (change === "allow") {
    return ctx.add({
      type: "user.allowSignIn",
      target: upn,
      dependsOn,
      reason: "sign_in_exception_declared",
      description: `Allow sign-in for ${upn}, the account behind shared mailbox ${address}, by the exception the code declares: "${spec.signIn?.reason ?? ""}"`,
      fingerprint: [`user:${upn}`],
    });
  }
  return ctx.add({
    type: "user.blockSignIn",
    target: upn,
    dependsOn,
    reason: "sign_in_enabled_on_shared_mailbox",
    description: `Block sign-in for ${upn}, the account behind shared mailbox ${address}: nobody should sign in to a shared mailbox (R4.1)`,
    fingerprint: [`user:${upn}`],
  });
}

/**
 * A person's mailbox just converted (a leaver): block the account (R1.13,
 * R4.1), then end the sessions it already has, which a block alone does not
 * (refresh tokens stay valid for up to 90 days). An account found blocked is
 * revoked too: the tenant cannot say whether its sessions outlived the block
 * (Graph's signInSessionsValidFromDateTime also moves with a password change),
 * and a revocation is cheap and harmless. A declared sign-in exception keeps
 * the account as the exception says, sessions and all.
 */
function planSignInAfterConversion(ctx: PlanContext, spec: CanonicalSharedMailbox, account: ObservedUser, convert: string): void {
  const upn = account.userPrincipalName;
  const change = compareSignIn(spec, account.accountEnabled);
  if (change === "allow") {
    addSignIn(ctx, spec, upn, change, [convert]);
    return;
  }
  if (spec.signIn !== undefined) return;
  const block =
    change === "block"
      ? ctx.add({
          type: "user.blockSignIn",
          target: upn,
          dependsOn: [convert],
          reason: "sign_in_blocked_after_conversion",
          description: `Block sign-in for ${upn} now that ${spec.address} is shared: the old credentials would otherwise still work (R1.13, R4.1)`,
          fingerprint: [`user:${upn}`],
        })
      : undefined;
  ctx.add({
    type: "user.revokeSessions",
    target: upn,
    params: { userId: account.id, revokedAfter: ctx.observed.observedAt },
    dependsOn: [block ?? convert],
    reason: "sessions_revoked_after_conversion",
    description: `End every session of ${upn} (revoke its refresh tokens and session cookies): ${block !== undefined ? "blocking sign-in" : "a blocked sign-in"} does not sign out devices and apps already signed in, which could otherwise keep reading ${spec.address} for days`,
    fingerprint: [`user:${upn}`],
  });
}
