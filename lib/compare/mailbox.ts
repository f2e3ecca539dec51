/**
 * The per-mailbox comparison the planner and drift share: a declared
 * mailbox against the live mailbox, its anchor account and its grants. It
 * says WHAT differs; the planner decides the steps that close it (and their
 * order, seats and waits), drift how bad it is that the tenant moved.
 *
 * Which state a mailbox is in (absent, soft-deleted, a user mailbox still to
 * convert) is not compared here: there the two answer different questions
 * (the planner picks a path, drift judges pending against drifted), and each
 * states its rule where it makes it.
 */
import { formatManagementTag, parseManagementTag } from "../model/management-tag.js";
import type { CanonicalSharedMailbox, CanonicalUserMailbox } from "../model/normalize.js";
import { compareStrings } from "../private/canonical-json.js";
import { mailboxSettings, type ObservedGrant, type ObservedMailbox, type ObservedUser } from "../provider/observed.js";
import type { HeldGrants } from "./observed-index.js";
import { compareGrants, type GrantComparison } from "./grants.js";
import { compareSettings, type SettingDifference } from "./settings.js";

// ------------------------------------------------------------------ licences

const NONE: readonly string[] = [];

/** A declaration of licences: a shared mailbox's canonical list, or a user mailbox's one licence ("none": none). */
export type LicenseDeclaration = { readonly licenses: readonly string[] } | { readonly license: string };

/**
 * The SKUs the code declares for a mailbox's account: a shared mailbox's
 * `licenses` (canonical, sorted), a user mailbox's one licence, or none. The
 * one place that reads the declaration, for the planner and drift.
 */
export function desiredLicenses(spec: LicenseDeclaration): readonly string[] {
  if ("licenses" in spec) return spec.licenses;
  return spec.license === "none" ? NONE : [spec.license];
}

export interface LicenseComparison {
  /** What the code declares. */
  readonly expected: readonly string[];
  /** Declared, not held. */
  readonly missing: readonly string[];
  /** Held, not declared (in the order held). */
  readonly extra: readonly string[];
}

export function compareLicenses(spec: LicenseDeclaration, held: readonly string[]): LicenseComparison {
  const expected = desiredLicenses(spec);
  // the common case, held exactly as declared, builds nothing
  if (held.length === expected.length && expected.every((s) => held.includes(s))) return { expected, missing: NONE, extra: NONE };
  return { expected, missing: expected.filter((s) => !held.includes(s)), extra: held.filter((s) => !expected.includes(s)) };
}


// ------------------------------------------------------------------ management tag

export interface TagComparison {
  /** The tag the mailbox carries (its management attribute), null when unset. */
  readonly current: string | null;
  /** The tag the mailbox must carry; null: no deletion tag of this stack (other values are left alone). */
  readonly want: string | null;
  /** The stack the current tag names, if it is exoform's. */
  readonly owner: string | undefined;
  /** The tag must be written or cleared. */
  readonly differs: boolean;
}

/**
 * removalPolicy "delete" needs this stack's tag; "retain" needs none of this
 * stack's (another stack's tag is that stack's business: the planner refuses
 * to take it over, drift only reports it pending).
 */
export function compareTag(removalPolicy: "retain" | "delete", current: string | null, stack: string): TagComparison {
  const want = removalPolicy === "delete" ? formatManagementTag({ stack, removal: "delete" }) : null;
  const owner = parseManagementTag(current)?.stack;
  return { current, want, owner, differs: want !== null ? current !== want : owner === stack };
}

/**
 * Whether an undeclared mailbox is this stack's to delete: a live shared
 * mailbox tagged by this stack with removal=delete. The plan deletes exactly
 * these, and drift reports exactly these as pending deletions.
 */
export function deletableByStack(m: ObservedMailbox, stack: string): boolean {
  if (m.deletedAt !== null || m.type !== "shared") return false;
  const tag = parseManagementTag(m.managementTag);
  return tag !== null && tag.stack === stack && tag.removal === "delete";
}

// ------------------------------------------------------------------ shared mailboxes

/**
 * What a shared mailbox's account must have done to its sign-in: "block"
 * (enabled, and the code declares no exception: nobody signs in to a shared
 * mailbox, R4.1), "allow" (blocked, and the code declares a sign-in
 * exception), or null (as the code says). The one rule the planner's paths
 * and drift read.
 */
export type SignInChange = "block" | "allow" | null;

export function compareSignIn(spec: Pick<CanonicalSharedMailbox, "signIn">, accountEnabled: boolean): SignInChange {
  const allowed = spec.signIn?.allowed === true;
  return accountEnabled === allowed ? null : allowed ? "allow" : "block";
}

export interface SharedMailboxComparison {
  /** The anchor's sign-in differs from the code (compareSignIn). */
  readonly signIn: SignInChange;
  readonly licenses: LicenseComparison;
  readonly settings: readonly SettingDifference[];
  readonly tag: TagComparison;
  readonly grants: GrantComparison;
  /** Nothing differs: the planner has only its checks to run, drift nothing to report. */
  readonly same: boolean;
}

/** A declared shared mailbox against the live shared mailbox `live`, its anchor and its grants. */
export function compareSharedMailbox(
  spec: CanonicalSharedMailbox,
  live: ObservedMailbox,
  anchor: ObservedUser,
  grants: HeldGrants | readonly ObservedGrant[],
  stack: string,
): SharedMailboxComparison {
  const signIn = compareSignIn(spec, anchor.accountEnabled);
  const licenses = compareLicenses(spec, anchor.licenses);
  const settings = compareSettings(spec, live);
  const tag = compareTag(spec.removalPolicy, live.managementTag, stack);
  const granted = compareGrants(spec, grants);
  const same = signIn === null && licenses.missing.length === 0 && licenses.extra.length === 0 && settings.length === 0 && !tag.differs && granted.same;
  return { signIn, licenses, settings, tag, grants: granted, same };
}

// ------------------------------------------------------------------ user mailboxes (given back to people)

export interface UserMailboxComparison {
  /** Still shared: to convert back to a user mailbox (R1.12). */
  readonly shared: boolean;
  /** The declared licence is not held. */
  readonly unlicensed: boolean;
  /** Sign-in is blocked on the person's account. */
  readonly signInBlocked: boolean;
  /** A person's mailbox carries no deletion tag of this stack: leaving the code must never delete it. */
  readonly tag: TagComparison;
}

export function compareUserMailbox(spec: CanonicalUserMailbox, live: ObservedMailbox, account: ObservedUser, stack: string): UserMailboxComparison {
  return {
    shared: live.type === "shared",
    unlicensed: compareLicenses(spec, account.licenses).missing.length > 0,
    signInBlocked: !account.accountEnabled,
    tag: compareTag("retain", live.managementTag, stack),
  };
}

// ------------------------------------------------------------------ renames (previousAddresses, decision 0010)

/**
 * Where a declared mailbox is today when it is not at its address: the live
 * mailbox at one of its previous addresses (the code renamed it). undefined:
 * at none (or the mailbox is at its address); "ambiguous": at several, which
 * only the tenant's history could settle.
 */
export function renamedFrom(spec: Pick<CanonicalSharedMailbox, "previousAddresses">, mailboxes: ReadonlyMap<string, ObservedMailbox>): ObservedMailbox | "ambiguous" | undefined {
  let found: ObservedMailbox | undefined;
  for (const previous of spec.previousAddresses) {
    const m = mailboxes.get(previous);
    if (m === undefined) continue;
    if (found !== undefined) return "ambiguous";
    found = m;
  }
  return found;
}

/** A mailbox, its anchor and grants as they will be once renamed to `address`. */
export interface Renamed {
  readonly mailbox: ObservedMailbox;
  readonly anchor: ObservedUser;
  readonly grants: readonly ObservedGrant[];
  /** The anchor's UPN follows the address (it was the old address): the account is renamed too. */
  readonly renamesAccount: boolean;
}

/**
 * `live` (at a previous address) as a rename to `address` leaves it: the old
 * primary kept as an extra address (Set-Mailbox -WindowsEmailAddress), the
 * grants and settings unchanged, and the anchor's UPN following the address
 * when it was the old one (decision 0010). Settings, licences and grants are
 * then compared against this, so the rename is one step, never a delete and
 * a create.
 */
export function asRenamed(live: ObservedMailbox, anchor: ObservedUser, grants: readonly ObservedGrant[], address: string): Renamed {
  const extra = mailboxSettings(live).emailAddresses;
  const renamesAccount = anchor.userPrincipalName === live.address;
  return {
    mailbox: { ...live, address, emailAddresses: [...new Set([...extra, live.address])].filter((a) => a !== address).sort(compareStrings) },
    anchor: renamesAccount ? { ...anchor, userPrincipalName: address } : anchor,
    grants: grants.map((g) => ({ ...g, mailbox: address })),
    renamesAccount,
  };
}
