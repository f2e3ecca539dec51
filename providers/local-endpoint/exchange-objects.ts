/**
 * The objects the Exchange admin API returns, built from the simulated
 * tenant's observed shapes: PascalCase properties as the cmdlets' own
 * objects have them, sizes in the service's string form, GUIDs derived
 * deterministically (the tenant keeps none), and the two query features that
 * act on them: $select projection and a minimal -Filter.
 *
 * Identities in these objects (decided once, used everywhere):
 * - A mailbox's Name, Identity and Id are its ExternalDirectoryObjectId (the
 *   anchor user's Entra id), as Exchange Online names cloud recipients.
 * - GrantSendOnBehalfTo lists the trustees' ExternalDirectoryObjectIds (their
 *   recipient Names), never UPNs (microsoft-apis.md §6); a trustee the tenant
 *   no longer knows stays as the UPN the grant holds.
 * - Permission rows name the mailbox by its Identity and the trustee
 *   (User, Trustee) by UPN; a mail-enabled security group by its display
 *   name, as Exchange names group trustees (clients map it to the group).
 * - CustomAttribute1..15 are the mailbox's own attributes, whichever of them
 *   a desired state's tenant.managementAttribute gives exoform's tag.
 */
import { createHash } from "node:crypto";
import type { ObservedGrant, ObservedMailbox, ObservedUser } from "../../lib/provider/observed.js";
import { attributeName, CUSTOM_ATTRIBUTES, type CustomAttributes } from "../simulated/index.js";
import { parameterInvalid } from "./exchange-errors.js";
import { valueText } from "../../lib/private/text.js";

export type ExoObject = Readonly<Record<string, unknown>>;

export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";
/** The bookkeeping trustee every mailbox shows in its permissions (clients filter it out, R3.11). */
export const SELF_TRUSTEE = "NT AUTHORITY\\SELF";

/** A GUID-shaped name-based id (version 5 layout): the same seed always gives the same GUID. */
export function guidOf(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Get-Mailbox Guid (and Get-MailboxStatistics MailboxGuid): from the anchor's id, which is never reused. */
export function mailboxGuid(m: Pick<ObservedMailbox, "userId">): string {
  return guidOf(`mailbox:${m.userId}`);
}

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/**
 * A byte count as Exchange's ByteQuantifiedSize prints it: the largest unit
 * (1024-based) the value reaches, four significant digits without trailing
 * zeros, then the exact count with thousands separators:
 * 0 -> "0 B (0 bytes)", 3402 -> "3.322 KB (3,402 bytes)", 53687091200 -> "50 GB (53,687,091,200 bytes)".
 */
export function formatByteQuantity(bytes: number): string {
  let unit = 0;
  while (unit < UNITS.length - 1 && bytes >= 1024 ** (unit + 1)) unit++;
  const value = Number((bytes / 1024 ** unit).toPrecision(4));
  return `${value} ${UNITS[unit]} (${String(bytes).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} bytes)`;
}

export interface MailboxFacts {
  readonly mailbox: ObservedMailbox;
  /** CustomAttribute1..15 that hold a value (the others are shown as ""). */
  readonly customAttributes: CustomAttributes;
  /** The anchor user (live or soft-deleted); undefined if the tenant no longer has it. */
  readonly user: ObservedUser | undefined;
  /** GrantSendOnBehalfTo as returned (ExternalDirectoryObjectIds). */
  readonly sendOnBehalf: readonly string[];
}

/** A Get-Mailbox / New-Mailbox object. */
export function mailboxObject({ mailbox: m, customAttributes, user, sendOnBehalf }: MailboxFacts): ExoObject {
  const custom: Record<string, string> = {};
  for (let i = 1; i <= CUSTOM_ATTRIBUTES; i++) custom[attributeName(i)] = customAttributes[attributeName(i)] ?? "";
  return {
    Identity: m.userId,
    Id: m.userId,
    Name: m.userId,
    Guid: mailboxGuid(m),
    ExchangeGuid: guidOf(`exchange:${m.userId}`),
    ExternalDirectoryObjectId: m.userId,
    UserPrincipalName: user?.userPrincipalName ?? m.address,
    PrimarySmtpAddress: m.address,
    WindowsEmailAddress: m.address,
    // the primary is "SMTP:", extra addresses "smtp:" (the service's casing convention)
    EmailAddresses: [`SMTP:${m.address}`, ...(m.emailAddresses ?? []).map((a) => `smtp:${a}`)],
    Alias: m.alias,
    DisplayName: m.displayName,
    RecipientType: "UserMailbox",
    RecipientTypeDetails: m.type === "shared" ? "SharedMailbox" : "UserMailbox",
    IsDirSynced: user?.onPremisesSyncEnabled ?? false,
    LitigationHoldEnabled: m.litigationHold,
    HiddenFromAddressListsEnabled: m.hiddenFromAddressLists ?? false,
    MessageCopyForSentAsEnabled: m.messageCopyForSentAs ?? false,
    MessageCopyForSendOnBehalfEnabled: m.messageCopyForSendOnBehalf ?? false,
    ArchiveStatus: m.archive ? "Active" : "None",
    ArchiveGuid: m.archive ? guidOf(`archive:${m.userId}`) : ZERO_GUID,
    GrantSendOnBehalfTo: [...sendOnBehalf],
    ...custom,
    ProhibitSendReceiveQuota: formatByteQuantity(m.quotaBytes),
    IsSoftDeletedByRemove: m.deletedAt !== null,
    WhenSoftDeleted: m.deletedAt,
  };
}

/** The properties of a mailbox object, for -Filter. */
export const MAILBOX_PROPERTIES: readonly string[] = Object.keys(
  mailboxObject({
    mailbox: { address: "", displayName: "", alias: "", type: "shared", userId: "", sizeBytes: 0, quotaBytes: 0, litigationHold: false, archive: false, readyAt: null, deletedAt: null, managementTag: null },
    customAttributes: {},
    user: undefined,
    sendOnBehalf: [],
  }),
);

/** Get-MailboxStatistics. StorageLimitStatus follows the default warning (98%) and send (99%) quotas. */
export function statisticsObject(m: ObservedMailbox): ExoObject {
  const used = m.quotaBytes > 0 ? m.sizeBytes / m.quotaBytes : 0;
  const status = used >= 1 ? "MailboxDisabled" : used >= 0.99 ? "ProhibitSend" : used >= 0.98 ? "IssueWarning" : "BelowLimit";
  return {
    Identity: m.userId,
    DisplayName: m.displayName,
    MailboxGuid: mailboxGuid(m),
    MailboxTypeDetail: m.type === "shared" ? "SharedMailbox" : "UserMailbox",
    TotalItemSize: formatByteQuantity(m.sizeBytes),
    // the tenant keeps bytes only; an item count at a typical 50 KB per item
    ItemCount: Math.round(m.sizeBytes / 51_200),
    StorageLimitStatus: status,
  };
}

/** A permission row and the trustee of the grant it shows (null: the SELF bookkeeping row). */
export interface PermissionRow {
  readonly trustee: string | null;
  readonly object: ExoObject;
}

/**
 * Get-MailboxPermission rows: the SELF bookkeeping row, then one per FullAccess grant (AutoMapping
 * is not readable). `name` is how a row names a trustee (Lookup.permissionNames).
 */
export function mailboxPermissionRows(m: ObservedMailbox, grants: readonly ObservedGrant[], name: (trustee: string) => string): PermissionRow[] {
  const row = (user: string, rights: string): ExoObject => ({ Identity: m.userId, User: user, AccessRights: [rights], IsInherited: false, Deny: false, InheritanceType: "All" });
  return [
    { trustee: null, object: row(SELF_TRUSTEE, "FullAccess, ReadPermission") },
    ...grants.filter((g) => g.right === "FullAccess").map((g) => ({ trustee: g.trustee, object: row(name(g.trustee), "FullAccess") })),
  ];
}

/** Get-RecipientPermission rows: the SELF bookkeeping row, then one per SendAs grant. */
export function recipientPermissionRows(m: ObservedMailbox, grants: readonly ObservedGrant[], name: (trustee: string) => string): PermissionRow[] {
  const row = (trustee: string): ExoObject => ({ Identity: m.userId, Trustee: trustee, AccessControlType: "Allow", AccessRights: ["SendAs"], IsInherited: false, InheritanceType: "None" });
  return [{ trustee: null, object: row(SELF_TRUSTEE) }, ...grants.filter((g) => g.right === "SendAs").map((g) => ({ trustee: g.trustee, object: row(name(g.trustee)) }))];
}

/** Get-User. */
export function userObject(u: ObservedUser, mailbox: ObservedMailbox | undefined): ExoObject {
  return {
    Identity: u.id,
    Name: u.id,
    UserPrincipalName: u.userPrincipalName,
    ExternalDirectoryObjectId: u.id,
    DisplayName: u.displayName,
    RecipientTypeDetails: mailbox === undefined ? "User" : mailbox.type === "shared" ? "SharedMailbox" : "UserMailbox",
    IsDirSynced: u.onPremisesSyncEnabled,
  };
}

// ------------------------------------------------------------------ $select

/** `$select=A,B` as property names; null when absent or empty. */
export function parseSelect(raw: string | null | undefined): string[] | null {
  if (raw === null || raw === undefined) return null;
  const names = raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  return names.length > 0 ? names : null;
}

/** Keep only the selected properties (names match case-insensitively; unknown names are left out, as the service does). */
export function project(obj: ExoObject, select: readonly string[] | null): ExoObject {
  if (select === null) return obj;
  const wanted = new Set(select.map((s) => s.toLowerCase()));
  return Object.fromEntries(Object.entries(obj).filter(([k]) => wanted.has(k.toLowerCase())));
}

// ------------------------------------------------------------------ -Filter (OPATH, a small subset)

interface Comparison {
  readonly property: string;
  readonly op: "eq" | "ne" | "like" | "notlike";
  readonly value: string | boolean | null;
}

const COMPARISON = /^\(?\s*([A-Za-z][A-Za-z0-9]*)\s+-(eq|ne|like|notlike)\s+(?:'([^']*)'|"([^"]*)"|(\$true|\$false|\$null))\s*\)?$/i;

/**
 * A -Filter of comparisons joined by -and: `Property -eq|-ne|-like|-notlike 'value'` (or $true,
 * $false, $null), e.g. "RecipientTypeDetails -eq 'SharedMailbox'". Anything else is refused as
 * the service refuses a filter it cannot parse. Properties are those of the returned objects.
 */
export function parseFilter(raw: string, properties: readonly string[]): (obj: ExoObject) => boolean {
  const invalid = (why: string): never =>
    parameterInvalid("Filter", `Invalid filter syntax: ${why}. The local endpoint supports "Property -eq|-ne|-like|-notlike 'value'" joined by -and.`);
  const text = raw.trim().replace(/^\{(.*)\}$/s, "$1").trim();
  if (text.length === 0) invalid("the filter is empty");
  const comparisons = text.split(/\s+-and\s+/i).map((part): Comparison => {
    const m = COMPARISON.exec(part.trim());
    if (!m) return invalid(`"${part.trim()}" is not a comparison`);
    const property = properties.find((p) => p.toLowerCase() === m[1]!.toLowerCase());
    if (property === undefined) return invalid(`"${m[1]}" is not a filterable property`);
    const keyword = m[5]?.toLowerCase();
    const value = keyword === "$true" ? true : keyword === "$false" ? false : keyword === "$null" ? null : (m[3] ?? m[4] ?? "");
    return { property, op: m[2]!.toLowerCase() as Comparison["op"], value };
  });
  return (obj) => comparisons.every((c) => holds(obj[c.property], c));
}

function holds(actual: unknown, c: Comparison): boolean {
  const text = (v: unknown): string => valueText(v).toLowerCase();
  let same: boolean;
  if (c.op === "like" || c.op === "notlike") {
    const pattern = new RegExp(`^${text(c.value).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "s");
    same = pattern.test(text(actual));
  } else if (c.value === null) {
    same = actual === null || actual === undefined || actual === "";
  } else {
    same = typeof c.value === "boolean" ? actual === c.value : text(actual) === text(c.value);
  }
  return c.op === "eq" || c.op === "like" ? same : !same;
}
