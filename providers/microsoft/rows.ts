/**
 * From the services' objects to the contract's shapes (lib/provider/observed.ts):
 * Graph users and SKUs, Exchange mailbox and permission rows, and the index
 * that turns the names Exchange uses for recipients (Name, Alias, Guid,
 * ExternalDirectoryObjectId, addresses) into mailbox addresses and trustee UPNs.
 * Pure functions: no I/O here.
 */
import type { ObservedGrant, ObservedMailbox, ObservedSku, ObservedUser, Right } from "../../lib/provider/observed.js";
import { capabilitiesOf, UNLICENSED_SHARED_QUOTA } from "../../lib/model/licensing.js";
import { DEFAULT_MANAGEMENT_ATTRIBUTE, type ManagementAttribute } from "../../lib/model/management-tag.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import type { ExoRow } from "./exchange.js";
import { valueText } from "../../lib/private/text.js";

export const USER_SELECT = "id,userPrincipalName,displayName,accountEnabled,assignedLicenses,usageLocation,onPremisesSyncEnabled,signInSessionsValidFromDateTime";

export const MAILBOX_SELECT = [
  "Identity", "Id", "Name", "Guid", "ExchangeGuid", "ExternalDirectoryObjectId", "UserPrincipalName", "PrimarySmtpAddress", "DisplayName", "Alias",
  "RecipientTypeDetails", "GrantSendOnBehalfTo", "LitigationHoldEnabled", "ArchiveStatus", "ArchiveGuid", "IsDirSynced", "CustomAttribute15",
  "HiddenFromAddressListsEnabled", "EmailAddresses", "MessageCopyForSentAsEnabled", "MessageCopyForSendOnBehalfEnabled",
  "WhenSoftDeleted", "WhenChanged", "DistinguishedName",
] as const;

/**
 * The Get-Mailbox properties read when the management tag lives in `attribute`
 * (tenant.managementAttribute): MAILBOX_SELECT with CustomAttribute15 swapped
 * for it, so no other custom attribute is ever read or written.
 */
export function mailboxSelect(attribute: ManagementAttribute = DEFAULT_MANAGEMENT_ATTRIBUTE): readonly string[] {
  return MAILBOX_SELECT.map((p) => (p === DEFAULT_MANAGEMENT_ATTRIBUTE ? attribute : p));
}

export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";
/** The service's own bookkeeping trustee on every mailbox (R3.11). */
const SELF = "nt authority\\self";

export interface GraphAssignedLicense {
  readonly skuId?: string;
  readonly disabledPlans?: readonly string[];
}

export interface GraphUser {
  readonly id: string;
  readonly userPrincipalName?: string | null;
  readonly displayName?: string | null;
  readonly accountEnabled?: boolean | null;
  readonly assignedLicenses?: readonly GraphAssignedLicense[] | null;
  readonly usageLocation?: string | null;
  readonly onPremisesSyncEnabled?: boolean | null;
  readonly deletedDateTime?: string | null;
  /** Tokens issued before this time are refused: set by revokeSignInSessions (and by a password change). */
  readonly signInSessionsValidFromDateTime?: string | null;
}

export interface GraphSku {
  readonly skuId: string;
  readonly skuPartNumber: string;
  readonly consumedUnits?: number;
  readonly prepaidUnits?: { readonly enabled?: number };
  readonly servicePlans?: ReadonlyArray<{ readonly servicePlanId?: string; readonly servicePlanName?: string }>;
}

const lower = (s: string): string => s.trim().toLowerCase();
const str = valueText;

/** The tenant's SKUs: skuId <-> part number, and the service plans each one carries. */
export class SkuCatalogue {
  private readonly byId = new Map<string, GraphSku>();
  private readonly byPart = new Map<string, GraphSku>();

  constructor(skus: readonly GraphSku[]) {
    for (const s of skus) {
      this.byId.set(lower(s.skuId), s);
      this.byPart.set(s.skuPartNumber, s);
    }
  }

  /** The skuId of a part number, or undefined. */
  idOf(part: string): string | undefined {
    return this.byPart.get(part)?.skuId;
  }

  has(skuId: string): boolean {
    return this.byId.has(lower(skuId));
  }

  /** Part numbers of the assigned licenses, sorted (an unknown skuId is kept as the id). */
  partsOf(assigned: readonly GraphAssignedLicense[] | null | undefined): string[] {
    return (assigned ?? []).map((a) => this.byId.get(lower(a.skuId ?? ""))?.skuPartNumber ?? a.skuId ?? "").filter((p) => p !== "").sort(compareStrings);
  }

  /** Names of the service plans the assigned licenses give, minus the disabled ones. */
  plansOf(assigned: readonly GraphAssignedLicense[] | null | undefined): string[] {
    const plans: string[] = [];
    for (const a of assigned ?? []) {
      const disabled = new Set((a.disabledPlans ?? []).map(lower));
      for (const p of this.byId.get(lower(a.skuId ?? ""))?.servicePlans ?? []) {
        if (p.servicePlanName && !disabled.has(lower(p.servicePlanId ?? ""))) plans.push(p.servicePlanName);
      }
    }
    return plans;
  }

  /** ProhibitSendReceiveQuota the licenses give a mailbox (R1.4, R1.5). */
  quotaOf(assigned: readonly GraphAssignedLicense[] | null | undefined): number {
    return assigned && assigned.length > 0 ? capabilitiesOf(this.plansOf(assigned)).quotaBytes : UNLICENSED_SHARED_QUOTA;
  }
}

export function toObservedSku(s: GraphSku): ObservedSku {
  return {
    skuPartNumber: s.skuPartNumber,
    skuId: s.skuId,
    prepaidUnits: s.prepaidUnits?.enabled ?? 0,
    consumedUnits: s.consumedUnits ?? 0,
    servicePlans: (s.servicePlans ?? []).map((p) => p.servicePlanName ?? "").filter((n) => n !== "").sort(compareStrings),
  };
}

export function toObservedUser(u: GraphUser, skus: SkuCatalogue, deleted: boolean): ObservedUser {
  return {
    id: u.id,
    userPrincipalName: lower(u.userPrincipalName ?? ""),
    displayName: u.displayName ?? "",
    accountEnabled: u.accountEnabled ?? true,
    usageLocation: u.usageLocation ? u.usageLocation : null,
    licenses: skus.partsOf(u.assignedLicenses),
    onPremisesSyncEnabled: u.onPremisesSyncEnabled === true,
    deletedAt: deleted ? isoOrNull(u.deletedDateTime) ?? new Date(0).toISOString() : null,
    // present only once set, as the simulated tenant reports it: apply reads a revocation back from it
    ...(isoOrNull(u.signInSessionsValidFromDateTime) !== null ? { sessionsRevokedAt: isoOrNull(u.signInSessionsValidFromDateTime)! } : {}),
  };
}

export function compareUsers(a: ObservedUser, b: ObservedUser): number {
  return compareStrings(a.userPrincipalName, b.userPrincipalName) || compareStrings(a.id, b.id);
}

/** Live before soft-deleted at one address, as Get-Mailbox would resolve it. */
export function compareMailboxes(a: ObservedMailbox, b: ObservedMailbox): number {
  return compareStrings(a.address, b.address) || Number(a.deletedAt !== null) - Number(b.deletedAt !== null) || compareStrings(a.deletedAt ?? "", b.deletedAt ?? "");
}

export function compareGrants(a: ObservedGrant, b: ObservedGrant): number {
  return compareStrings(a.mailbox, b.mailbox) || compareStrings(a.right, b.right) || compareStrings(a.trustee, b.trustee);
}

/** "user" / "shared" for the mailboxes the contract covers; null for rooms, equipment and the like. */
export function mailboxType(row: ExoRow): "user" | "shared" | null {
  const t = str(row["RecipientTypeDetails"]);
  return t === "SharedMailbox" ? "shared" : t === "UserMailbox" ? "user" : null;
}

export interface MailboxFacts {
  readonly quotaBytes: number;
  readonly sizeBytes: number;
  /** The row is from Get-Mailbox -SoftDeletedMailbox. */
  readonly softDeleted: boolean;
  /** Where the management tag is read from; default CustomAttribute15. */
  readonly managementAttribute?: ManagementAttribute;
}

/** A Get-Mailbox row as an ObservedMailbox. readyAt is always null: readiness cannot be read from the service. */
export function toObservedMailbox(row: ExoRow, type: "user" | "shared", facts: MailboxFacts): ObservedMailbox {
  const archiveGuid = lower(str(row["ArchiveGuid"]));
  const tag = str(row[facts.managementAttribute ?? DEFAULT_MANAGEMENT_ATTRIBUTE]);
  return {
    address: lower(str(row["PrimarySmtpAddress"])),
    displayName: str(row["DisplayName"]),
    alias: str(row["Alias"]),
    type,
    userId: str(row["ExternalDirectoryObjectId"]),
    sizeBytes: facts.sizeBytes,
    quotaBytes: facts.quotaBytes,
    litigationHold: row["LitigationHoldEnabled"] === true,
    archive: str(row["ArchiveStatus"]) === "Active" || (archiveGuid !== "" && archiveGuid !== ZERO_GUID),
    readyAt: null,
    deletedAt: facts.softDeleted ? exoDate(row["WhenSoftDeleted"]) ?? exoDate(row["WhenChanged"]) ?? new Date(0).toISOString() : null,
    managementTag: tag === "" ? null : tag,
    hiddenFromAddressLists: row["HiddenFromAddressListsEnabled"] === true,
    emailAddresses: extraSmtpAddresses(row["EmailAddresses"], lower(str(row["PrimarySmtpAddress"]))),
    messageCopyForSentAs: row["MessageCopyForSentAsEnabled"] === true,
    messageCopyForSendOnBehalf: row["MessageCopyForSendOnBehalfEnabled"] === true,
  };
}

/**
 * The extra SMTP addresses in an EmailAddresses value: its "smtp:" entries
 * (the primary is "SMTP:"; X500:, SIP: and other proxy types are not
 * addresses exoform manages), lower-case, sorted, the primary left out.
 */
export function extraSmtpAddresses(value: unknown, primary: string): string[] {
  const out = new Set<string>();
  for (const entry of Array.isArray(value) ? value : []) {
    if (typeof entry !== "string" || !entry.toLowerCase().startsWith("smtp:")) continue;
    const address = lower(entry.slice(5));
    if (address !== primary && address !== "") out.add(address);
  }
  return [...out].sort(compareStrings);
}

/** "49.51 GB (53,160,000,000 bytes)" -> 53160000000; a number is taken as bytes; 0 when unreadable. */
export function parseByteQuantity(v: unknown): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  const digits = /\(([\d,.\s]+) bytes\)/.exec(str(v))?.[1]?.replace(/[,.\s]/g, "");
  return digits ? Number(digits) : 0;
}

/** An Exchange date: ISO text or "/Date(ms)/"; null when absent. */
export function exoDate(v: unknown): string | null {
  const s = str(v);
  if (s === "") return null;
  const ms = /^\/Date\((-?\d+)[^)]*\)\/$/.exec(s)?.[1];
  return ms !== undefined ? new Date(Number(ms)).toISOString() : isoOrNull(s);
}

function isoOrNull(s: string | null | undefined): string | null {
  if (!s) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The values Exchange may name a recipient by, from one Get-Mailbox row. */
function namesOf(row: ExoRow): string[] {
  return ["Identity", "Id", "Name", "Guid", "ExchangeGuid", "ExternalDirectoryObjectId", "PrimarySmtpAddress", "UserPrincipalName", "Alias", "DistinguishedName"]
    .map((k) => lower(str(row[k])))
    .filter((v) => v !== "");
}

/**
 * Recipient names -> mailbox addresses and trustee UPNs. Built from Get-Mailbox rows (live rows
 * win over soft-deleted ones) and Graph users (id and UPN -> UPN). A value it cannot resolve is
 * given back lower-cased, never dropped: an unknown trustee is drift to show, not to hide.
 */
export class RecipientIndex {
  private readonly address = new Map<string, string>();
  private readonly upn = new Map<string, string>();

  constructor(mailboxRows: readonly ExoRow[], users: readonly ObservedUser[]) {
    const byId = new Map<string, string>();
    for (const u of users) {
      if (u.userPrincipalName === "") continue;
      if (!byId.has(lower(u.id)) || u.deletedAt === null) byId.set(lower(u.id), u.userPrincipalName);
      if (u.deletedAt === null || !this.upn.has(u.userPrincipalName)) this.upn.set(u.userPrincipalName, u.userPrincipalName);
    }
    for (const [id, upn] of byId) this.upn.set(id, upn);
    for (const row of mailboxRows) {
      const address = lower(str(row["PrimarySmtpAddress"]));
      if (address === "") continue;
      const upn = byId.get(lower(str(row["ExternalDirectoryObjectId"]))) ?? (lower(str(row["UserPrincipalName"])) || address);
      for (const name of namesOf(row)) {
        if (!this.address.has(name)) this.address.set(name, address);
        if (!this.upn.has(name)) this.upn.set(name, upn);
      }
    }
  }

  /**
   * Also resolve mail-enabled security groups: permission rows name a group trustee by its
   * Name, alias or id, never its address. People and mailboxes keep their names.
   */
  learnGroups(groups: readonly { readonly id: string; readonly address: string; readonly displayName?: string | null; readonly mailNickname?: string | null }[]): void {
    for (const g of groups) {
      for (const name of [g.id, g.address, g.displayName ?? "", g.mailNickname ?? ""].map(lower)) {
        if (name !== "" && !this.upn.has(name)) this.upn.set(name, g.address);
      }
    }
  }

  /** Also resolve `name` as the recipient of `row` (a name looked up by itself). */
  learn(name: string, row: ExoRow): void {
    const address = lower(str(row["PrimarySmtpAddress"]));
    const upn = this.upn.get(lower(str(row["ExternalDirectoryObjectId"]))) ?? (lower(str(row["UserPrincipalName"])) || address);
    if (upn !== "") this.upn.set(lower(name), upn);
    if (address !== "") this.address.set(lower(name), address);
  }

  /** The mailbox address a permission row's Identity names, or the value lower-cased. */
  mailboxAddress(name: unknown): string {
    const key = lower(str(name));
    return this.address.get(key) ?? key;
  }

  /** The UPN of a trustee named by UPN, address, id, Name, Alias...; the value lower-cased when unknown. */
  trustee(name: unknown): string {
    const key = lower(str(name));
    return this.upn.get(key) ?? key;
  }
}

/** The rights of a permission row: ["FullAccess", "ReadPermission"] from either an array or "FullAccess, ReadPermission". */
function rightsOf(v: unknown): string[] {
  const list = Array.isArray(v) ? v.map(str) : [str(v)];
  return list.flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
}

/** Whether a permission row is a real, direct grant (not SELF, inherited or deny). */
function direct(row: ExoRow, trusteeKey: "User" | "Trustee"): boolean {
  if (lower(str(row[trusteeKey])) === SELF) return false;
  if (row["IsInherited"] === true) return false;
  if (row["Deny"] === true || str(row["AccessControlType"]) === "Deny") return false;
  return true;
}

/** FullAccess grants from Get-MailboxPermission rows of `mailbox` (autoMapping cannot be read back: left out). */
export function fullAccessGrants(mailbox: string, rows: readonly ExoRow[], index: RecipientIndex): ObservedGrant[] {
  return rows
    .filter((r) => direct(r, "User") && rightsOf(r["AccessRights"]).includes("FullAccess"))
    .map((r) => ({ mailbox, right: "FullAccess" as Right, trustee: index.trustee(r["User"]) }));
}

/** SendAs grants from Get-RecipientPermission rows; the mailbox is the row's Identity resolved (or `mailbox` when given). */
export function sendAsGrants(rows: readonly ExoRow[], index: RecipientIndex, mailbox?: string): ObservedGrant[] {
  return rows
    .filter((r) => direct(r, "Trustee") && rightsOf(r["AccessRights"]).includes("SendAs"))
    .map((r) => ({ mailbox: mailbox ?? index.mailboxAddress(r["Identity"]), right: "SendAs" as Right, trustee: index.trustee(r["Trustee"]) }));
}

/** SendOnBehalf grants from a Get-Mailbox row's GrantSendOnBehalfTo. */
export function sendOnBehalfGrants(row: ExoRow, index: RecipientIndex): ObservedGrant[] {
  const mailbox = lower(str(row["PrimarySmtpAddress"]));
  const list = Array.isArray(row["GrantSendOnBehalfTo"]) ? (row["GrantSendOnBehalfTo"] as unknown[]) : [];
  return list.map(str).filter((v) => v.trim() !== "").map((v) => ({ mailbox, right: "SendOnBehalf" as Right, trustee: index.trustee(v) }));
}

/** Sorted, without duplicates. */
export function uniqueGrants(grants: readonly ObservedGrant[]): ObservedGrant[] {
  const seen = new Set<string>();
  const out: ObservedGrant[] = [];
  for (const g of [...grants].sort(compareGrants)) {
    const key = `${g.mailbox}\n${g.right}\n${g.trustee}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(g);
    }
  }
  return out;
}
