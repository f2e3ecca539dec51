/**
 * The plan document (formatVersion 1): the contract between the planner and
 * every consumer, human or pipeline. Renderers read only this; apply executes
 * only this; schema/plan.schema.json describes it for everyone else.
 *
 * The action vocabulary is closed: an older exoform refuses a plan with an
 * action type it does not know (schema/plan.schema.json is closed), so an
 * added type needs no formatVersion bump; a changed meaning would
 * (docs/decisions/0011, "A new action type").
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ManagementAttribute } from "../model/management-tag.js";
import type { CanonicalDesiredState } from "../model/normalize.js";
import type { Right } from "../provider/observed.js";

export const PLAN_FORMAT_VERSION = 1;

export type ActionType =
  | "user.restore"
  | "user.assignLicense"
  | "user.removeLicense"
  | "user.resetPassword"
  | "user.blockSignIn"
  | "user.allowSignIn"
  | "user.revokeSessions"
  | "user.rename"
  | "mailbox.create"
  | "mailbox.convert"
  | "mailbox.rename"
  | "mailbox.update"
  | "mailbox.wait"
  | "mailbox.delete"
  | "permission.grant"
  | "permission.revoke";

export const ACTION_TYPES: readonly ActionType[] = [
  "user.restore",
  "user.assignLicense",
  "user.removeLicense",
  "user.resetPassword",
  "user.blockSignIn",
  "user.allowSignIn",
  "user.revokeSessions",
  "user.rename",
  "mailbox.create",
  "mailbox.convert",
  "mailbox.rename",
  "mailbox.update",
  "mailbox.wait",
  "mailbox.delete",
  "permission.grant",
  "permission.revoke",
];

/** Who gains or loses which right on which mailbox: the first thing a reviewer reads. */
export interface AccessChange {
  readonly mailbox: string;
  readonly principal: string;
  readonly right: Right;
  readonly change: "gain" | "lose";
}

/** Params per action type. All values JSON. */
export interface ActionParams {
  /** user.*: the user's object id when it matters (user.restore: the deleted object's id). */
  readonly userId?: string;
  /** user.assignLicense / user.removeLicense: SKU part number. */
  readonly sku?: string;
  /** user.assignLicense: why the seat is only temporary (removed after conversion). */
  readonly temporary?: boolean;
  /**
   * user.assignLicense: SKUs removed in the same call (Graph's assignLicense takes
   * addLicenses and removeLicenses together), because they cannot be held
   * alongside `sku`: Exchange Online Plan 1 and Plan 2 are mutually exclusive (R7.2).
   */
  readonly replaces?: readonly string[];
  /**
   * user.assignLicense: the account has no usage location, so apply sets this
   * one first (PATCH /users {usageLocation}); licensing needs one (R7.1).
   */
  readonly usageLocation?: string;
  /**
   * user.revokeSessions: the plan's observedAt. The revocation is done once
   * the account's sessions were revoked at or after it (sessionsRevokedAt), so
   * apply can tell from the tenant whether it ran.
   */
  readonly revokedAfter?: string;
  /**
   * mailbox.rename: the mailbox's primary address before the rename (the
   * target is the new one). user.rename: the account's UPN before it.
   */
  readonly from?: string;
  /** mailbox.create: the new mailbox. */
  readonly displayName?: string;
  readonly alias?: string;
  /** mailbox.convert. */
  readonly to?: "shared" | "regular";
  /** mailbox.update: field -> { from, to }. */
  readonly changes?: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
  /** mailbox.wait. */
  readonly for?: "provisioned" | "recreated" | "propagated";
  readonly minutes?: number;
  /** permission.*. */
  readonly right?: Right;
  readonly trustee?: string;
  readonly autoMapping?: boolean;
}

export interface PlanAction {
  /** Stable, unique, readable: derived from type, target and params, never from position. */
  readonly id: string;
  readonly type: ActionType;
  /** The mailbox address or UPN acted on. */
  readonly target: string;
  readonly params: ActionParams;
  /** Ids of actions that must complete before this one starts; all appear earlier in actions[]. */
  readonly dependsOn: readonly string[];
  /** Stable snake_case code: why this step is there (e.g. "license_required_for_conversion"). */
  readonly reason: string;
  /** One plain sentence a reviewer can read. */
  readonly description: string;
  /** Loses data or access that cannot be given back by re-applying (mailbox.delete, revokes). */
  readonly destructive: boolean;
  /** Who gains or loses which right through this action (grants, revokes, conversions). */
  readonly access: readonly AccessChange[];
}

/**
 * Fingerprints of the tenant objects the plan's actions depend on, so that
 * apply can refuse a plan the tenant has moved away from. Keys are
 * "mailbox:<address>", "user:<upn>", "grants:<address>", "sku:<part>".
 */
export interface PlanFingerprint {
  readonly algorithm: "sha256";
  readonly objects: Readonly<Record<string, string>>;
}

export interface PlanSummary {
  readonly actions: number;
  readonly create: number;
  readonly update: number;
  readonly destroy: number;
  readonly destructive: number;
  readonly accessGained: number;
  readonly accessLost: number;
  readonly errors: number;
  readonly warnings: number;
}

export interface PlanDocument {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly stack: string;
  readonly tenantId: string;
  /** The tenant clock when it was observed (the plan's only time). */
  readonly observedAt: string;
  /** "sha256:<hex>" of the canonical desired-state document. */
  readonly desiredDigest: string;
  readonly fingerprint: PlanFingerprint;
  /** tenant.managementAttribute when not the default (CustomAttribute15): where apply of this saved plan writes the tag. */
  readonly managementAttribute?: ManagementAttribute;
  /** Mailboxes the plan was restricted to with --target; absent: all. */
  readonly targets?: readonly string[];
  /** In a valid execution order: every dependsOn id appears earlier. */
  readonly actions: readonly PlanAction[];
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: PlanSummary;
  /** "sha256:<hex>" of this document with contentDigest removed: apply refuses a modified plan. */
  readonly contentDigest: string;
}

/**
 * A plan as a reviewer reads it: the document without the digests and
 * fingerprints that only a saved or applied plan needs (lib/plan/document.ts
 * adds them when the plan is sealed). Renderers of text and markdown take this.
 */
export type PlanView = Omit<PlanDocument, "desiredDigest" | "fingerprint" | "contentDigest">;

/** What the caller can ask of the planner (the CLI's flags). */
export interface PlanOptions {
  /** --target: plan only these mailboxes (addresses, any case) and the users they touch. */
  readonly targets?: readonly string[];
  /**
   * The desired state the tenant was last applied from (e.g. the base
   * branch's, in a pull request): what the tenant cannot remember, so the
   * plan can note mailboxes that left the code and are kept, and
   * permissionsMode changes (lib/plan/notes.ts). Changes no action.
   */
  readonly previous?: CanonicalDesiredState;
}
