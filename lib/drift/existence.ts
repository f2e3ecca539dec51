/**
 * Drift in a mailbox's existence: its account or the mailbox itself
 * soft-deleted (CRITICAL, with the restore procedure and the days left), or
 * gone for good. Never advise deleting an anchor (R2.1).
 */
import { DAY_MS, RECYCLE_BIN_DAYS } from "../model/service-rules.js";
import type { ObservedMailbox, ObservedUser } from "../provider/observed.js";
import type { Collector } from "./collector.js";

/** Days left before a soft-deleted object is purged, and the purge date. */
export function restoreWindow(deletedAt: string, observedAt: string): { daysLeft: number; purgeOn: string } {
  const purge = Date.parse(deletedAt) + RECYCLE_BIN_DAYS * DAY_MS;
  const left = purge - Date.parse(observedAt);
  return { daysLeft: left > 0 ? Math.ceil(left / DAY_MS) : 0, purgeOn: new Date(purge).toISOString().slice(0, 10) };
}

/**
 * The account (anchor of a shared mailbox, or a person's account) or the
 * mailbox is soft-deleted, or the account is gone. CRITICAL, with the restore
 * procedure and the days left (R2.3, R2.5, R7.3). Never delete anchors (R2.1).
 */
export function deletionItem(
  address: string,
  kind: "shared" | "user",
  account: ObservedUser | null,
  mailbox: ObservedMailbox,
  now: string,
  out: Collector,
): void {
  const accountDeleted = account === null || account.deletedAt !== null;
  const deletedAt = account?.deletedAt ?? mailbox.deletedAt;
  const whose = kind === "shared" ? `the account of shared mailbox ${address}` : `the account of ${address}`;
  let what: string;
  let when: string;
  if (deletedAt === null) {
    what = `${whose} is missing (not live, not in deleted users): the mailbox cannot work without it`;
    when = "check the recycle bin in the admin center at once; if it was purged, the mailbox's mail survives only if it was on hold (inactive mailbox)";
  } else {
    const { daysLeft, purgeOn } = restoreWindow(deletedAt, now);
    what = accountDeleted
      ? `${whose} was deleted on ${deletedAt.slice(0, 10)} and the mailbox went with it`
      : `mailbox ${address} was deleted on ${deletedAt.slice(0, 10)}`;
    when =
      daysLeft > 0
        ? `it is purged for good on ${purgeOn}, ${daysLeft} day${daysLeft === 1 ? "" : "s"} from now; restore the account from deleted users (admin center > Users > Deleted users, or POST /directory/deletedItems/${account?.id ?? mailbox.userId}/restore) before then, wait 20-30 minutes for the mailbox to come back, then run exoform apply (R2.3, R2.5)`
        : `its 30-day restore window ended on ${purgeOn}: it may already be purged; if it is still in deleted users restore it now, then run exoform apply (R2.3)`;
  }
  const hold = mailbox.litigationHold ? "; it was on litigation hold, so after a purge Exchange keeps it as an inactive mailbox" : "";
  const never = kind === "shared" ? "; never delete a shared mailbox's account (R2.1)" : "";
  out.add(
    address,
    kind === "shared" && accountDeleted ? "anchor_deleted" : "mailbox_deleted",
    "critical",
    "mailbox",
    "present",
    deletedAt === null ? "absent" : "soft-deleted",
    `${what}; ${when}${hold}${never}`,
  );
}
