/**
 * The policy file (schema/policy.schema.json, formatVersion 1) and what
 * evaluating it returns. A policy is a list of declarative rules checked
 * against a plan document before anyone applies it.
 */
import type { Right } from "../provider/observed.js";

export const POLICY_FORMAT_VERSION = 1;

export type PolicyLevel = "advisory" | "mandatory";

interface RuleBase {
  /** Stable id, unique in the file: what results and messages name. */
  readonly id: string;
  readonly level: PolicyLevel;
  /** Why the rule exists, shown with its result. */
  readonly description: string;
}

/** Only these principals may gain the rights named (default FullAccess): UPNs ("a@b.com") and/or domains ("contoso.com"). */
export interface FullAccessTrusteesRule extends RuleBase {
  readonly kind: "fullAccessTrustees";
  readonly allow: readonly string[];
  readonly rights?: readonly Right[];
}

/** At most `max` FullAccess trustees on any mailbox the plan gives FullAccess on, counted after the plan. */
export interface MaxMembersRule extends RuleBase {
  readonly kind: "maxMembers";
  readonly max: number;
}

/** No action with destructive: true. */
export interface NoDestructiveRule extends RuleBase {
  readonly kind: "noDestructive";
}

/** No access granted to a mailbox on litigation hold unless the grant is listed as reviewed. */
export interface HoldReviewRule extends RuleBase {
  readonly kind: "holdReview";
  /** Mailboxes known to be on hold, in addition to what the plan and the context say. */
  readonly holdMailboxes?: readonly string[];
  /** Grants a reviewer approved: they pass. `right` omitted: any right. */
  readonly reviewed?: readonly { readonly mailbox: string; readonly trustee: string; readonly right?: Right }[];
}

/**
 * No shared mailbox declares a sign-in exception (signIn: { allowed: true }),
 * except those listed in `allow`: nobody should sign in to a shared mailbox (R4.1).
 */
export interface ForbidSignInExceptionsRule extends RuleBase {
  readonly kind: "forbidSignInExceptions";
  /** Mailboxes whose exception is approved (lower-case addresses). */
  readonly allow?: readonly string[];
}

export type PolicyRule = FullAccessTrusteesRule | MaxMembersRule | NoDestructiveRule | HoldReviewRule | ForbidSignInExceptionsRule;
export type PolicyRuleKind = PolicyRule["kind"];

export interface Policy {
  readonly formatVersion: typeof POLICY_FORMAT_VERSION;
  readonly rules: readonly PolicyRule[];
}

/**
 * What the plan document alone does not say, supplied by the caller (the
 * plan command has the observed state: see policyContextFromObserved).
 */
export interface PolicyContext {
  /** Mailboxes on litigation hold now. */
  readonly holdMailboxes?: Iterable<string>;
  /** Direct FullAccess trustees per mailbox now (lower-case address -> count). */
  readonly fullAccessCounts?: ReadonlyMap<string, number>;
  /**
   * The sign-in exceptions the desired state declares (lower-case mailbox
   * address -> reason): see policyContextFromDesired. Absent: not known, and
   * forbidSignInExceptions fails rather than pass unchecked.
   */
  readonly signInExceptions?: ReadonlyMap<string, string>;
}

export interface PolicyViolation {
  /** The mailbox address or UPN the violation is about. */
  readonly target: string;
  readonly message: string;
}

export interface PolicyResult {
  readonly ruleId: string;
  readonly kind: PolicyRuleKind;
  readonly level: PolicyLevel;
  readonly description: string;
  readonly passed: boolean;
  readonly violations: readonly PolicyViolation[];
}
