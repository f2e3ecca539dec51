/**
 * The names a difference between the code and the tenant can carry: the
 * fields compared and the stable drift codes and severities. They live with
 * the comparison, not with drift, because the comparison is what yields them
 * (lib/compare/settings.ts holds the table that maps each field to its codes);
 * lib/drift/types.ts re-exports them for the report's readers.
 *
 * schema/drift.schema.json enumerates the same lists; test/compare checks
 * that the two agree, so a field added here and not there fails a test.
 */

export type DriftSeverity = "critical" | "high" | "medium" | "low";

/** Most severe first: the order of the summary, the renderers and the sort. */
export const SEVERITIES: readonly DriftSeverity[] = ["critical", "high", "medium", "low"];

/**
 * The fields an item can name; also what an ignore rule's `field` may say.
 * Grants use the desired-state names (fullAccess, sendAs, sendOnBehalf);
 * `mailbox` is the mailbox's existence (deleted, gone).
 */
export const DRIFT_FIELDS = [
  "mailbox",
  "type",
  "accountEnabled",
  "license",
  "displayName",
  "alias",
  "litigationHold",
  "archive",
  "hiddenFromAddressLists",
  "emailAddresses",
  "messageCopyForSentAs",
  "messageCopyForSendOnBehalf",
  "fullAccess",
  "sendAs",
  "sendOnBehalf",
] as const;
export type DriftField = (typeof DRIFT_FIELDS)[number];

/** Stable codes, one per kind of drift. Adding one is backwards-compatible; renaming one is not. */
export const DRIFT_CODES = [
  /** The shared mailbox's anchor account is in the recycle bin (R2.1, R2.3). */
  "anchor_deleted",
  /** The mailbox is soft-deleted while its account is not (or it is a person's mailbox). */
  "mailbox_deleted",
  /** Neither the mailbox nor its account exists any more, live or soft-deleted (purged). */
  "mailbox_gone",
  /** A shared mailbox is a user mailbox again (hybrid sync overwrite R6.3, or an admin). */
  "mailbox_reverted_to_user",
  /** A mailbox the code turns back into a person's mailbox is shared again. */
  "mailbox_reverted_to_shared",
  /** Sign-in is enabled on a shared mailbox's account (R4.1). */
  "signin_enabled",
  /** Sign-in is blocked on a person's mailbox the code gave back (userMailboxes). */
  "signin_blocked",
  /** The license the code declares is gone. */
  "license_removed",
  /** The mailbox's licenses no longer cover its size, hold or archive (R1.4-R1.6). */
  "license_insufficient",
  /** A license the code does not declare was assigned. */
  "license_unexpected",
  "display_name_changed",
  "alias_changed",
  "litigation_hold_disabled",
  "litigation_hold_enabled",
  "archive_disabled",
  "archive_enabled",
  /** The mailbox was hidden from, or shown in, the address lists against the code. */
  "address_list_visibility_changed",
  /** The mailbox's extra SMTP addresses differ from the code's (emailAddresses, previousAddresses). */
  "email_addresses_changed",
  /** MessageCopyForSentAs / MessageCopyForSendOnBehalf differs from the code. */
  "message_copy_changed",
  /** A grant the code does not declare was added (authoritative mode only). */
  "grant_added",
  /** A grant the code declares was removed. */
  "grant_removed",
  /** A FullAccess grant's autoMapping differs from the code. */
  "automapping_changed",
  /** A trustee the code grants a right to is soft-deleted: the grant is dead and the plan refuses it (R3.7). */
  "trustee_deleted",
  /** A trustee the code grants a right to is not a user any more, live or deleted (purged). */
  "trustee_gone",
] as const;
export type DriftCode = (typeof DRIFT_CODES)[number];
