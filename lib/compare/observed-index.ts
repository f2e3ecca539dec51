/**
 * One observation indexed once, for the planner and drift alike: maps by
 * address, UPN and id, so nothing is scanned per mailbox, and the live
 * mailboxes in address order with their grants beside them, for a walk that
 * needs no lookup at all (the planner's). Addresses and UPNs
 * are lower-cased here, the one place, so neither consumer can report a
 * difference that is only one of case (providers already lower-case them;
 * this is the guard for the ones that do not).
 */
import { compareStrings } from "../private/canonical-json.js";
import { lowerCase as lower, mayHaveCapitals } from "../private/text.js";
import type { ObservedGrant, ObservedGroup, ObservedMailbox, ObservedSku, ObservedState, ObservedUser } from "../provider/observed.js";
import { GrantTexts, grantsByMailboxOf, type GrantsByMailbox } from "../provider/packed-grants.js";

/**
 * A mailbox's grants as the index holds them: the provider's text when it
 * read grants a mailbox at a time (lib/provider/packed-grants.ts), which a
 * comparison can read as a whole, and the list, made from it on first read.
 */
export interface HeldGrants {
  readonly text: string | undefined;
  /** Lower-cased, in (right, trustee) order. */
  readonly list: readonly ObservedGrant[];
}

/** A list of grants (lower-cased, in (right, trustee) order) as HeldGrants: no text. */
export function heldGrants(list: readonly ObservedGrant[]): HeldGrants {
  return { text: undefined, list };
}

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
  /** Grants by mailbox address (built on first use: the planner walks `liveMailboxes` instead). */
  readonly grants: ReadonlyMap<string, readonly ObservedGrant[]>;
  /** The grants on one mailbox, live or soft-deleted, found without building `grants` (see grantsOn): a text, when read as one. */
  readonly heldAt: (address: string) => HeldGrants;
  /**
   * The live mailboxes in address order, and beside each (same position in
   * `liveGrants`) its grants: for a consumer that walks the declared
   * mailboxes in the same order, a merge-join with no lookup (the planner).
   */
  readonly liveMailboxes: readonly ObservedMailbox[];
  readonly liveGrants: readonly HeldGrants[];
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
  let liveMailboxes: ObservedMailbox[] = [];
  for (const raw of observed.mailboxes) {
    const address = lower(raw.address);
    const m = address === raw.address ? raw : { ...raw, address };
    for (const extra of raw.emailAddresses ?? []) proxies.set(lower(extra), address);
    if (m.deletedAt === null) {
      mailboxes.set(address, m);
      liveMailboxes.push(m);
    } else push(deletedMailboxes, address, m);
  }
  // providers list mailboxes by address; a list in another order (or with a repeat) is put in order from the map
  if (!strictlyAscending(liveMailboxes)) liveMailboxes = [...mailboxes.values()].sort((a, b) => compareStrings(a.address, b.address));
  const skus = new Map<string, ObservedSku>();
  const servicePlansBySku = new Map<string, readonly string[]>();
  for (const s of observed.skus) {
    skus.set(s.skuPartNumber, s);
    servicePlansBySku.set(s.skuPartNumber, s.servicePlans);
  }
  const groups = new Map<string, ObservedGroup>();
  for (const g of observed.groups ?? []) groups.set(lower(g.address), g);
  // the grants come as one run per mailbox from every provider: the live mailboxes' runs are joined to them in one
  // walk, and the map by address is made of the same runs when asked for; a list in another order is grouped instead.
  // Read a mailbox at a time, each run is the provider's text, made into grant objects only when asked for.
  const texts = textRuns(grantsByMailboxOf(observed));
  const runs = texts ?? listedRuns(observed.grants);
  let grants: ReadonlyMap<string, readonly ObservedGrant[]> | undefined;
  const grantsByAddress = () => (grants ??= runs !== undefined ? new Map(runs.keys.map((key, i) => [key, runs.runs[i]!.list])) : groupGrants(observed.grants));
  const liveGrants = runs !== undefined ? joinRuns(liveMailboxes, runs) : liveMailboxes.map((m) => heldGrants(grantsByAddress().get(m.address) ?? NO_GRANTS));
  const heldAt = runs !== undefined ? (address: string) => runAt(runs, address) : (address: string) => heldGrants(grantsByAddress().get(address) ?? NO_GRANTS);
  return {
    users,
    deletedUsers,
    usersById,
    mailboxes,
    deletedMailboxes,
    get grants() {
      return grantsByAddress();
    },
    heldAt,
    liveMailboxes,
    liveGrants,
    skus,
    servicePlansBySku,
    proxies,
    groups,
  };
}

function strictlyAscending(list: readonly ObservedMailbox[]): boolean {
  for (let i = 1; i < list.length; i++) if (!(list[i - 1]!.address < list[i]!.address)) return false;
  return true;
}

const NO_GRANTS: readonly ObservedGrant[] = [];
/** What a mailbox without grants holds (one for all). */
export const NO_HELD: HeldGrants = heldGrants(NO_GRANTS);

/** The grants cut into one run per mailbox, mailbox by mailbox: the lower-cased addresses, and beside each its grants. */
interface GrantRuns {
  readonly keys: readonly string[];
  readonly runs: readonly HeldGrants[];
}

/** A mailbox's text, its grant objects made on first read, lower-cased and in order like any run. */
class TextRun implements HeldGrants {
  #list: readonly ObservedGrant[] | undefined;

  constructor(
    private readonly mailbox: string,
    readonly text: string,
    private readonly decoder: GrantTexts,
  ) {}

  get list(): readonly ObservedGrant[] {
    return (this.#list ??= inOrder(lowerRun(this.decoder.unpack(this.mailbox, this.text), this.mailbox, this.mailbox)));
  }
}

/** Runs of the provider's texts, when its mailboxes are lower-case and ascending as the contract says; otherwise undefined (the list is read instead). */
function textRuns(byMailbox: GrantsByMailbox | undefined): GrantRuns | undefined {
  if (byMailbox === undefined) return undefined;
  const { mailboxes, texts } = byMailbox;
  for (let i = 0; i < mailboxes.length; i++) {
    if (mayHaveCapitals(mailboxes[i]!) || (i > 0 && !(mailboxes[i - 1]! < mailboxes[i]!))) return undefined;
  }
  const decoder = new GrantTexts();
  return { keys: mailboxes, runs: mailboxes.map((mailbox, i) => new TextRun(mailbox, texts[i]!, decoder)) };
}

/** A run in (right, trustee) order: itself when it is (providers list grants so), else a sorted copy. */
function inOrder(run: ObservedGrant[]): ObservedGrant[] {
  return inGrantOrder(run) ? run : [...run].sort(compareGrantOrder);
}

/**
 * The grant list as runs, when it is in (mailbox, right, trustee) order, as
 * providers list it: each mailbox's run taken as one slice rather than
 * pushed grant by grant (a million grants: issue 15). Undefined for a list
 * in any other order.
 */
function listedRuns(list: readonly ObservedGrant[]): GrantRuns | undefined {
  const keys: string[] = [];
  const runs: HeldGrants[] = [];
  let start = 0;
  while (start < list.length) {
    const mailbox = list[start]!.mailbox;
    let end = start + 1;
    while (end < list.length && list[end]!.mailbox === mailbox) end++;
    const key = lower(mailbox);
    const run = lowerRun(list.slice(start, end), key, mailbox);
    if ((keys.length > 0 && key <= keys[keys.length - 1]!) || !inGrantOrder(run)) return undefined;
    keys.push(key);
    runs.push(heldGrants(run));
    start = end;
  }
  return { keys, runs };
}

/** Each live mailbox's run (both lists in address order: one walk), none for a mailbox without grants. */
function joinRuns(live: readonly ObservedMailbox[], { keys, runs }: GrantRuns): readonly HeldGrants[] {
  const out = new Array<HeldGrants>(live.length).fill(NO_HELD);
  let r = 0;
  live.forEach((m, k) => {
    while (r < keys.length && keys[r]! < m.address) r++;
    if (r < keys.length && keys[r] === m.address) out[k] = runs[r]!;
  });
  return out;
}

/** A run of one mailbox's grants with mailbox and trustees lower-cased (providers already give them so: then the run itself). */
function lowerRun(run: ObservedGrant[], key: string, mailbox: string): ObservedGrant[] {
  return key !== mailbox || run.some((g) => mayHaveCapitals(g.trustee)) ? run.map((g) => ({ ...g, mailbox: key, trustee: lower(g.trustee) })) : run;
}

/** Grants by lower-cased mailbox for a list in any order, each mailbox's put in (right, trustee) order. */
function groupGrants(list: readonly ObservedGrant[]): Map<string, ObservedGrant[]> {
  const grants = new Map<string, ObservedGrant[]>();
  for (const g of list) {
    const mailbox = lower(g.mailbox);
    const trustee = lower(g.trustee);
    push(grants, mailbox, mailbox === g.mailbox && trustee === g.trustee ? g : { ...g, mailbox, trustee });
  }
  for (const run of grants.values()) run.sort(compareGrantOrder);
  return grants;
}

function compareGrantOrder(a: ObservedGrant, b: ObservedGrant): number {
  return compareStrings(a.right, b.right) || compareStrings(a.trustee, b.trustee);
}

function inGrantOrder(run: readonly ObservedGrant[]): boolean {
  for (let i = 1; i < run.length; i++) if (compareGrantOrder(run[i - 1]!, run[i]!) >= 0) return false;
  return true;
}

/** The run of the mailbox at `address`, found by binary search of the runs' addresses (no map to build); none when it has no grants. */
function runAt({ keys, runs }: GrantRuns, address: string): HeldGrants {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < address) lo = mid + 1;
    else hi = mid;
  }
  return lo < keys.length && keys[lo] === address ? runs[lo]! : NO_HELD;
}

/**
 * The grants on the mailbox at `address`, live or soft-deleted, lower-cased,
 * in (right, trustee) order; none for an address with no grants. Found by
 * binary search (a few lookups: the planner's deletions and renames, a
 * plan's fingerprints) rather than through the map of every mailbox's.
 */
export function grantsOn(ix: ObservedIndex, address: string): readonly ObservedGrant[] {
  return ix.heldAt(address).list;
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
