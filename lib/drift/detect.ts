/**
 * detectDrift: compare the tenant with the desired state, field by field,
 * and say what moved, how bad it is, and how to fix it. Pure: no I/O, no
 * clock (time is observed.observedAt), deterministic order.
 *
 * Drift is the tenant moving away from an applied state. What the code asks
 * for but no apply has done yet (a new mailbox not created, a conversion not
 * run) is PENDING, reported apart, so a schedule never cries wolf before the
 * first apply. Without a state file (ADR 0002) "applied" is read from the
 * tenant itself; where that is a judgement (a convert mailbox that is a user
 * mailbox: not converted yet, or converted and flipped back?) the rule is
 * stated at the function that makes it.
 *
 * Values are normalised before comparing (addresses lower-cased, lists as
 * sets) and providers have already removed the service's bookkeeping entries
 * (R3.11), so nothing identical is ever reported (M365DSC#1165, #3597).
 *
 * WHAT differs is not decided here: the planner's comparison does it
 * (lib/compare, docs/decisions/0011), so a plan and a drift report of the
 * same inputs name the same differences; this module says how bad each is.
 */
import { compareGrants, type GrantComparison } from "../compare/grants.js";
import { compareSharedMailbox, compareUserMailbox, deletableByStack, desiredLicenses, renamedFrom, type LicenseComparison, type TagComparison } from "../compare/mailbox.js";
import { indexObserved, latestDeleted, type ObservedIndex } from "../compare/observed-index.js";
import type { SettingDifference } from "../compare/settings.js";
import { capabilitiesOfSkus, licenseShortfall } from "../model/licensing.js";
import { parseManagementTag } from "../model/management-tag.js";
import type { CanonicalDesiredState, CanonicalSharedMailbox, CanonicalUserMailbox } from "../model/normalize.js";
import { compareStrings, digestOf } from "../private/canonical-json.js";
import type { ObservedMailbox, ObservedState, ObservedUser } from "../provider/observed.js";
import { Collector } from "./collector.js";
import { deletionItem } from "./existence.js";
import { checkGrants } from "./grants.js";
import { IgnoreMatcher, type IgnoreRule } from "./ignore.js";
import { DRIFT_FORMAT_VERSION, SEVERITIES, type DriftItem, type DriftReport, type UnmanagedMailboxes } from "./types.js";

export interface DriftOptions {
  /** Extra ignore rules (e.g. from --ignore), applied with the desired state's own `ignore[]`. */
  readonly ignore?: readonly IgnoreRule[];
  /** List the unmanaged shared mailboxes by address (--unmanaged), not only count them. */
  readonly listUnmanaged?: boolean;
}

export function detectDrift(desired: CanonicalDesiredState, observed: ObservedState, options: DriftOptions = {}): DriftReport {
  const declared = new Set<string>();
  for (const m of desired.sharedMailboxes) {
    declared.add(m.address);
    // the code renames the mailbox at a previous address: it is this one, not an undeclared one
    for (const previous of m.previousAddresses) declared.add(previous);
  }
  for (const m of desired.userMailboxes) declared.add(m.address);
  const ix = indexObserved(observed);
  const out = new Collector();
  const now = observed.observedAt;

  for (const m of desired.sharedMailboxes) checkShared(m, desired.stack, ix, now, out);
  for (const u of desired.userMailboxes) checkUserMailbox(u, desired.stack, ix, now, out);
  checkUndeclared(desired.stack, declared, ix, out);
  const unmanaged = unmanagedMailboxes(declared, ix, options.listUnmanaged ?? false);

  const matcher = new IgnoreMatcher([...(desired.ignore ?? []), ...(options.ignore ?? [])]);
  const items: DriftItem[] = [];
  let ignored = 0;
  for (const item of out.items) {
    if (matcher.matches(item)) ignored++;
    else items.push(item);
  }
  items.sort(compareItems);
  const pendingItems = out.pending.sort((a, b) => compareStrings(a.mailbox, b.mailbox) || compareStrings(a.reason, b.reason));
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const i of items) counts[i.severity]++;
  return {
    formatVersion: DRIFT_FORMAT_VERSION,
    stack: desired.stack,
    tenantId: observed.tenant.id,
    observedAt: observed.observedAt,
    desiredDigest: digestOf(desired),
    items,
    pending: pendingItems.length,
    pendingItems,
    ignored,
    summary: { ...counts, total: items.length },
    drifted: items.length > 0,
    ...(unmanaged !== undefined ? { unmanaged } : {}),
  };
}

const SEVERITY_RANK = new Map(SEVERITIES.map((s, i) => [s, i]));

function compareItems(a: DriftItem, b: DriftItem): number {
  return (
    compareStrings(a.mailbox, b.mailbox) ||
    (SEVERITY_RANK.get(a.severity) ?? 0) - (SEVERITY_RANK.get(b.severity) ?? 0) ||
    compareStrings(a.field, b.field) ||
    compareStrings(a.trustee ?? "", b.trustee ?? "") ||
    compareStrings(a.code, b.code)
  );
}

// ------------------------------------------------------------------ shared mailboxes

function checkShared(m: CanonicalSharedMailbox, stack: string, ix: ObservedIndex, now: string, out: Collector): void {
  const live = ix.mailboxes.get(m.address);
  if (!live) {
    const previous = renamedFrom(m, ix.mailboxes);
    if (previous !== undefined && previous !== "ambiguous") {
      out.addPending(m.address, "not_renamed", `${m.address} is still at its previous address ${previous.address}; the next apply renames it in place`);
    } else checkMissingShared(m, ix, now, out);
    return;
  }
  const anchor = ix.usersById.get(live.userId);
  if (!anchor || anchor.deletedAt !== null) {
    deletionItem(m.address, "shared", anchor ?? null, live, now, out);
    return;
  }
  // a mailbox read as one text is compared with the code as a whole: no grant objects unless it differs
  const current = ix.heldAt(m.address);
  let grants: GrantComparison;
  if (live.type === "user") {
    grants = compareGrants(m, current);
    if (m.origin === "convert" && !looksConverted(anchor, grants)) {
      out.addPending(m.address, "not_converted", `${m.address} is still a user mailbox; the next apply converts it to shared`);
      return;
    }
    revertedToUser(m, anchor, out);
  } else {
    const cmp = compareSharedMailbox(m, live, anchor, current, stack);
    if (cmp.signIn === "block") signInEnabled(m.address, anchor, out);
    else if (cmp.signIn === "allow") exceptionBlocked(m, anchor, out);
    checkLicense(m, live, anchor, cmp.licenses, ix, out);
    checkSettings(m.address, cmp.settings, out);
    checkTag(m.address, cmp.tag, stack, out);
    grants = cmp.grants;
  }
  checkGrants(m.address, grants, ix, now, out);
}

/**
 * A convert mailbox that is a user mailbox is "not converted yet" (pending)
 * unless the tenant shows apply already ran: exoform blocks the anchor's
 * sign-in right after converting (R4.1), and grants every declared trustee.
 * A person still using the mailbox has sign-in enabled. So: blocked, and
 * every declared grant present, reads as "converted, then turned back"
 * (the hybrid overwrite, R6.3), which is drift.
 */
function looksConverted(anchor: ObservedUser, grants: GrantComparison): boolean {
  return !anchor.accountEnabled && grants.rights.every((r) => r.missing.length === 0);
}

function checkMissingShared(m: CanonicalSharedMailbox, ix: ObservedIndex, now: string, out: Collector): void {
  const deleted = latestDeleted(ix.deletedMailboxes.get(m.address));
  if (deleted && deleted.type === "shared") {
    deletionItem(m.address, "shared", ix.usersById.get(deleted.userId) ?? null, deleted, now, out);
  } else if (m.origin === "new") {
    out.addPending(m.address, "not_created", `${m.address} does not exist yet; the next apply creates it`);
  } else if (deleted) {
    // a person's soft-deleted mailbox: the plan restores it, then converts it (R2.5)
    out.addPending(m.address, "not_converted", `${m.address} is a soft-deleted user mailbox; the next apply restores and converts it (R2.5)`);
  } else {
    out.add(
      m.address,
      "mailbox_gone",
      "critical",
      "mailbox",
      "present",
      "absent",
      `${m.address} no longer exists, live or in deleted users${hasAccount(ix, m.address) ? " (its account has no mailbox)" : ""}: it was purged after its 30-day restore window (R2.3) or never existed; its mail is lost unless it was on hold (then recover the inactive mailbox with New-Mailbox -InactiveMailbox); remove it from the code or declare it origin "new"`,
    );
  }
}

/** Whether a user (live or soft-deleted) holds `upn`. */
function hasAccount(ix: ObservedIndex, upn: string): boolean {
  return ix.users.has(upn) || ix.deletedUsers.has(upn);
}

function revertedToUser(m: CanonicalSharedMailbox, anchor: ObservedUser, out: Collector): void {
  const unlicensed = anchor.licenses.length === 0;
  const risk = unlicensed
    ? "; unlicensed, it is disconnected after a 30-day grace period and its mail may be lost (R1.12)"
    : "";
  const fix = anchor.onPremisesSyncEnabled
    ? `its account is directory-synced and on-premises msExchRemoteRecipientType still says "user", so directory sync turned it back (R6.3); on premises run Set-RemoteMailbox ${m.address} -Type Shared (or set msExchRemoteRecipientType=100 and msExchRecipientTypeDetails=34359738368), wait for the next sync, then run exoform apply`
    : m.origin === "convert"
      ? "it was converted outside exoform; the next exoform apply converts it back to shared"
      : `it was converted outside exoform, and exoform does not convert a mailbox declared as new; run Set-Mailbox -Identity ${m.address} -Type Shared, then exoform apply to converge it`;
  out.add(m.address, "mailbox_reverted_to_user", unlicensed ? "critical" : "high", "type", "shared", "user", `shared mailbox ${m.address} is a user mailbox again: ${fix}${risk}`);
}

/** The comparison found sign-in enabled on a shared mailbox's account. */
function signInEnabled(address: string, anchor: ObservedUser, out: Collector): void {
  const fix = anchor.onPremisesSyncEnabled
    ? "its account is directory-synced: disable it in on-premises Active Directory, a cloud change fails (R4.4)"
    : "the next exoform apply blocks it again";
  out.add(
    address,
    "signin_enabled",
    "high",
    "accountEnabled",
    false,
    true,
    `sign-in is enabled on the account of shared mailbox ${address}: anyone who resets its password can read and send as the mailbox (R4.1); ${fix}`,
  );
}

/** The comparison found blocked the account of a mailbox the code declares a sign-in exception for. */
function exceptionBlocked(m: CanonicalSharedMailbox, anchor: ObservedUser, out: Collector): void {
  const fix = anchor.onPremisesSyncEnabled
    ? "its account is directory-synced: enable it in on-premises Active Directory, a cloud change fails (R4.4)"
    : "the next exoform apply allows it again, or remove the exception from the code";
  out.add(
    m.address,
    "signin_blocked",
    "medium",
    "accountEnabled",
    true,
    false,
    `sign-in is blocked on the account of shared mailbox ${m.address}, which the code allows by a declared exception ("${m.signIn?.reason ?? ""}"); whatever signs in with it (${anchor.userPrincipalName}) no longer can; ${fix}`,
  );
}

function checkLicense(m: CanonicalSharedMailbox, live: ObservedMailbox, anchor: ObservedUser, licenses: LicenseComparison, ix: ObservedIndex, out: Collector): void {
  const held = [...anchor.licenses].sort(compareStrings);
  const caps = capabilitiesOfSkus(held, ix.servicePlansBySku);
  const shortfall = licenseShortfall(
    { sizeBytes: live.sizeBytes, litigationHold: live.litigationHold || m.litigationHold, archive: live.archive || m.archive },
    caps,
  );
  const consequence = shortfall ? `; the mailbox ${shortfall} (R1.4-R1.6)` : "";
  if (licenses.missing.length > 0) {
    out.add(
      m.address,
      "license_removed",
      shortfall ? "critical" : "high",
      "license",
      licenses.expected,
      held,
      `license ${licenses.missing.join(", ")} was removed from shared mailbox ${m.address}${consequence}; the next exoform apply assigns it again (a free seat is needed)`,
    );
  } else if (shortfall) {
    out.add(
      m.address,
      "license_insufficient",
      "critical",
      "license",
      licenses.expected,
      held,
      `shared mailbox ${m.address} ${shortfall} (R1.4-R1.6); declare a license that covers it (e.g. EXCHANGEENTERPRISE) and run exoform apply`,
    );
  }
  if (licenses.extra.length > 0) {
    out.add(
      m.address,
      "license_unexpected",
      "low",
      "license",
      licenses.expected,
      held,
      `shared mailbox ${m.address} holds ${[...licenses.extra].sort(compareStrings).join(", ")}, which the code does not declare: a paid seat it may not need; the next exoform apply removes it, or declare it as the mailbox's license`,
    );
  }
}

/** Each differing setting as the comparison table says it drifted (lib/compare/settings.ts). */
function checkSettings(address: string, settings: readonly SettingDifference[], out: Collector): void {
  for (const { rule, expected, actual } of settings) {
    const d = rule.drift(address, expected, actual);
    out.add(address, d.code, d.severity, rule.field, expected, actual, d.message);
  }
}

/** The management tag is exoform's own bookkeeping: a mismatch is pending (apply writes it), not drift. */
function checkTag(address: string, tag: TagComparison, stack: string, out: Collector): void {
  if (!tag.differs) return;
  out.addPending(
    address,
    "management_tag",
    tag.want !== null
      ? `${address} is not yet tagged for deletion by stack ${stack}; the next apply writes the tag`
      : `${address} is still tagged for deletion; the next apply clears the tag (removalPolicy "retain")`,
  );
}

// ------------------------------------------------------------------ user mailboxes (given back to people)

function checkUserMailbox(u: CanonicalUserMailbox, stack: string, ix: ObservedIndex, now: string, out: Collector): void {
  const live = ix.mailboxes.get(u.address);
  if (!live) {
    const deleted = latestDeleted(ix.deletedMailboxes.get(u.address));
    if (deleted) deletionItem(u.address, "user", ix.usersById.get(deleted.userId) ?? null, deleted, now, out);
    else {
      out.add(u.address, "mailbox_gone", "critical", "mailbox", "present", "absent", `${u.address} no longer exists, live or in deleted users: it was purged after its 30-day restore window (R2.3); remove it from userMailboxes`);
    }
    return;
  }
  const account = ix.usersById.get(live.userId);
  if (!account || account.deletedAt !== null) {
    deletionItem(u.address, "user", account ?? null, live, now, out);
    return;
  }
  const cmp = compareUserMailbox(u, live, account, stack);
  if (cmp.shared) {
    // Given back means licensed and sign-in allowed; a shared mailbox in that
    // state was converted back and then turned shared again.
    if (!cmp.unlicensed && !cmp.signInBlocked) {
      out.add(u.address, "mailbox_reverted_to_shared", "high", "type", "user", "shared", `${u.address} was given back to its owner but is a shared mailbox again; the next exoform apply converts it back to a user mailbox`);
    } else {
      out.addPending(u.address, "not_converted_back", `${u.address} is still shared; the next apply converts it back to a user mailbox with ${u.license}`);
    }
    return;
  }
  if (cmp.unlicensed) {
    out.add(
      u.address,
      "license_removed",
      "critical",
      "license",
      desiredLicenses(u),
      [...account.licenses].sort(compareStrings),
      `license ${u.license} was removed from user mailbox ${u.address}: an unlicensed user mailbox is disconnected after a 30-day grace period (R1.12, R2.6); the next exoform apply assigns it again (a free seat is needed)`,
    );
  }
  if (cmp.signInBlocked) {
    out.add(u.address, "signin_blocked", "medium", "accountEnabled", true, false, `sign-in is blocked for ${u.address}, whose mailbox was given back to its owner; the next exoform apply allows it again`);
  }
}

// ------------------------------------------------------------------ undeclared mailboxes

/** Undeclared mailboxes the next apply deletes: exactly those the planner deletes (deletableByStack). */
function checkUndeclared(stack: string, declared: ReadonlySet<string>, ix: ObservedIndex, out: Collector): void {
  for (const m of ix.mailboxes.values()) {
    if (declared.has(m.address) || !deletableByStack(m, stack)) continue;
    out.addPending(m.address, "deletion_pending", `${m.address} left the code with removalPolicy "delete"; the next apply deletes it`);
  }
}

/**
 * The tenant's live shared mailboxes no stack declares, as far as the tenant
 * can tell: not declared here, and carrying no exoform tag (this stack's is
 * a pending deletion; another stack's says that stack manages it). Another
 * stack's retained mailboxes carry no tag, so they count too: the number is
 * information for adoption (exoform export), never drift. Undefined when
 * there are none, so a report without them is what it always was.
 */
function unmanagedMailboxes(declared: ReadonlySet<string>, ix: ObservedIndex, list: boolean): UnmanagedMailboxes | undefined {
  const found: string[] = [];
  for (const m of ix.mailboxes.values()) {
    if (m.type === "shared" && !declared.has(m.address) && parseManagementTag(m.managementTag) === null) found.push(m.address);
  }
  if (found.length === 0) return undefined;
  return { count: found.length, ...(list ? { mailboxes: found.sort(compareStrings) } : {}) };
}
