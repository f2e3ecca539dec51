/**
 * The canonical form of a desired-state document: defaults applied, addresses
 * and UPNs lower-cased, mailboxes sorted by address and trustees by name.
 * Everything downstream (plan, drift, digests) reads only this form, so two
 * documents that mean the same thing are byte-identical.
 */
import type {
  DesiredState,
  FullAccessGrant,
  IgnoreRule,
  SharedMailboxSpec,
  UserMailboxSpec,
} from "./generated/desired-state.js";
import { compareStrings } from "../private/canonical-json.js";
import { lowerCase } from "../private/text.js";
import { DEFAULT_MANAGEMENT_ATTRIBUTE, type ManagementAttribute } from "./management-tag.js";

export const DESIRED_FORMAT_VERSION = 1;

export interface CanonicalFullAccess {
  readonly trustee: string;
  readonly autoMapping: boolean;
}

export interface CanonicalSharedMailbox {
  readonly address: string;
  /** Primary addresses before a rename, lower-case, sorted; [] when never renamed. */
  readonly previousAddresses: readonly string[];
  readonly displayName: string;
  readonly alias?: string;
  readonly origin: "new" | "convert";
  readonly fullAccess: readonly CanonicalFullAccess[];
  readonly sendAs: readonly string[];
  readonly sendOnBehalf: readonly string[];
  readonly permissionsMode: "authoritative" | "additive";
  /**
   * Every SKU the mailbox's account holds, sorted, without repeats; [] for
   * none. THE canonical representation of licensing: the `license` shorthand
   * of the input ("none" or one SKU) is folded into it, so one meaning has one
   * form and the synthesized document never carries `license`.
   */
  readonly licenses: readonly string[];
  /** Given to the account when it must be licensed and has none (absent: tenant.usageLocation). */
  readonly usageLocation?: string;
  readonly litigationHold: boolean;
  readonly archive: boolean;
  readonly removalPolicy: "retain" | "delete";
  /** Present only for a sign-in exception; absent: sign-in blocked (R4.1), the default. */
  readonly signIn?: CanonicalSignInException;
  readonly hiddenFromAddressLists: boolean;
  /** Extra SMTP addresses (not the primary), lower-case, sorted. */
  readonly emailAddresses: readonly string[];
  readonly messageCopyForSentAs: boolean;
  readonly messageCopyForSendOnBehalf: boolean;
}

/** A declared sign-in exception: the account stays enabled, for the reason given. */
export interface CanonicalSignInException {
  readonly allowed: true;
  readonly reason: string;
}

export interface CanonicalUserMailbox {
  readonly address: string;
  readonly license: string;
}

export interface CanonicalIgnoreRule {
  readonly mailbox: string;
  readonly field?: string;
  readonly reason?: string;
}

export interface CanonicalDesiredState {
  readonly formatVersion: 1;
  readonly stack: string;
  readonly tenant: {
    readonly id: string;
    readonly domains: readonly string[];
    readonly usageLocation?: string;
    /** Where the management tag lives; absent: CustomAttribute15 (DEFAULT_MANAGEMENT_ATTRIBUTE), so the default has one form. */
    readonly managementAttribute?: ManagementAttribute;
  };
  readonly sharedMailboxes: readonly CanonicalSharedMailbox[];
  readonly userMailboxes: readonly CanonicalUserMailbox[];
  readonly ignore?: readonly CanonicalIgnoreRule[];
}

/** Lower-cased (case-insensitive identities); `s` itself when it already is. */
export const lower = lowerCase;

/**
 * One string per distinct name across a document. A large desired state
 * names a few thousand people on a million grants; JSON.parse gives each
 * mention its own string. Sharing one per name saves the memory, and every
 * map the planner looks a trustee up in hashes it once instead of a million
 * times (issue 15).
 */
export class NamePool {
  private readonly names = new Map<string, string>();

  /** `s` lower-cased, as the one string this pool holds for it (looked up as written first: most names repeat exactly). */
  lower(s: string): string {
    const seen = this.names.get(s);
    if (seen !== undefined) return seen;
    const name = lowerCase(s);
    const held = this.names.get(name) ?? name;
    this.names.set(name, held);
    this.names.set(s, held);
    return held;
  }

  /** Every name the pool holds, once each. */
  distinct(): string[] {
    return [...new Set(this.names.values())];
  }
}

/** The trustees of each state canonicalize made, from its pool (beside the state: not part of it, nor of its digest). */
const TRUSTEES = new WeakMap<CanonicalDesiredState, readonly string[]>();

/**
 * Every trustee the code names, on any mailbox and right, once each, as the
 * pool canonicalize filled anyway; undefined for a state made another way.
 */
export function pooledTrustees(state: CanonicalDesiredState): readonly string[] | undefined {
  return TRUSTEES.get(state);
}

export function canonicalFullAccess(g: FullAccessGrant, names?: NamePool): CanonicalFullAccess {
  return { autoMapping: g.autoMapping ?? true, trustee: names !== undefined ? names.lower(g.trustee) : lower(g.trustee) };
}

/** The declared licences as a sorted set: `licenses`, or the `license` shorthand ("none" is none). */
export function declaredLicenses(m: Pick<SharedMailboxSpec, "license" | "licenses">): readonly string[] {
  const list = m.licenses ?? (m.license === undefined || m.license === "none" ? NONE : [m.license]);
  return list.length === 0 ? NONE : [...new Set(list)].sort(compareStrings);
}

/**
 * The one empty list every absent or empty list of the canonical form is (it
 * is read-only): a hundred thousand mailboxes without extra or previous
 * addresses or licences make no arrays for them.
 */
const NONE: readonly string[] = Object.freeze([]);
const NO_FULL_ACCESS: readonly CanonicalFullAccess[] = Object.freeze([]);

export function canonicalSharedMailbox(m: SharedMailboxSpec, names: NamePool = new NamePool()): CanonicalSharedMailbox {
  // keys in sorted order, as canonical JSON writes them: digesting the state then copies nothing (lib/private/canonical-json.ts)
  const out: CanonicalSharedMailbox = {
    address: lower(m.address),
    ...(m.alias !== undefined ? { alias: m.alias } : {}),
    archive: m.archive ?? false,
    displayName: m.displayName,
    emailAddresses: sortedUniqueLower(m.emailAddresses ?? NONE),
    fullAccess: m.fullAccess === undefined || m.fullAccess.length === 0 ? NO_FULL_ACCESS : m.fullAccess.map((g) => canonicalFullAccess(g, names)).sort((a, b) => compareStrings(a.trustee, b.trustee)),
    hiddenFromAddressLists: m.hiddenFromAddressLists ?? false,
    licenses: declaredLicenses(m),
    litigationHold: m.litigationHold ?? false,
    messageCopyForSendOnBehalf: m.messageCopyForSendOnBehalf ?? false,
    messageCopyForSentAs: m.messageCopyForSentAs ?? false,
    origin: m.origin ?? "new",
    permissionsMode: m.permissionsMode ?? "authoritative",
    previousAddresses: sortedUniqueLower(m.previousAddresses ?? NONE),
    removalPolicy: m.removalPolicy ?? "retain",
    sendAs: sortedNames(m.sendAs ?? NONE, names),
    sendOnBehalf: sortedNames(m.sendOnBehalf ?? NONE, names),
    ...(m.signIn?.allowed === true ? { signIn: { allowed: true as const, reason: m.signIn.reason ?? "" } } : {}),
    ...(m.usageLocation !== undefined ? { usageLocation: m.usageLocation } : {}),
  };
  return out;
}

export function canonicalUserMailbox(m: UserMailboxSpec): CanonicalUserMailbox {
  return { address: lower(m.address), license: m.license };
}

function canonicalIgnore(r: IgnoreRule): CanonicalIgnoreRule {
  return {
    ...(r.field !== undefined ? { field: r.field } : {}),
    mailbox: r.mailbox === "*" ? "*" : lower(r.mailbox),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
  };
}

/** Canonicalise a schema-valid document. Does not validate: call validateDesiredState first. */
export function canonicalize(doc: DesiredState): CanonicalDesiredState {
  const names = new NamePool();
  const ignore = (doc.ignore ?? []).map(canonicalIgnore).sort(
    (a, b) => compareStrings(a.mailbox, b.mailbox) || compareStrings(a.field ?? "", b.field ?? ""),
  );
  // keys in sorted order (see canonicalSharedMailbox)
  const state: CanonicalDesiredState = {
    formatVersion: 1,
    ...(ignore.length > 0 ? { ignore } : {}),
    sharedMailboxes: doc.sharedMailboxes.map((m) => canonicalSharedMailbox(m, names)).sort((a, b) => compareStrings(a.address, b.address)),
    stack: doc.stack,
    tenant: {
      domains: sortedLower(doc.tenant.domains),
      id: doc.tenant.id,
      ...(doc.tenant.managementAttribute !== undefined && doc.tenant.managementAttribute !== DEFAULT_MANAGEMENT_ATTRIBUTE
        ? { managementAttribute: doc.tenant.managementAttribute }
        : {}),
      ...(doc.tenant.usageLocation !== undefined ? { usageLocation: doc.tenant.usageLocation } : {}),
    },
    userMailboxes: doc.userMailboxes.map(canonicalUserMailbox).sort((a, b) => compareStrings(a.address, b.address)),
  };
  TRUSTEES.set(state, names.distinct());
  return state;
}

function sortedLower(list: readonly string[]): string[] {
  return list.map(lower).sort(compareStrings);
}

/** Trustee lists: lower-cased through the document's pool, sorted. */
function sortedNames(list: readonly string[], names: NamePool): readonly string[] {
  return list.length === 0 ? NONE : list.map((s) => names.lower(s)).sort(compareStrings);
}

/** Address sets (repeats are a validation error; the canonical form holds each once). */
function sortedUniqueLower(list: readonly string[]): readonly string[] {
  return list.length === 0 ? NONE : sortedLower(list).filter((a, i, all) => a !== all[i - 1]);
}

/** The domain part of an address, lower-cased. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}
