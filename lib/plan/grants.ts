/**
 * Grant steps (R3.1-R3.10): FullAccess, SendAs and SendOnBehalf compared per
 * right and per trustee. Authoritative mailboxes lose trustees the code does
 * not list (and the plan names each of them); additive ones never do. An
 * autoMapping change is a revoke then a grant (R3.5). Trustees must be live
 * users of the tenant (R3.7, R3.8).
 */
import type { CanonicalSharedMailbox } from "../model/normalize.js";
import type { ObservedGrant, Right } from "../provider/observed.js";
import type { PlanContext } from "./context.js";
import type { AccessChange } from "./types.js";
import { MAX_FULL_ACCESS_ENTRIES, SUPPORTED_CONCURRENT_USERS } from "../model/service-rules.js";

/** Above this many direct FullAccess members, Outlook use becomes unreliable (R3.9: about 25 concurrent users). */
export const FULL_ACCESS_WARN = SUPPORTED_CONCURRENT_USERS;
/** Add-MailboxPermission refuses more than 500 ACEs on one mailbox (R3.9). */
export const FULL_ACCESS_MAX = MAX_FULL_ACCESS_ENTRIES;

const RIGHTS: readonly Right[] = ["FullAccess", "SendAs", "SendOnBehalf"];

function desiredOf(spec: CanonicalSharedMailbox, right: Right): Map<string, boolean> {
  switch (right) {
    case "FullAccess":
      return new Map(spec.fullAccess.map((g) => [g.trustee, g.autoMapping]));
    case "SendAs":
      return new Map(spec.sendAs.map((t) => [t, true]));
    case "SendOnBehalf":
      return new Map(spec.sendOnBehalf.map((t) => [t, true]));
  }
}

function verb(right: Right): string {
  return right === "FullAccess" ? "FullAccess to" : `${right} on`;
}

/**
 * Plan grants and revokes on `spec.address`, whose current grants are
 * `current`; every write waits for `ready` (the mailbox exists, is shared and
 * is provisioned).
 */
export function planGrants(
  ctx: PlanContext,
  spec: CanonicalSharedMailbox,
  current: readonly ObservedGrant[],
  ready: () => readonly string[],
): void {
  const address = spec.address;
  const byRight = new Map<Right, Map<string, ObservedGrant>>(RIGHTS.map((r) => [r, new Map()]));
  for (const g of current) byRight.get(g.right)?.set(g.trustee, g);
  const checked = new Map<string, boolean>();
  // a grant also depends on its trustee being a live user (R3.7): its user object is recorded too, so a
  // trustee deleted after planning makes the saved plan stale instead of failing halfway (decision 0005)
  const fp = [`mailbox:${address}`, `grants:${address}`];

  for (const right of RIGHTS) {
    const want = desiredOf(spec, right);
    const have = byRight.get(right)!;
    if (right === "FullAccess") checkMemberCount(ctx, spec, want, have);
    for (const [trustee, autoMapping] of want) {
      if (!checkTrustee(ctx, address, right, trustee, checked)) continue;
      const existing = have.get(trustee);
      // already granted as declared: the common case at scale, so nothing is built for it. An autoMapping
      // the provider cannot read (Microsoft's service never returns it) is taken as declared, never as drift
      if (existing !== undefined && (right !== "FullAccess" || existing.autoMapping === undefined || existing.autoMapping === autoMapping)) continue;
      const grantParams = right === "FullAccess" ? { right, trustee, autoMapping } : { right, trustee };
      const mapping = right === "FullAccess" ? (autoMapping ? ", with Outlook automapping" : ", without Outlook automapping") : "";
      if (existing === undefined) {
        const access: AccessChange[] = [{ mailbox: address, principal: trustee, right, change: "gain" }];
        ctx.add({
          type: "permission.grant",
          target: address,
          params: grantParams,
          dependsOn: ready(),
          reason: "grant_declared",
          description: `${ctx.person(trustee)} gains ${verb(right)} ${address}${mapping}`,
          access,
          fingerprint: [...fp, `user:${trustee}`],
        });
      } else if (right === "FullAccess" && existing.autoMapping !== autoMapping) {
        const revoke = ctx.add({
          type: "permission.revoke",
          target: address,
          params: { right, trustee },
          dependsOn: ready(),
          reason: "automapping_changed",
          description: `Remove the FullAccess grant of ${ctx.person(trustee)} on ${address} so it can be re-added${mapping} (an automapping change needs remove and re-add)`,
          fingerprint: fp,
        });
        ctx.add({
          type: "permission.grant",
          target: address,
          params: grantParams,
          dependsOn: [...ready(), revoke],
          reason: "automapping_changed",
          description: `${ctx.person(trustee)} keeps FullAccess to ${address}, re-granted${mapping}`,
          fingerprint: [...fp, `user:${trustee}`],
        });
      }
    }
    if (spec.permissionsMode !== "authoritative") continue;
    for (const [trustee] of [...have].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (want.has(trustee)) continue;
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

type TrusteeStatus = "ok" | "unlicensed" | "deleted" | "missing" | "deleted_by_plan";

/** What a trustee is, worked out once per plan (a trustee often appears on thousands of mailboxes). */
function trusteeStatus(ctx: PlanContext, trustee: string): TrusteeStatus {
  let status = ctx.trustees.get(trustee);
  if (status === undefined) {
    const user = ctx.ix.users.get(trustee);
    if (user === undefined) status = (ctx.ix.deletedUsers.get(trustee)?.length ?? 0) > 0 ? "deleted" : "missing";
    else if (ctx.deletedByPlan.has(trustee)) status = "deleted_by_plan";
    else status = ctx.capabilities(user.licenses).exchange || licensedByThisPlan(ctx, trustee) ? "ok" : "unlicensed";
    ctx.trustees.set(trustee, status);
  }
  return status;
}

/** A trustee must be a live user inside the tenant; one without an Exchange license gets a warning. */
function checkTrustee(ctx: PlanContext, address: string, right: Right, trustee: string, checked: Map<string, boolean>): boolean {
  const known = checked.get(trustee);
  if (known !== undefined) return known;
  const status = trusteeStatus(ctx, trustee);
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
      `mailbox "${address}" grants ${right} to "${trustee}", who is not a user in the tenant; check the spelling, create the user first, or remove the grant`,
    );
  } else if (status === "deleted_by_plan") {
    const mailbox = ctx.deletedByPlan.get(trustee)!;
    ctx.error(
      "trustee_deleted_by_plan",
      address,
      `mailbox "${address}" grants ${right} to "${trustee}", the account of mailbox "${mailbox}": this plan deletes mailbox "${mailbox}" with its account (it left the code with removalPolicy "delete"; Remove-Mailbox deletes the account too, R2.3), so the grant would be refused or left to a deleted user; declare ${mailbox} again to keep it, or remove the grant`,
    );
  } else if (status === "unlicensed") {
    ctx.warn(
      "trustee_unlicensed",
      address,
      `"${trustee}" is granted ${right} on "${address}" but holds no Exchange Online license, so they cannot open or send from it; license them or remove the grant`,
    );
  }
  const ok = status === "ok" || status === "unlicensed";
  checked.set(trustee, ok);
  return ok;
}

/** The trustee gets a licensed mailbox back in this plan (userMailboxes). */
function licensedByThisPlan(ctx: PlanContext, upn: string): boolean {
  const spec = ctx.userMailboxSpecs.get(upn);
  return spec !== undefined && spec.license !== "none" && ctx.capabilities([spec.license]).exchange;
}

function checkMemberCount(
  ctx: PlanContext,
  spec: CanonicalSharedMailbox,
  want: ReadonlyMap<string, boolean>,
  have: ReadonlyMap<string, ObservedGrant>,
): void {
  let count = want.size;
  if (spec.permissionsMode === "additive") for (const t of have.keys()) if (!want.has(t)) count++;
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
