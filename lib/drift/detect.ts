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
 */
import type { CanonicalDesiredState, CanonicalSharedMailbox, CanonicalUserMailbox } from "../model/normalize.js";
import { capabilitiesOfSkus, licenseShortfall } from "../model/licensing.js";
import { formatManagementTag, parseManagementTag } from "../model/management-tag.js";
import type { ObservedMailbox, ObservedState, ObservedUser, Right } from "../provider/observed.js";
import { compareStrings, digestOf } from "../private/canonical-json.js";
import { IgnoreMatcher, type IgnoreRule } from "./ignore.js";
import {
  DRIFT_FORMAT_VERSION,
  SEVERITIES,
  type DriftCode,
  type DriftField,
  type DriftItem,
  type DriftReport,
  type DriftSeverity,
  type DriftValue,
  type PendingItem,
} from "./types.js";
import { DAY_MS, RECYCLE_BIN_DAYS } from "../model/service-rules.js";

export interface DriftOptions {
  /** Extra ignore rules (e.g. from --ignore), applied with the desired state's own `ignore[]`. */
  readonly ignore?: readonly IgnoreRule[];
}


const RIGHT_FIELD: Readonly<Record<Right, DriftField>> = {
  FullAccess: "fullAccess",
  SendAs: "sendAs",
  SendOnBehalf: "sendOnBehalf",
};

/** What a trustee can do with a grant it should not have: said in grant_added messages. */
const RIGHT_POWER: Readonly<Record<Right, string>> = {
  FullAccess: "they can open and read everything in it",
  SendAs: "they can send mail as the mailbox",
  SendOnBehalf: "they can send mail on behalf of the mailbox",
};

/** An added grant lets someone read or impersonate: worse than a lost one, which only blocks work. */
const ADDED_SEVERITY: Readonly<Record<Right, DriftSeverity>> = { FullAccess: "high", SendAs: "high", SendOnBehalf: "medium" };

/** The grants on one mailbox, as sets. */
interface MailboxGrants {
  /** trustee -> autoMapping; undefined when the provider cannot read it back (Microsoft). */
  readonly fullAccess: Map<string, boolean | undefined>;
  readonly sendAs: Set<string>;
  readonly sendOnBehalf: Set<string>;
}

/** Indexes over one observation, restricted to what the desired state names. */
class TenantIndex {
  readonly live = new Map<string, ObservedMailbox>();
  /** The most recently soft-deleted mailbox per address. */
  readonly deleted = new Map<string, ObservedMailbox>();
  readonly usersById = new Map<string, ObservedUser>();
  readonly upns = new Set<string>();
  readonly liveUpns = new Set<string>();
  /** UPN -> when its most recent soft-deleted user was deleted (only UPNs with no live user). */
  readonly deletedUpns = new Map<string, string>();
  readonly grants = new Map<string, MailboxGrants>();
  readonly skuPlans = new Map<string, readonly string[]>();

  constructor(observed: ObservedState, declared: ReadonlySet<string>) {
    for (const raw of observed.mailboxes) {
      const m = raw.address === raw.address.toLowerCase() ? raw : { ...raw, address: raw.address.toLowerCase() };
      if (m.deletedAt === null) this.live.set(m.address, m);
      else {
        const previous = this.deleted.get(m.address);
        if (!previous || compareStrings(previous.deletedAt ?? "", m.deletedAt) < 0) this.deleted.set(m.address, m);
      }
    }
    for (const u of observed.users) {
      this.usersById.set(u.id, u);
      const upn = u.userPrincipalName.toLowerCase();
      this.upns.add(upn);
      if (u.deletedAt === null) this.liveUpns.add(upn);
      else if (compareStrings(this.deletedUpns.get(upn) ?? "", u.deletedAt) < 0) this.deletedUpns.set(upn, u.deletedAt);
    }
    for (const upn of this.liveUpns) this.deletedUpns.delete(upn);
    for (const g of observed.grants) {
      const mailbox = g.mailbox.toLowerCase();
      if (!declared.has(mailbox)) continue;
      let set = this.grants.get(mailbox);
      if (!set) {
        set = { fullAccess: new Map(), sendAs: new Set(), sendOnBehalf: new Set() };
        this.grants.set(mailbox, set);
      }
      const trustee = g.trustee.toLowerCase();
      // undefined: the provider cannot read autoMapping back (Microsoft's service never returns it)
      if (g.right === "FullAccess") set.fullAccess.set(trustee, g.autoMapping);
      else if (g.right === "SendAs") set.sendAs.add(trustee);
      else set.sendOnBehalf.add(trustee);
    }
    for (const s of observed.skus) this.skuPlans.set(s.skuPartNumber, s.servicePlans);
  }

  grantsOf(mailbox: string): MailboxGrants {
    return this.grants.get(mailbox) ?? EMPTY_GRANTS;
  }
}

const EMPTY_GRANTS: MailboxGrants = { fullAccess: new Map(), sendAs: new Set(), sendOnBehalf: new Set() };

/** Collects items and pending entries for one run. */
class Collector {
  readonly items: DriftItem[] = [];
  readonly pending: PendingItem[] = [];

  add(
    mailbox: string,
    code: DriftCode,
    severity: DriftSeverity,
    field: DriftField,
    expected: DriftValue,
    actual: DriftValue,
    message: string,
    grant?: { readonly trustee: string; readonly right: Right },
  ): void {
    this.items.push({ mailbox, code, severity, field, ...(grant ?? {}), expected, actual, message });
  }

  addPending(mailbox: string, reason: PendingItem["reason"], message: string): void {
    this.pending.push({ mailbox, reason, message });
  }
}

export function detectDrift(desired: CanonicalDesiredState, observed: ObservedState, options: DriftOptions = {}): DriftReport {
  const declared = new Set<string>();
  for (const m of desired.sharedMailboxes) declared.add(m.address);
  for (const m of desired.userMailboxes) declared.add(m.address);
  const tenant = new TenantIndex(observed, declared);
  const out = new Collector();
  const now = observed.observedAt;

  for (const m of desired.sharedMailboxes) checkShared(m, desired.stack, tenant, now, out);
  for (const u of desired.userMailboxes) checkUserMailbox(u, tenant, now, out);
  checkUndeclared(desired.stack, declared, tenant, out);

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

function checkShared(m: CanonicalSharedMailbox, stack: string, tenant: TenantIndex, now: string, out: Collector): void {
  const live = tenant.live.get(m.address);
  if (!live) {
    checkMissingShared(m, tenant, now, out);
    return;
  }
  const anchor = tenant.usersById.get(live.userId);
  if (!anchor || anchor.deletedAt !== null) {
    deletionItem(m.address, "shared", anchor ?? null, live, now, out);
    return;
  }
  const grants = tenant.grantsOf(m.address);
  if (live.type === "user") {
    if (m.origin === "convert" && !looksConverted(m, anchor, grants)) {
      out.addPending(m.address, "not_converted", `${m.address} is still a user mailbox; the next apply converts it to shared`);
      return;
    }
    revertedToUser(m, anchor, out);
  } else {
    checkSignIn(m.address, anchor, out);
    checkLicense(m, live, anchor, tenant, out);
    checkMailboxFields(m, live, out);
    checkTag(m, live, stack, out);
  }
  checkGrants(m, grants, tenant, now, out);
}

/**
 * A convert mailbox that is a user mailbox is "not converted yet" (pending)
 * unless the tenant shows apply already ran: exoform blocks the anchor's
 * sign-in right after converting (R4.1), and grants every declared trustee.
 * A person still using the mailbox has sign-in enabled. So: blocked, and
 * every declared grant present, reads as "converted, then turned back"
 * (the hybrid overwrite, R6.3), which is drift.
 */
function looksConverted(m: CanonicalSharedMailbox, anchor: ObservedUser, grants: MailboxGrants): boolean {
  if (anchor.accountEnabled) return false;
  return (
    m.fullAccess.every((g) => grants.fullAccess.has(g.trustee)) &&
    m.sendAs.every((t) => grants.sendAs.has(t)) &&
    m.sendOnBehalf.every((t) => grants.sendOnBehalf.has(t))
  );
}

function checkMissingShared(m: CanonicalSharedMailbox, tenant: TenantIndex, now: string, out: Collector): void {
  const deleted = tenant.deleted.get(m.address);
  if (deleted && deleted.type === "shared") {
    deletionItem(m.address, "shared", tenant.usersById.get(deleted.userId) ?? null, deleted, now, out);
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
      `${m.address} no longer exists, live or in deleted users${tenant.upns.has(m.address) ? " (its account has no mailbox)" : ""}: it was purged after its 30-day restore window (R2.3) or never existed; its mail is lost unless it was on hold (then recover the inactive mailbox with New-Mailbox -InactiveMailbox); remove it from the code or declare it origin "new"`,
    );
  }
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

function checkSignIn(address: string, anchor: ObservedUser, out: Collector): void {
  if (!anchor.accountEnabled) return;
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

function checkLicense(m: CanonicalSharedMailbox, live: ObservedMailbox, anchor: ObservedUser, tenant: TenantIndex, out: Collector): void {
  const held = [...anchor.licenses].sort(compareStrings);
  const expected = m.license === "none" ? [] : [m.license];
  const caps = capabilitiesOfSkus(held, tenant.skuPlans);
  const shortfall = licenseShortfall(
    { sizeBytes: live.sizeBytes, litigationHold: live.litigationHold || m.litigationHold, archive: live.archive || m.archive },
    caps,
  );
  const consequence = shortfall ? `; the mailbox ${shortfall} (R1.4-R1.6)` : "";
  if (m.license !== "none" && !held.includes(m.license)) {
    out.add(
      m.address,
      "license_removed",
      shortfall ? "critical" : "high",
      "license",
      expected,
      held,
      `license ${m.license} was removed from shared mailbox ${m.address}${consequence}; the next exoform apply assigns it again (a free seat is needed)`,
    );
  } else if (shortfall) {
    out.add(
      m.address,
      "license_insufficient",
      "critical",
      "license",
      expected,
      held,
      `shared mailbox ${m.address} ${shortfall} (R1.4-R1.6); declare a license that covers it (e.g. EXCHANGEENTERPRISE) and run exoform apply`,
    );
  }
  const extra = held.filter((sku) => sku !== m.license);
  if (extra.length > 0) {
    out.add(
      m.address,
      "license_unexpected",
      "low",
      "license",
      expected,
      held,
      `shared mailbox ${m.address} holds ${extra.join(", ")}, which the code does not declare: a paid seat it may not need; the next exoform apply removes it, or declare it as the mailbox's license`,
    );
  }
}

/** On/off mailbox features: turned off against the code is a loss; turned on is only undeclared. */
const TOGGLES: ReadonlyArray<{
  readonly field: "litigationHold" | "archive";
  readonly off: DriftCode;
  readonly on: DriftCode;
  readonly offSeverity: DriftSeverity;
  readonly offMessage: (address: string) => string;
  readonly onMessage: (address: string) => string;
}> = [
  {
    field: "litigationHold",
    off: "litigation_hold_disabled",
    on: "litigation_hold_enabled",
    offSeverity: "high",
    offMessage: (a) => `litigation hold was turned off on ${a}: deleted and edited items are no longer preserved; the next exoform apply turns it back on`,
    onMessage: (a) => `litigation hold was turned on for ${a} outside exoform; if that was on purpose declare litigationHold: true in the code, otherwise the next exoform apply turns it off`,
  },
  {
    field: "archive",
    off: "archive_disabled",
    on: "archive_enabled",
    offSeverity: "medium",
    offMessage: (a) => `the archive of ${a} was disabled; the next exoform apply enables it again`,
    onMessage: (a) => `an archive was enabled on ${a} outside exoform; declare archive: true in the code to keep it, otherwise the next exoform apply disables it`,
  },
];

function checkMailboxFields(m: CanonicalSharedMailbox, live: ObservedMailbox, out: Collector): void {
  if (live.displayName !== m.displayName) {
    out.add(m.address, "display_name_changed", "low", "displayName", m.displayName, live.displayName, `the display name of ${m.address} was changed outside exoform; the next exoform apply sets it back, or change it in the code`);
  }
  // compared exactly, as the planner does (an alias in another case is a Set-Mailbox the next apply makes)
  if (m.alias !== undefined && live.alias !== m.alias) {
    out.add(m.address, "alias_changed", "low", "alias", m.alias, live.alias, `the alias of ${m.address} was changed outside exoform; the next exoform apply sets it back, or change it in the code`);
  }
  for (const t of TOGGLES) {
    const want = m[t.field];
    const have = live[t.field];
    if (want !== have) out.add(m.address, want ? t.off : t.on, want ? t.offSeverity : "low", t.field, want, have, want ? t.offMessage(m.address) : t.onMessage(m.address));
  }
}

/** The management tag is exoform's own bookkeeping: a mismatch is pending (apply writes it), not drift. */
function checkTag(m: CanonicalSharedMailbox, live: ObservedMailbox, stack: string, out: Collector): void {
  const tag = parseManagementTag(live.managementTag);
  if (m.removalPolicy === "delete") {
    if (live.managementTag !== formatManagementTag({ stack, removal: "delete" })) {
      out.addPending(m.address, "management_tag", `${m.address} is not yet tagged for deletion by stack ${stack}; the next apply writes the tag`);
    }
  } else if (tag?.stack === stack) {
    out.addPending(m.address, "management_tag", `${m.address} is still tagged for deletion; the next apply clears the tag (removalPolicy "retain")`);
  }
}

function checkGrants(m: CanonicalSharedMailbox, grants: MailboxGrants, tenant: TenantIndex, now: string, out: Collector): void {
  const authoritative = m.permissionsMode === "authoritative";
  const wantFull = new Map(m.fullAccess.map((g) => [g.trustee, g.autoMapping]));
  const live = (trustee: string, right: Right) => trusteeIsLive(m.address, trustee, right, tenant, now, out);
  for (const [trustee, autoMapping] of wantFull) {
    if (!live(trustee, "FullAccess")) continue;
    if (!grants.fullAccess.has(trustee)) grantRemoved(m.address, trustee, "FullAccess", out);
    const actual = grants.fullAccess.get(trustee);
    // an autoMapping nobody can read is never drift: it was applied when the grant was made
    if (actual !== undefined && actual !== autoMapping) {
      out.add(
        m.address,
        "automapping_changed",
        "low",
        "fullAccess",
        autoMapping,
        actual,
        `${trustee}'s FullAccess on ${m.address} has autoMapping ${actual}, the code says ${autoMapping}; the next exoform apply removes and re-adds the grant with autoMapping ${autoMapping} (R3.5)`,
        { trustee, right: "FullAccess" },
      );
    }
  }
  if (authoritative) for (const trustee of grants.fullAccess.keys()) if (!wantFull.has(trustee)) grantAdded(m.address, trustee, "FullAccess", out);
  compareSet(m.address, "SendAs", new Set(m.sendAs), grants.sendAs, authoritative, live, out);
  compareSet(m.address, "SendOnBehalf", new Set(m.sendOnBehalf), grants.sendOnBehalf, authoritative, live, out);
}

function compareSet(
  mailbox: string,
  right: Right,
  want: ReadonlySet<string>,
  have: ReadonlySet<string>,
  authoritative: boolean,
  live: (trustee: string, right: Right) => boolean,
  out: Collector,
): void {
  for (const trustee of want) if (live(trustee, right) && !have.has(trustee)) grantRemoved(mailbox, trustee, right, out);
  if (authoritative) for (const trustee of have) if (!want.has(trustee)) grantAdded(mailbox, trustee, right, out);
}

/**
 * A declared trustee must be a live user (R3.7): one deleted out of band
 * leaves a grant nobody can use, and the plan refuses the declaration until
 * the user is restored or the grant leaves the code. Reported here, as the
 * cause, instead of the grant's presence or absence.
 */
function trusteeIsLive(mailbox: string, trustee: string, right: Right, tenant: TenantIndex, now: string, out: Collector): boolean {
  if (tenant.liveUpns.has(trustee)) return true;
  const deletedAt = tenant.deletedUpns.get(trustee);
  const fix = "exoform plan refuses the declaration until it is fixed: ";
  if (deletedAt !== undefined) {
    const { daysLeft, purgeOn } = restoreWindow(deletedAt, now);
    const window = daysLeft > 0 ? `restore the user from deleted users before ${purgeOn} (${daysLeft} day${daysLeft === 1 ? "" : "s"} left, R2.3)` : "restore the user from deleted users if it is still there (R2.3)";
    out.add(
      mailbox,
      "trustee_deleted",
      "high",
      RIGHT_FIELD[right],
      "present",
      "soft-deleted",
      `${trustee}, who holds ${right} on ${mailbox} in the code, was deleted on ${deletedAt.slice(0, 10)}: the grant gives nobody access and ${fix}${window}, or remove the grant from the code`,
      { trustee, right },
    );
  } else {
    out.add(
      mailbox,
      "trustee_gone",
      "high",
      RIGHT_FIELD[right],
      "present",
      "absent",
      `${trustee}, who holds ${right} on ${mailbox} in the code, is not a user in the tenant, live or deleted (purged, or the UPN changed): ${fix}correct the UPN in the code, or remove the grant`,
      { trustee, right },
    );
  }
  return false;
}

function grantAdded(mailbox: string, trustee: string, right: Right, out: Collector): void {
  out.add(
    mailbox,
    "grant_added",
    ADDED_SEVERITY[right],
    RIGHT_FIELD[right],
    false,
    true,
    `${trustee} holds ${right} on ${mailbox}, which the code does not declare (granted outside exoform, or the code changed and was not applied): ${RIGHT_POWER[right]}; the next exoform apply revokes it; to keep it, declare it in the code (or set permissionsMode "additive")`,
    { trustee, right },
  );
}

function grantRemoved(mailbox: string, trustee: string, right: Right, out: Collector): void {
  out.add(
    mailbox,
    "grant_removed",
    "medium",
    RIGHT_FIELD[right],
    true,
    false,
    `${trustee} does not hold ${right} on ${mailbox}, which the code declares (removed outside exoform, or not applied yet); the next exoform apply grants it again; if they should not have it, remove it from the code`,
    { trustee, right },
  );
}

// ------------------------------------------------------------------ user mailboxes (given back to people)

function checkUserMailbox(u: CanonicalUserMailbox, tenant: TenantIndex, now: string, out: Collector): void {
  const live = tenant.live.get(u.address);
  if (!live) {
    const deleted = tenant.deleted.get(u.address);
    if (deleted) deletionItem(u.address, "user", tenant.usersById.get(deleted.userId) ?? null, deleted, now, out);
    else {
      out.add(u.address, "mailbox_gone", "critical", "mailbox", "present", "absent", `${u.address} no longer exists, live or in deleted users: it was purged after its 30-day restore window (R2.3); remove it from userMailboxes`);
    }
    return;
  }
  const account = tenant.usersById.get(live.userId);
  if (!account || account.deletedAt !== null) {
    deletionItem(u.address, "user", account ?? null, live, now, out);
    return;
  }
  const licensed = account.licenses.includes(u.license);
  if (live.type === "shared") {
    // Given back means licensed and sign-in allowed; a shared mailbox in that
    // state was converted back and then turned shared again.
    if (licensed && account.accountEnabled) {
      out.add(u.address, "mailbox_reverted_to_shared", "high", "type", "user", "shared", `${u.address} was given back to its owner but is a shared mailbox again; the next exoform apply converts it back to a user mailbox`);
    } else {
      out.addPending(u.address, "not_converted_back", `${u.address} is still shared; the next apply converts it back to a user mailbox with ${u.license}`);
    }
    return;
  }
  if (!licensed) {
    out.add(
      u.address,
      "license_removed",
      "critical",
      "license",
      [u.license],
      [...account.licenses].sort(compareStrings),
      `license ${u.license} was removed from user mailbox ${u.address}: an unlicensed user mailbox is disconnected after a 30-day grace period (R1.12, R2.6); the next exoform apply assigns it again (a free seat is needed)`,
    );
  }
  if (!account.accountEnabled) {
    out.add(u.address, "signin_blocked", "medium", "accountEnabled", true, false, `sign-in is blocked for ${u.address}, whose mailbox was given back to its owner; the next exoform apply allows it again`);
  }
}

// ------------------------------------------------------------------ undeclared mailboxes

function checkUndeclared(stack: string, declared: ReadonlySet<string>, tenant: TenantIndex, out: Collector): void {
  for (const m of tenant.live.values()) {
    if (declared.has(m.address)) continue;
    if (parseManagementTag(m.managementTag)?.stack !== stack) continue;
    out.addPending(m.address, "deletion_pending", `${m.address} left the code with removalPolicy "delete"; the next apply deletes it`);
  }
}

// ------------------------------------------------------------------ deletion

/** Days left before a soft-deleted object is purged, and the purge date. */
export function restoreWindow(deletedAt: string, observedAt: string): { daysLeft: number; purgeOn: string } {
  const purge = Date.parse(deletedAt) + RECYCLE_BIN_DAYS * DAY_MS;
  const left = purge - Date.parse(observedAt);
  return { daysLeft: left > 0 ? Math.ceil(left / DAY_MS) : 0, purgeOn: new Date(purge).toISOString().slice(0, 10) };
}

/**
 * The account (anchor of a shared mailbox, or a person's account) or the
 * mailbox is soft-deleted, or the account is gone. CRITICAL, with the restore
 * procedure and the days left (R2.3, R2.5, R7.3). Never delete anchors (R2.1).
 */
function deletionItem(
  address: string,
  kind: "shared" | "user",
  account: ObservedUser | null,
  mailbox: ObservedMailbox,
  now: string,
  out: Collector,
): void {
  const accountDeleted = account === null || account.deletedAt !== null;
  const deletedAt = account?.deletedAt ?? mailbox.deletedAt;
  const whose = kind === "shared" ? `the account of shared mailbox ${address}` : `the account of ${address}`;
  let what: string;
  let when: string;
  if (deletedAt === null) {
    what = `${whose} is missing (not live, not in deleted users): the mailbox cannot work without it`;
    when = "check the recycle bin in the admin center at once; if it was purged, the mailbox's mail survives only if it was on hold (inactive mailbox)";
  } else {
    const { daysLeft, purgeOn } = restoreWindow(deletedAt, now);
    what = accountDeleted
      ? `${whose} was deleted on ${deletedAt.slice(0, 10)} and the mailbox went with it`
      : `mailbox ${address} was deleted on ${deletedAt.slice(0, 10)}`;
    when =
      daysLeft > 0
        ? `it is purged for good on ${purgeOn}, ${daysLeft} day${daysLeft === 1 ? "" : "s"} from now; restore the account from deleted users (admin center > Users > Deleted users, or POST /directory/deletedItems/${account?.id ?? mailbox.userId}/restore) before then, wait 20-30 minutes for the mailbox to come back, then run exoform apply (R2.3, R2.5)`
        : `its 30-day restore window ended on ${purgeOn}: it may already be purged; if it is still in deleted users restore it now, then run exoform apply (R2.3)`;
  }
  const hold = mailbox.litigationHold ? "; it was on litigation hold, so after a purge Exchange keeps it as an inactive mailbox" : "";
  const never = kind === "shared" ? "; never delete a shared mailbox's account (R2.1)" : "";
  out.add(
    address,
    kind === "shared" && accountDeleted ? "anchor_deleted" : "mailbox_deleted",
    "critical",
    "mailbox",
    "present",
    deletedAt === null ? "absent" : "soft-deleted",
    `${what}; ${when}${hold}${never}`,
  );
}
