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

export const DESIRED_FORMAT_VERSION = 1;

export interface CanonicalFullAccess {
  readonly trustee: string;
  readonly autoMapping: boolean;
}

export interface CanonicalSharedMailbox {
  readonly address: string;
  readonly displayName: string;
  readonly alias?: string;
  readonly origin: "new" | "convert";
  readonly fullAccess: readonly CanonicalFullAccess[];
  readonly sendAs: readonly string[];
  readonly sendOnBehalf: readonly string[];
  readonly permissionsMode: "authoritative" | "additive";
  readonly license: string;
  /** Given to the account when it must be licensed and has none (absent: tenant.usageLocation). */
  readonly usageLocation?: string;
  readonly litigationHold: boolean;
  readonly archive: boolean;
  readonly removalPolicy: "retain" | "delete";
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
  readonly tenant: { readonly id: string; readonly domains: readonly string[]; readonly usageLocation?: string };
  readonly sharedMailboxes: readonly CanonicalSharedMailbox[];
  readonly userMailboxes: readonly CanonicalUserMailbox[];
  readonly ignore?: readonly CanonicalIgnoreRule[];
}

export const lower = (s: string): string => s.toLowerCase();

export function canonicalFullAccess(g: FullAccessGrant): CanonicalFullAccess {
  return { trustee: lower(g.trustee), autoMapping: g.autoMapping ?? true };
}

export function canonicalSharedMailbox(m: SharedMailboxSpec): CanonicalSharedMailbox {
  const out: CanonicalSharedMailbox = {
    address: lower(m.address),
    displayName: m.displayName,
    ...(m.alias !== undefined ? { alias: m.alias } : {}),
    origin: m.origin ?? "new",
    fullAccess: (m.fullAccess ?? []).map(canonicalFullAccess).sort((a, b) => compareStrings(a.trustee, b.trustee)),
    sendAs: sortedLower(m.sendAs ?? []),
    sendOnBehalf: sortedLower(m.sendOnBehalf ?? []),
    permissionsMode: m.permissionsMode ?? "authoritative",
    license: m.license ?? "none",
    ...(m.usageLocation !== undefined ? { usageLocation: m.usageLocation } : {}),
    litigationHold: m.litigationHold ?? false,
    archive: m.archive ?? false,
    removalPolicy: m.removalPolicy ?? "retain",
  };
  return out;
}

export function canonicalUserMailbox(m: UserMailboxSpec): CanonicalUserMailbox {
  return { address: lower(m.address), license: m.license };
}

function canonicalIgnore(r: IgnoreRule): CanonicalIgnoreRule {
  return {
    mailbox: r.mailbox === "*" ? "*" : lower(r.mailbox),
    ...(r.field !== undefined ? { field: r.field } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
  };
}

/** Canonicalise a schema-valid document. Does not validate: call validateDesiredState first. */
export function canonicalize(doc: DesiredState): CanonicalDesiredState {
  const ignore = (doc.ignore ?? []).map(canonicalIgnore).sort(
    (a, b) => compareStrings(a.mailbox, b.mailbox) || compareStrings(a.field ?? "", b.field ?? ""),
  );
  return {
    formatVersion: 1,
    stack: doc.stack,
    tenant: {
      id: doc.tenant.id,
      domains: sortedLower(doc.tenant.domains),
      ...(doc.tenant.usageLocation !== undefined ? { usageLocation: doc.tenant.usageLocation } : {}),
    },
    sharedMailboxes: doc.sharedMailboxes.map(canonicalSharedMailbox).sort((a, b) => compareStrings(a.address, b.address)),
    userMailboxes: doc.userMailboxes.map(canonicalUserMailbox).sort((a, b) => compareStrings(a.address, b.address)),
    ...(ignore.length > 0 ? { ignore } : {}),
  };
}

function sortedLower(list: readonly string[]): string[] {
  return list.map(lower).sort(compareStrings);
}

/** The domain part of an address, lower-cased. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}
