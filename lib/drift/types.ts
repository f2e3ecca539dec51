/**
 * The drift report (formatVersion 1): what `exoform drift --format json`
 * prints and schema/drift.schema.json describes. Renderers read only this.
 */
import type { Right } from "../provider/observed.js";

export const DRIFT_FORMAT_VERSION = 1;

export {
  DRIFT_CODES,
  DRIFT_FIELDS,
  SEVERITIES,
  type DriftCode,
  type DriftField,
  type DriftSeverity,
} from "../compare/vocabulary.js";
import type { DriftCode, DriftField, DriftSeverity } from "../compare/vocabulary.js";

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
  /** previousAddresses: the mailbox is still at an old address; the next apply renames it. */
  | "not_renamed"
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
  /** Shared mailboxes no stack declares; absent when there are none. */
  readonly unmanaged?: UnmanagedMailboxes;
}

/**
 * The tenant's live shared mailboxes that no stack declares (not declared in
 * this desired state, no exoform management tag): information for adoption,
 * never drift, never in the exit code.
 */
export interface UnmanagedMailboxes {
  readonly count: number;
  /** Their addresses, sorted; only when asked for (`exoform drift --unmanaged`). */
  readonly mailboxes?: readonly string[];
}
