/**
 * One observation indexed once, for the planner and drift alike: maps by
 * address, UPN and id, so nothing is scanned per mailbox. Addresses and UPNs
 * are lower-cased here, the one place, so neither consumer can report a
 * difference that is only one of case (providers already lower-case them;
 * this is the guard for the ones that do not).
 */
import { compareStrings } from "../private/canonical-json.js";
import { lowerCase as lower, mayHaveCapitals } from "../private/text.js";
import type { ObservedGrant, ObservedGroup, ObservedMailbox, ObservedSku, ObservedState, ObservedUser } from "../provider/observed.js";

export interface ObservedIndex {
  /** Live users by UPN. */
  readonly users: ReadonlyMap<string, ObservedUser>;
  /** Soft-deleted users by UPN (several may share one). */
  readonly deletedUsers: ReadonlyMap<string, readonly ObservedUser[]>;
  readonly usersById: ReadonlyMap<string, ObservedUser>;
  /** Live mailboxes by address. */
  readonly mailboxes: ReadonlyMap<string, ObservedMailbox>;
  /** Soft-deleted mailboxes by address. */
  readonly deletedMailboxes: ReadonlyMap<string, readonly ObservedMailbox[]>;
  /** Grants by mailbox address. */
  readonly grants: ReadonlyMap<string, readonly ObservedGrant[]>;
  readonly skus: ReadonlyMap<string, ObservedSku>;
  readonly servicePlansBySku: ReadonlyMap<string, readonly string[]>;
  /** Extra SMTP addresses (emailAddresses) of every mailbox, live or soft-deleted, to the mailbox's address. */
  readonly proxies: ReadonlyMap<string, string>;
  /** Mail-enabled security groups by address (trustees like people; empty when the provider reads no groups). */
  readonly groups: ReadonlyMap<string, ObservedGroup>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function indexObserved(observed: ObservedState): ObservedIndex {
  const users = new Map<string, ObservedUser>();
  const deletedUsers = new Map<string, ObservedUser[]>();
  const usersById = new Map<string, ObservedUser>();
  for (const raw of observed.users) {
    const upn = lower(raw.userPrincipalName);
    const u = upn === raw.userPrincipalName ? raw : { ...raw, userPrincipalName: upn };
    usersById.set(u.id, u);
    if (u.deletedAt === null) users.set(upn, u);
    else push(deletedUsers, upn, u);
  }
  const mailboxes = new Map<string, ObservedMailbox>();
  const deletedMailboxes = new Map<string, ObservedMailbox[]>();
  const proxies = new Map<string, string>();
  for (const raw of observed.mailboxes) {
    const address = lower(raw.address);
    const m = address === raw.address ? raw : { ...raw, address };
    for (const extra of raw.emailAddresses ?? []) proxies.set(lower(extra), address);
    if (m.deletedAt === null) mailboxes.set(address, m);
    else push(deletedMailboxes, address, m);
  }
  const grants = indexGrants(observed.grants);
  const skus = new Map<string, ObservedSku>();
  const servicePlansBySku = new Map<string, readonly string[]>();
  for (const s of observed.skus) {
    skus.set(s.skuPartNumber, s);
    servicePlansBySku.set(s.skuPartNumber, s.servicePlans);
  }
  const groups = new Map<string, ObservedGroup>();
  for (const g of observed.groups ?? []) groups.set(lower(g.address), g);
  return { users, deletedUsers, usersById, mailboxes, deletedMailboxes, grants, skus, servicePlansBySku, proxies, groups };
}

/**
 * Grants by mailbox. Providers list them sorted by mailbox, so each
 * mailbox's grants are one run of the list, taken as one slice rather than
 * pushed grant by grant (a million grants: issue 15); a list in another
 * order is indexed all the same, its runs joined.
 */
function indexGrants(list: readonly ObservedGrant[]): Map<string, ObservedGrant[]> {
  const grants = new Map<string, ObservedGrant[]>();
  let start = 0;
  while (start < list.length) {
    const mailbox = list[start]!.mailbox;
    let end = start + 1;
    while (end < list.length && list[end]!.mailbox === mailbox) end++;
    const key = lower(mailbox);
    let run = list.slice(start, end);
    if (key !== mailbox || run.some((g) => mayHaveCapitals(g.trustee))) run = run.map((g) => ({ ...g, mailbox: key, trustee: lower(g.trustee) }));
    const earlier = grants.get(key);
    grants.set(key, earlier === undefined ? run : earlier.concat(run));
    start = end;
  }
  return grants;
}

/** The most recently soft-deleted of `list` (ties: the first listed), or undefined. */
export function latestDeleted<T extends { readonly deletedAt: string | null }>(list: readonly T[] | undefined): T | undefined {
  let latest: T | undefined;
  for (const x of list ?? []) if (latest === undefined || compareStrings(latest.deletedAt ?? "", x.deletedAt ?? "") < 0) latest = x;
  return latest;
}

/**
 * What a trustee the code names is in the tenant: a live user, a
 * mail-enabled security group (by its address), soft-deleted (when, the
 * latest deletion), or neither (purged, or a wrong address).
 */
export type TrusteeState =
  | { readonly kind: "live"; readonly user: ObservedUser }
  | { readonly kind: "group"; readonly group: ObservedGroup }
  | { readonly kind: "deleted"; readonly deletedAt: string }
  | { readonly kind: "missing" };

export function trusteeState(ix: ObservedIndex, upn: string): TrusteeState {
  const user = ix.users.get(upn);
  if (user !== undefined) return { kind: "live", user };
  const group = ix.groups.get(upn);
  if (group !== undefined) return { kind: "group", group };
  const deleted = latestDeleted(ix.deletedUsers.get(upn));
  return deleted !== undefined ? { kind: "deleted", deletedAt: deleted.deletedAt ?? "" } : { kind: "missing" };
}

/**
 * Who holds `address` in the tenant (R5.2: an address belongs to one
 * recipient, live or soft-deleted): the mailbox whose primary or extra
 * address it is, or the user whose sign-in name it is; undefined when free.
 */
export function addressHolder(ix: ObservedIndex, address: string): { readonly kind: "mailbox" | "user"; readonly name: string } | undefined {
  const mailbox = ix.mailboxes.get(address)?.address ?? latestDeleted(ix.deletedMailboxes.get(address))?.address ?? ix.proxies.get(address);
  if (mailbox !== undefined) return { kind: "mailbox", name: mailbox };
  const user = ix.users.get(address) ?? latestDeleted(ix.deletedUsers.get(address));
  return user !== undefined ? { kind: "user", name: user.userPrincipalName } : undefined;
}
