/**
 * Grant steps (R3.1-R3.10): FullAccess, SendAs and SendOnBehalf compared per
 * right and per trustee. Authoritative mailboxes lose trustees the code does
 * not list (and the plan names each of them); additive ones never do. An
 * autoMapping change is a revoke then a grant (R3.5). Trustees must be live
 * users of the tenant (R3.7, R3.8).
 */
import { pooledTrustees, type CanonicalSharedMailbox } from "../model/normalize.js";
import type { GrantComparison } from "../compare/grants.js";
import { trusteeState } from "../compare/observed-index.js";
import type { Right } from "../provider/observed.js";
import type { PlanContext } from "./context.js";
import { MAX_FULL_ACCESS_ENTRIES, SUPPORTED_CONCURRENT_USERS } from "../model/service-rules.js";

/** Above this many direct FullAccess members, Outlook use becomes unreliable (R3.9: about 25 concurrent users). */
export const FULL_ACCESS_WARN = SUPPORTED_CONCURRENT_USERS;
/** Add-MailboxPermission refuses more than 500 ACEs on one mailbox (R3.9). */
export const FULL_ACCESS_MAX = MAX_FULL_ACCESS_ENTRIES;

function verb(right: Right): string {
  return right === "FullAccess" ? "FullAccess to" : `${right} on`;
}

const NONE_REFUSED: ReadonlySet<string> = new Set();

/**
 * The checks every declared grant answers to, changed or not: the FullAccess
 * count (R3.9) and each trustee a live user (R3.7, R3.8), each trustee
 * reported once per mailbox. Returns the trustees to whom nothing may be
 * granted (usually none: nothing is built for a mailbox whose trustees are all fine).
 */
export function checkGrants(ctx: PlanContext, spec: CanonicalSharedMailbox, cmp: GrantComparison): ReadonlySet<string> {
  checkMemberCount(ctx, spec, cmp);
  // every declared trustee was checked once before planning (settleTrustees): usually all are fine, and then nothing is left to do
  if (ctx.trusteesAllOk) return NONE_REFUSED;
  let reported: Set<string> | undefined;
  let refused: Set<string> | undefined;
  const check = (right: Right, trustee: string) => {
    const status = trusteeStatus(ctx, trustee);
    if (status === "ok" || reported?.has(trustee)) return;
    (reported ??= new Set()).add(trustee);
    reportTrustee(ctx, spec.address, right, trustee, status);
    if (status !== "unlicensed") (refused ??= new Set()).add(trustee);
  };
  forEachDeclaredGrant(spec, check);
  return refused ?? NONE_REFUSED;
}

/** Each grant `spec` declares, as (right, trustee): its FullAccess, then SendAs, then SendOnBehalf list, in order. */
export function forEachDeclaredGrant(spec: CanonicalSharedMailbox, visit: (right: Right, trustee: string) => void): void {
  for (const g of spec.fullAccess) visit("FullAccess", g.trustee);
  for (const t of spec.sendAs) visit("SendAs", t);
  for (const t of spec.sendOnBehalf) visit("SendOnBehalf", t);
}

/**
 * Plan the grants and revokes that close `cmp` (lib/compare/grants.ts) on
 * `spec.address`; every write waits for `ready` (the mailbox exists, is
 * shared and is provisioned).
 */
export function planGrants(
  ctx: PlanContext,
  spec: CanonicalSharedMailbox,
  cmp: GrantComparison,
  ready: () => readonly string[],
): void {
  const address = spec.address;
  const refused = checkGrants(ctx, spec, cmp);
  // a grant also depends on its trustee being a live user (R3.7): its user object is recorded too, so a
  // trustee deleted after planning makes the saved plan stale instead of failing halfway (decision 0005)
  const fp = [`mailbox:${address}`, `grants:${address}`];

  for (const { right, want, missing, remapped, extra } of cmp.rights) {
    const mapping = (autoMapping: boolean | undefined) =>
      right === "FullAccess" ? (autoMapping ? ", with Outlook automapping" : ", without Outlook automapping") : "";
    const params = (trustee: string) => (right === "FullAccess" ? { right, trustee, autoMapping: want.get(trustee)! } : { right, trustee });
    for (const trustee of missing) {
      if (refused.has(trustee)) continue;
      ctx.add({
        type: "permission.grant",
        target: address,
        params: params(trustee),
        dependsOn: ready(),
        reason: "grant_declared",
        description: `${ctx.person(trustee)} gains ${verb(right)} ${address}${mapping(want.get(trustee))}`,
        access: [{ mailbox: address, principal: trustee, right, change: "gain" }],
        fingerprint: [...fp, `user:${trustee}`],
      });
    }
    // an autoMapping change is a revoke then a grant (R3.5)
    for (const trustee of remapped) {
      if (refused.has(trustee)) continue;
      const revoke = ctx.add({
        type: "permission.revoke",
        target: address,
        params: { right, trustee },
        dependsOn: ready(),
        reason: "automapping_changed",
        description: `Remove the FullAccess grant of ${ctx.person(trustee)} on ${address} so it can be re-added${mapping(want.get(trustee))} (an automapping change needs remove and re-add)`,
        fingerprint: fp,
      });
      ctx.add({
        type: "permission.grant",
        target: address,
        params: params(trustee),
        dependsOn: [...ready(), revoke],
        reason: "automapping_changed",
        description: `${ctx.person(trustee)} keeps FullAccess to ${address}, re-granted${mapping(want.get(trustee))}`,
        fingerprint: [...fp, `user:${trustee}`],
      });
    }
    if (!cmp.authoritative) continue;
    for (const trustee of extra) {
      ctx.add({
        type: "permission.revoke",
        target: address,
        params: { right, trustee },
        dependsOn: ready(),
        reason: "grant_not_declared",
        description: `${ctx.person(trustee)} loses ${verb(right)} ${address}: the code does not list them and the mailbox's permissions are authoritative`,
        destructive: true,
        access: [{ mailbox: address, principal: trustee, right, change: "lose" }],
        fingerprint: fp,
      });
    }
  }
}

/**
 * What each trustee the code names is, worked out once before any mailbox is
 * planned (the accounts the plan deletes and renames are known by then), so
 * that a plan whose trustees are all live and licensed checks no grant one
 * by one (issue 15).
 */
export function settleTrustees(ctx: PlanContext): void {
  let allOk = true;
  const settle = (trustee: string) => {
    if (trusteeStatus(ctx, trustee) !== "ok") allOk = false;
  };
  // the names canonicalize pooled, or (a state made another way) every grant, each trustee worked out once all the same
  const pooled = pooledTrustees(ctx.desired);
  if (pooled !== undefined) pooled.forEach(settle);
  else for (const m of ctx.desired.sharedMailboxes) forEachDeclaredGrant(m, (_right, trustee) => settle(trustee));
  ctx.trusteesAllOk = allOk;
}

type TrusteeStatus = "ok" | "unlicensed" | "deleted" | "missing" | "deleted_by_plan" | "renamed_by_plan";

/** What a trustee is, worked out once per plan (a trustee often appears on thousands of mailboxes). */
function trusteeStatus(ctx: PlanContext, trustee: string): TrusteeStatus {
  let status = ctx.trustees.get(trustee);
  if (status === undefined) {
    // live, soft-deleted or gone: as drift reads it (lib/compare)
    const state = trusteeState(ctx.ix, trustee);
    // a group holds no licence of its own: its members' are theirs (Exchange checks them when they open the mailbox)
    if (state.kind === "group") status = "ok";
    else if (state.kind !== "live") status = state.kind;
    else if (ctx.deletedByPlan.has(trustee)) status = "deleted_by_plan";
    else if (ctx.renamedByPlan.has(trustee)) status = "renamed_by_plan";
    else status = ctx.capabilities(state.user.licenses).exchange || licensedByThisPlan(ctx, trustee) ? "ok" : "unlicensed";

    ctx.trustees.set(trustee, status);
  }
  return status;
}

/** A trustee must be a live user or a mail-enabled security group inside the tenant; a user without an Exchange license gets a warning. */
function reportTrustee(ctx: PlanContext, address: string, right: Right, trustee: string, status: Exclude<TrusteeStatus, "ok">): void {
  if (status === "deleted") {
    ctx.error(
      "trustee_deleted",
      address,
      `mailbox "${address}" grants ${right} to "${trustee}", who is deleted (in the recycle bin); restore the user or remove the grant from the code`,
    );
  } else if (status === "missing") {
    ctx.error(
      "trustee_not_found",
      address,
      `mailbox "${address}" grants ${right} to "${trustee}", who is neither a user nor a mail-enabled security group in the tenant; check the spelling, create the user or group first, or remove the grant`,
    );
  } else if (status === "deleted_by_plan") {
    const mailbox = ctx.deletedByPlan.get(trustee)!;
    ctx.error(
      "trustee_deleted_by_plan",
      address,
      `mailbox "${address}" grants ${right} to "${trustee}", the account of mailbox "${mailbox}": this plan deletes mailbox "${mailbox}" with its account (it left the code with removalPolicy "delete"; Remove-Mailbox deletes the account too, R2.3), so the grant would be refused or left to a deleted user; declare ${mailbox} again to keep it, or remove the grant`,
    );
  } else if (status === "renamed_by_plan") {
    const renamed = ctx.renamedByPlan.get(trustee)!;
    ctx.error(
      "trustee_renamed_by_plan",
      address,
      `mailbox "${address}" grants ${right} to "${trustee}", the account of mailbox "${trustee}", which this plan renames to "${renamed}" (previousAddresses), and its account with it; grant the access to "${renamed}" instead`,
    );
  } else if (status === "unlicensed") {
    ctx.warn(
      "trustee_unlicensed",
      address,
      `"${trustee}" is granted ${right} on "${address}" but holds no Exchange Online license, so they cannot open or send from it; license them or remove the grant`,
    );
  }
}

/** The trustee gets a licensed mailbox back in this plan (userMailboxes). */
function licensedByThisPlan(ctx: PlanContext, upn: string): boolean {
  const spec = ctx.userMailboxSpecs.get(upn);
  return spec !== undefined && spec.license !== "none" && ctx.capabilities([spec.license]).exchange;
}

function checkMemberCount(ctx: PlanContext, spec: CanonicalSharedMailbox, cmp: GrantComparison): void {
  // the declared list bounds the count (validation refuses repeats), and only an additive mailbox keeps
  // holders the code does not list: the usual mailbox is far below both limits, and nothing is built for it
  if (spec.fullAccess.length <= FULL_ACCESS_WARN && (cmp.same || spec.permissionsMode !== "additive")) return;
  const r = cmp.rights.find((x) => x.right === "FullAccess")!;
  let count = r.want.size;
  if (spec.permissionsMode === "additive") count += r.extra.length;
  if (count > FULL_ACCESS_MAX) {
    ctx.error(
      "too_many_full_access",
      spec.address,
      `mailbox "${spec.address}" would have ${count} FullAccess members, over the ${FULL_ACCESS_MAX} entries Exchange Online allows on one mailbox (R3.9); grant access through a mail-enabled security group instead`,
    );
  } else if (count > FULL_ACCESS_WARN) {
    ctx.warn(
      "many_full_access_members",
      spec.address,
      `mailbox "${spec.address}" would have ${count} FullAccess members; a shared mailbox supports about ${FULL_ACCESS_WARN} concurrent users (R3.9), more cause connection failures`,
    );
  }
}
