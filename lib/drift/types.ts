/**
 * The drift report (formatVersion 1): what `exoform drift --format json`
 * prints and schema/drift.schema.json describes. Renderers read only this.
 */
import type { Right } from "../provider/observed.js";

export const DRIFT_FORMAT_VERSION = 1;

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
  "fullAccess",
  "sendAs",
  "sendOnBehalf",
] as const;
export type DriftField = (typeof DRIFT_FIELDS)[number];

/** Stable codes, one per kind of drift. Adding one is backwards-compatible; renaming one is not. */
export type DriftCode =
  /** The shared mailbox's anchor account is in the recycle bin (R2.1, R2.3). */
  | "anchor_deleted"
  /** The mailbox is soft-deleted while its account is not (or it is a person's mailbox). */
  | "mailbox_deleted"
  /** Neither the mailbox nor its account exists any more, live or soft-deleted (purged). */
  | "mailbox_gone"
  /** A shared mailbox is a user mailbox again (hybrid sync overwrite R6.3, or an admin). */
  | "mailbox_reverted_to_user"
  /** A mailbox the code turns back into a person's mailbox is shared again. */
  | "mailbox_reverted_to_shared"
  /** Sign-in is enabled on a shared mailbox's account (R4.1). */
  | "signin_enabled"
  /** Sign-in is blocked on a person's mailbox the code gave back (userMailboxes). */
  | "signin_blocked"
  /** The license the code declares is gone. */
  | "license_removed"
  /** The mailbox's licenses no longer cover its size, hold or archive (R1.4-R1.6). */
  | "license_insufficient"
  /** A license the code does not declare was assigned. */
  | "license_unexpected"
  | "display_name_changed"
  | "alias_changed"
  | "litigation_hold_disabled"
  | "litigation_hold_enabled"
  | "archive_disabled"
  | "archive_enabled"
  /** A grant the code does not declare was added (authoritative mode only). */
  | "grant_added"
  /** A grant the code declares was removed. */
  | "grant_removed"
  /** A FullAccess grant's autoMapping differs from the code. */
  | "automapping_changed"
  /** A trustee the code grants a right to is soft-deleted: the grant is dead and the plan refuses it (R3.7). */
  | "trustee_deleted"
  /** A trustee the code grants a right to is not a user any more, live or deleted (purged). */
  | "trustee_gone";

/** A JSON value, as expected/actual carry it. */
export type DriftValue = string | number | boolean | null | readonly string[];

export interface DriftItem {
  /** The mailbox address (lower-case). */
  readonly mailbox: string;
  readonly code: DriftCode;
  readonly severity: DriftSeverity;
  readonly field: DriftField;
  /** Grants: the trustee (lower-case UPN) and right. */
  readonly trustee?: string;
  readonly right?: Right;
  /** What the desired state says, normalised. Grants: whether the trustee holds the right. */
  readonly expected: DriftValue;
  /** What the tenant says, normalised. */
  readonly actual: DriftValue;
  /** What happened and how to fix it: one or more plain sentences, lower-case start, no trailing period. */
  readonly message: string;
}

export type PendingReason =
  /** origin "new" and the mailbox does not exist yet. */
  | "not_created"
  /** origin "convert" and it is still a user mailbox (or a soft-deleted one the plan restores). */
  | "not_converted"
  /** userMailboxes: still shared, not yet given back. */
  | "not_converted_back"
  /** An undeclared mailbox this stack tagged for deletion: the next apply deletes it. */
  | "deletion_pending"
  /** The management tag (CustomAttribute15) does not match removalPolicy yet: apply writes it. */
  | "management_tag";

/** A difference that is not drift: the code is ahead of the tenant, the next apply closes it. */
export interface PendingItem {
  readonly mailbox: string;
  readonly reason: PendingReason;
  readonly message: string;
}

export interface DriftSummary {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  readonly total: number;
}

export interface DriftReport {
  readonly formatVersion: typeof DRIFT_FORMAT_VERSION;
  readonly stack: string;
  readonly tenantId: string;
  /** The tenant clock when it was observed. */
  readonly observedAt: string;
  /** "sha256:<hex>" of the canonical desired-state document compared against. */
  readonly desiredDigest: string;
  /** Sorted by mailbox, then severity (most severe first), field, trustee, code. */
  readonly items: readonly DriftItem[];
  /** How many pending items there are (not drift). */
  readonly pending: number;
  readonly pendingItems: readonly PendingItem[];
  /** How many drift items an ignore rule suppressed. */
  readonly ignored: number;
  readonly summary: DriftSummary;
  /** True when items is not empty. */
  readonly drifted: boolean;
}
