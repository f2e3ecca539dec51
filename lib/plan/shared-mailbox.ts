/**
 * One declared shared mailbox, in each of the states the tenant may hold it
 * in: already shared (converge), a user mailbox to convert (R1.1-R1.3,
 * R1.13), a soft-deleted user to restore and convert (R2.5), or absent (create,
 * R4.2, R5.1). Every path ends in the same tail: licences, settings, grants.
 */
import { compareGrants, type GrantComparison } from "../compare/grants.js";
import { compareSharedMailbox, compareTag, type SharedMailboxComparison } from "../compare/mailbox.js";
import { compareSettings } from "../compare/settings.js";
import type { MailboxNeeds } from "../model/licensing.js";
import { compareStrings } from "../private/canonical-json.js";
import type { CanonicalSharedMailbox } from "../model/normalize.js";
import type { ObservedMailbox, ObservedUser } from "../provider/observed.js";
import type { PlanContext } from "./context.js";
import { checkGrants, planGrants } from "./grants.js";
import { warnLeaverGrants } from "./leaver.js";
import { checkDeclaredLicense, planLicenseAssignments, planLicenseRemovals } from "./licenses.js";
import { hybridConvertMessage, hybridSignInMessage, planMailboxUpdate } from "./mailbox-common.js";
import { DAY_MS, RECYCLE_BIN_DAYS } from "../model/service-rules.js";

/** Soft-deleted users and their mailboxes are restorable for 30 days (R2.3, R7.3). */
export const RESTORE_WINDOW_DAYS = RECYCLE_BIN_DAYS;
/** A restored user's mailbox is re-created within 20-30 minutes (R2.5). */
export const RECREATE_MINUTES = 30;
/** A new mailbox accepts members after "a few minutes" (R3.4). */
export const PROVISION_MINUTES = 5;

export function planSharedMailbox(ctx: PlanContext, spec: CanonicalSharedMailbox): void {
  const live = ctx.ix.mailboxes.get(spec.address);
  if (live === undefined) {
    if (spec.origin === "convert") planRestore(ctx, spec);
    else planNew(ctx, spec);
    return;
  }
  const anchor = ctx.ix.usersById.get(live.userId);
  if (anchor === undefined) {
    ctx.error(
      "anchor_missing",
      spec.address,
      `mailbox "${spec.address}" has no anchor account in the directory (user id ${live.userId}); the tenant is inconsistent, so exoform will not change it: check the account in the Microsoft 365 admin center`,
    );
    return;
  }
  if (live.type === "user") {
    if (spec.origin !== "convert") {
      ctx.error(
        "user_mailbox_at_new_address",
        spec.address,
        `mailbox "${spec.address}" is a person's user mailbox, but the code declares it as a new shared mailbox (origin "new"), so exoform will not convert it; set origin: "convert" if turning this mailbox into a shared one is intended, or choose another address`,
      );
      return;
    }
    planConversion(ctx, spec, live, anchor);
    return;
  }
  // Already shared: whatever the origin, only converge settings, licences and grants.
  const cmp = compareSharedMailbox(spec, live, anchor, ctx.ix.grants.get(spec.address) ?? [], ctx.desired.stack);
  if (cmp.same) {
    // the fast path, the common case at scale: nothing to change, only the checks that hold whatever the tenant
    checkDeclaredLicense(ctx, spec.address, spec.license, needsOf(spec, live));
    checkGrants(ctx, spec, cmp.grants);
    return;
  }
  if (cmp.signIn) {
    if (anchor.onPremisesSyncEnabled) ctx.error("hybrid_sign_in", spec.address, hybridSignInMessage(spec.address, anchor.userPrincipalName));
    else addBlock(ctx, anchor.userPrincipalName, spec.address, []);
  }
  convergeTail(ctx, spec, {
    upn: anchor.userPrincipalName,
    licenses: anchor.licenses,
    usageLocation: anchor.usageLocation,
    after: [],
    mailbox: live,
    grants: cmp.grants,
    compared: cmp,
    ready: waitIfNotReady(ctx, live),
  });
}

// ------------------------------------------------------------------ paths

function planConversion(ctx: PlanContext, spec: CanonicalSharedMailbox, mbx: ObservedMailbox, anchor: ObservedUser): void {
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
    grants: compareGrants(spec, ctx.ix.grants.get(spec.address) ?? []),
    ready: () => [convert],
    convert: (assigns) => {
      convert = addConvert(ctx, spec, anchor.userPrincipalName, [...assigns, ...wait()], mbx.displayName);
      if (anchor.accountEnabled) addBlockAfterConversion(ctx, anchor.userPrincipalName, spec.address, convert);
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
  if (shared && user.accountEnabled) addBlock(ctx, upn, address, [restore]);
  let convert = "";
  convergeTail(ctx, spec, {
    upn,
    licenses: [], // a restore does not bring licences back (R2.4)
    usageLocation: user.usageLocation,
    after: [restore],
    mailbox: mbx,
    grants: compareGrants(spec, ctx.ix.grants.get(address) ?? []),
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
            if (user.accountEnabled) addBlockAfterConversion(ctx, upn, address, convert);
            return convert;
          },
        }),
  });
}

function planNew(ctx: PlanContext, spec: CanonicalSharedMailbox): void {
  const address = spec.address;
  const holder = ctx.ix.users.get(address);
  if (holder !== undefined) {
    ctx.error(
      "address_in_use",
      address,
      `mailbox "${address}" is declared as new, but the address is already the sign-in name of user "${holder.displayName}" (R5.2: addresses are unique); choose another address, or set origin: "convert" if that user's mailbox should become shared`,
    );
    return;
  }
  // R5.2: a soft-deleted recipient keeps its address until it is purged, 30 days after deletion
  const held = [...(ctx.ix.deletedMailboxes.get(address) ?? []), ...(ctx.ix.deletedUsers.get(address) ?? [])];
  if (held.length > 0) {
    const last = held.sort((a, b) => compareStrings(a.deletedAt ?? "", b.deletedAt ?? ""))[held.length - 1]!;
    const restorable = (ctx.ix.deletedUsers.get(address) ?? []).some((u) => ctx.ix.deletedMailboxes.get(address)?.some((m) => m.userId === u.id));
    const freeFrom = new Date(Date.parse(last.deletedAt ?? "") + RESTORE_WINDOW_DAYS * DAY_MS).toISOString();
    ctx.error(
      "address_held_by_deleted",
      address,
      `mailbox "${address}" is declared as new, but the address still belongs to "${last.displayName}", deleted on ${last.deletedAt} and in the recycle bin until ${freeFrom} (R2.3, R5.2: a soft-deleted recipient keeps its address); ${restorable ? `set origin: "convert" to restore that mailbox as a shared one, ` : ""}choose another address, or wait until it is purged`,
    );
    return;
  }
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
  ctx.add({
    type: "user.blockSignIn",
    target: address,
    dependsOn: [create],
    reason: "new_anchor_sign_in_enabled",
    description: `Block sign-in for ${address}, the new mailbox's account: the service creates it enabled (R4.2)`,
    fingerprint: [`user:${address}`],
  });
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
    desired: spec.license,
    needs,
    conversion: input.convert !== undefined,
    usageLocation: input.usageLocation,
    declaredUsageLocation: spec.usageLocation ?? ctx.desired.tenant.usageLocation,
    after: input.after,
  });
  const convert = input.convert?.(steps.assigns);
  const current = input.mailbox === "created" ? null : input.mailbox.managementTag;
  const update = planMailboxUpdate(
    ctx,
    spec.address,
    input.compared?.settings ?? compareSettings(spec, input.mailbox),
    input.compared?.tag ?? compareTag(spec.removalPolicy, current, ctx.desired.stack),
    () => [...input.ready(), ...steps.assigns],
    input.upn,
  );
  planLicenseRemovals(ctx, { address: spec.address, upn: input.upn, desired: spec.license }, steps, [
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

/** A mailbox still being provisioned (readyAt after observedAt) gets a wait before the first write to it. */
export function waitIfNotReady(ctx: PlanContext, m: ObservedMailbox): () => readonly string[] {
  let id: string | undefined;
  return () => {
    if (m.readyAt === null) return [];
    const ms = Date.parse(m.readyAt) - ctx.now;
    if (!(ms > 0)) return [];
    id ??= ctx.add({
      type: "mailbox.wait",
      target: m.address,
      params: { for: "provisioned", minutes: Math.max(1, Math.ceil(ms / 60_000)) },
      reason: "mailbox_not_ready",
      description: `Wait for ${m.address} to finish provisioning (ready at ${m.readyAt}) before changing it`,
      fingerprint: [`mailbox:${m.address}`],
    });
    return [id];
  };
}

function addConvert(ctx: PlanContext, spec: CanonicalSharedMailbox, upn: string, dependsOn: readonly string[], displayName: string): string {
  warnLeaverGrants(ctx, spec.address, upn);
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

/** R4.1: block sign-in on the account of a mailbox that is (or comes back as) shared. */
function addBlock(ctx: PlanContext, upn: string, address: string, dependsOn: readonly string[]): void {
  ctx.add({
    type: "user.blockSignIn",
    target: upn,
    dependsOn,
    reason: "sign_in_enabled_on_shared_mailbox",
    description: `Block sign-in for ${upn}, the account behind shared mailbox ${address}: nobody should sign in to a shared mailbox (R4.1)`,
    fingerprint: [`user:${upn}`],
  });
}

function addBlockAfterConversion(ctx: PlanContext, upn: string, address: string, convert: string): void {
  ctx.add({
    type: "user.blockSignIn",
    target: upn,
    dependsOn: [convert],
    reason: "sign_in_blocked_after_conversion",
    description: `Block sign-in for ${upn} now that ${address} is shared: the old credentials would otherwise still work (R1.13, R4.1)`,
    fingerprint: [`user:${upn}`],
  });
}
