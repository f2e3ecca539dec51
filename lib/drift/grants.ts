/**
 * Grant drift, read off the shared comparison (lib/compare/grants.ts): a
 * declared grant gone (grant_removed), an autoMapping changed, a grant the
 * code does not list on an authoritative mailbox (grant_added), and a
 * declared trustee who is no longer a live user (the cause, reported
 * instead of the grant's presence or absence).
 */
import { RIGHT_FIELD, type GrantComparison } from "../compare/grants.js";
import { trusteeState, type ObservedIndex } from "../compare/observed-index.js";
import type { Right } from "../provider/observed.js";
import type { Collector } from "./collector.js";
import { restoreWindow } from "./existence.js";
import type { DriftSeverity } from "./types.js";

/** What a trustee can do with a grant it should not have: said in grant_added messages. */
const RIGHT_POWER: Readonly<Record<Right, string>> = {
  FullAccess: "they can open and read everything in it",
  SendAs: "they can send mail as the mailbox",
  SendOnBehalf: "they can send mail on behalf of the mailbox",
};

/** An added grant lets someone read or impersonate: worse than a lost one, which only blocks work. */
const ADDED_SEVERITY: Readonly<Record<Right, DriftSeverity>> = { FullAccess: "high", SendAs: "high", SendOnBehalf: "medium" };

/** Drift of `address`'s grants, from its comparison. */
export function checkGrants(address: string, grants: GrantComparison, ix: ObservedIndex, now: string, out: Collector): void {
  for (const r of grants.rights) {
    // a dead trustee is reported once per right, as the cause, and nothing else about their grant
    let dead: Set<string> | undefined;
    for (const trustee of r.want.keys()) if (!trusteeIsLive(address, trustee, r.right, ix, now, out)) (dead ??= new Set()).add(trustee);
    for (const trustee of r.missing) if (!dead?.has(trustee)) grantRemoved(address, trustee, r.right, out);
    for (const trustee of r.remapped) {
      if (dead?.has(trustee)) continue;
      const expected = r.want.get(trustee)!;
      const actual = r.have.get(trustee)!.autoMapping!;
      out.add(
        address,
        "automapping_changed",
        "low",
        "fullAccess",
        expected,
        actual,
        `${trustee}'s FullAccess on ${address} has autoMapping ${actual}, the code says ${expected}; the next exoform apply removes and re-adds the grant with autoMapping ${expected} (R3.5)`,
        { trustee, right: "FullAccess" },
      );
    }
    if (grants.authoritative) for (const trustee of r.extra) grantAdded(address, trustee, r.right, out);
  }
}

/**
 * A declared trustee must be a live user (R3.7): one deleted out of band
 * leaves a grant nobody can use, and the plan refuses the declaration until
 * the user is restored or the grant leaves the code. Reported here, as the
 * cause, instead of the grant's presence or absence.
 */
function trusteeIsLive(mailbox: string, trustee: string, right: Right, ix: ObservedIndex, now: string, out: Collector): boolean {
  const state = trusteeState(ix, trustee);
  if (state.kind === "live" || state.kind === "group") return true;
  const fix = "exoform plan refuses the declaration until it is fixed: ";
  if (state.kind === "deleted") {
    const { deletedAt } = state;
    const { daysLeft, purgeOn } = restoreWindow(deletedAt, now);
    const window = daysLeft > 0 ? `restore the user from deleted users before ${purgeOn} (${daysLeft} day${daysLeft === 1 ? "" : "s"} left, R2.3)` : "restore the user from deleted users if it is still there (R2.3)";
    out.add(
      mailbox,
      "trustee_deleted",
      "high",
      RIGHT_FIELD[right],
      "present",
      "soft-deleted",
      `${trustee}, who holds ${right} on ${mailbox} in the code, was deleted on ${deletedAt.slice(0, 10)}: the grant gives nobody access and ${fix}${window}, or remove the grant from the code`,
      { trustee, right },
    );
  } else {
    out.add(
      mailbox,
      "trustee_gone",
      "high",
      RIGHT_FIELD[right],
      "present",
      "absent",
      `${trustee}, who holds ${right} on ${mailbox} in the code, is not a user in the tenant, live or deleted (purged, or the UPN changed): ${fix}correct the UPN in the code, or remove the grant`,
      { trustee, right },
    );
  }
  return false;
}

function grantAdded(mailbox: string, trustee: string, right: Right, out: Collector): void {
  out.add(
    mailbox,
    "grant_added",
    ADDED_SEVERITY[right],
    RIGHT_FIELD[right],
    false,
    true,
    `${trustee} holds ${right} on ${mailbox}, which the code does not declare (granted outside exoform, or the code changed and was not applied): ${RIGHT_POWER[right]}; the next exoform apply revokes it; to keep it, declare it in the code (or set permissionsMode "additive")`,
    { trustee, right },
  );
}

function grantRemoved(mailbox: string, trustee: string, right: Right, out: Collector): void {
  out.add(
    mailbox,
    "grant_removed",
    "medium",
    RIGHT_FIELD[right],
    true,
    false,
    `${trustee} does not hold ${right} on ${mailbox}, which the code declares (removed outside exoform, or not applied yet); the next exoform apply grants it again; if they should not have it, remove it from the code`,
    { trustee, right },
  );
}
