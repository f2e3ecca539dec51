/**
 * `exoform tenant show`: the simulated tenant as people look at it, built
 * from its fixture export: seats, mailboxes with their anchors, grants and
 * custom attributes, groups with their members, users without a mailbox.
 * Text for reading, the same view as JSON with --format json.
 */
import type { Right } from "../../provider/observed.js";
import { capabilitiesOfSkus, formatBytes } from "../../model/licensing.js";
import { compareStrings } from "../../private/canonical-json.js";
import { DEFAULT_MANAGEMENT_ATTRIBUTE, parseManagementTag } from "../../model/management-tag.js";
import { RETENTION_MS, type TenantFixture } from "../../../providers/simulated/index.js";

interface GrantView {
  readonly right: Right;
  readonly trustee: string;
  readonly autoMapping?: boolean;
  readonly effectiveAt?: string;
}

interface MailboxView {
  readonly address: string;
  readonly displayName: string;
  readonly alias: string;
  readonly type: "user" | "shared";
  readonly sizeBytes: number;
  readonly quotaBytes: number;
  readonly litigationHold: boolean;
  readonly archive: boolean;
  /** CustomAttribute15 (the fixture's managementTag). */
  readonly managementTag: string | null;
  /** CustomAttribute1..14 that hold a value. */
  readonly customAttributes: Readonly<Record<string, string>>;
  readonly readyAt: string | null;
  readonly deletedAt: string | null;
  readonly purgeAt: string | null;
  readonly disconnectAt: string | null;
  readonly anchor: {
    readonly id: string;
    readonly userPrincipalName: string;
    readonly accountEnabled: boolean;
    readonly licenses: readonly string[];
    readonly usageLocation: string | null;
    readonly onPremisesSyncEnabled: boolean;
  } | null;
  readonly grants: readonly GrantView[];
}

interface TenantView {
  readonly tenant: TenantFixture["tenant"];
  readonly clock: string;
  readonly skus: ReadonlyArray<{ readonly skuPartNumber: string; readonly prepaidUnits: number; readonly consumedUnits: number; readonly freeUnits: number }>;
  readonly mailboxes: readonly MailboxView[];
  /** The mail-enabled security groups, by address, with their members' UPNs (soft-deleted members left out, as the service does). */
  readonly groups: ReadonlyArray<{ readonly address: string; readonly displayName: string; readonly id: string; readonly members: readonly string[] }>;
  readonly usersWithoutMailbox: ReadonlyArray<{ readonly userPrincipalName: string; readonly licenses: readonly string[]; readonly deletedAt: string | null }>;
}

export function tenantView(f: TenantFixture, nowMs: number): TenantView {
  const plansBySku = new Map(f.skus.map((s) => [s.skuPartNumber, s.servicePlans]));
  const users = new Map(f.users.map((u) => [u.id, u]));
  const consumed = new Map<string, number>();
  for (const u of f.users) for (const sku of u.licenses ?? []) consumed.set(sku, (consumed.get(sku) ?? 0) + 1);
  const grants = new Map<string, GrantView[]>();
  for (const g of f.grants) {
    const list = grants.get(g.mailbox) ?? [];
    list.push({
      right: g.right,
      trustee: g.trustee,
      ...(g.autoMapping !== undefined ? { autoMapping: g.autoMapping } : {}),
      ...(g.effectiveAt ? { effectiveAt: g.effectiveAt } : {}),
    });
    grants.set(g.mailbox, list);
  }
  const anchored = new Set<string>();
  const mailboxes = f.mailboxes.map((m): MailboxView => {
    anchored.add(m.userId);
    const u = users.get(m.userId);
    const licenses = u?.licenses ?? [];
    const readyAt = m.readyAt && Date.parse(m.readyAt) > nowMs ? m.readyAt : null;
    return {
      address: m.address,
      displayName: m.displayName,
      alias: m.alias ?? "",
      type: m.type,
      sizeBytes: m.sizeBytes ?? 0,
      quotaBytes: capabilitiesOfSkus(licenses, plansBySku).quotaBytes,
      litigationHold: m.litigationHold ?? false,
      archive: m.archive ?? false,
      managementTag: m.managementTag ?? null,
      customAttributes: m.customAttributes ?? {},
      readyAt,
      deletedAt: m.deletedAt ?? null,
      purgeAt: m.deletedAt ? new Date(Date.parse(m.deletedAt) + RETENTION_MS).toISOString() : null,
      disconnectAt: m.disconnectAt ?? null,
      anchor: u
        ? {
            id: u.id,
            userPrincipalName: u.userPrincipalName,
            accountEnabled: u.accountEnabled ?? true,
            licenses,
            usageLocation: u.usageLocation ?? null,
            onPremisesSyncEnabled: u.onPremisesSyncEnabled ?? false,
          }
        : null,
      grants: grants.get(m.address) ?? [],
    };
  });
  return {
    tenant: f.tenant,
    clock: f.clock,
    skus: f.skus.map((s) => {
      const used = consumed.get(s.skuPartNumber) ?? 0;
      return { skuPartNumber: s.skuPartNumber, prepaidUnits: s.prepaidUnits, consumedUnits: used, freeUnits: s.prepaidUnits - used };
    }),
    mailboxes,
    groups: (f.groups ?? []).map((g) => ({
      address: g.address,
      displayName: g.displayName,
      id: g.id,
      members: (g.members ?? []).flatMap((id) => {
        const u = users.get(id);
        return u && !u.deletedAt ? [u.userPrincipalName] : [];
      }).sort(compareStrings),
    })),
    usersWithoutMailbox: f.users
      .filter((u) => !anchored.has(u.id))
      .map((u) => ({ userPrincipalName: u.userPrincipalName, licenses: u.licenses ?? [], deletedAt: u.deletedAt ?? null })),
  };
}

export function renderSummary(v: TenantView): string {
  const lines: string[] = [];
  lines.push(`tenant ${v.tenant.id}${v.tenant.hybrid ? " (hybrid)" : ""}, domains ${v.tenant.domains.join(", ")}`);
  lines.push(`clock ${v.clock}`);
  lines.push("");
  lines.push("licenses");
  lines.push(...table([["sku", "seats", "assigned", "free"], ...v.skus.map((s) => [s.skuPartNumber, String(s.prepaidUnits), String(s.consumedUnits), String(s.freeUnits)])], [false, true, true, true]));
  lines.push("");
  lines.push("mailboxes");
  const rows = v.mailboxes.map((m) => [
    m.address,
    m.type,
    formatBytes(m.sizeBytes),
    formatBytes(m.quotaBytes),
    m.anchor ? (m.anchor.accountEnabled ? "enabled" : "blocked") : "?",
    m.anchor && m.anchor.licenses.length > 0 ? m.anchor.licenses.join(",") : "-",
    String(m.grants.length),
    notes(m).join("; "),
  ]);
  lines.push(...table([["address", "type", "size", "quota", "sign-in", "licenses", "grants", "notes"], ...rows], [false, false, true, true, false, false, true, false]));
  if (v.groups.length > 0) {
    lines.push("");
    lines.push("mail-enabled security groups");
    for (const g of v.groups) lines.push(`  ${g.address}  "${g.displayName}"  ${g.members.length > 0 ? g.members.join(", ") : "no members"}`);
  }
  if (v.usersWithoutMailbox.length > 0) {
    lines.push("");
    lines.push("users without a mailbox");
    for (const u of v.usersWithoutMailbox) {
      const what = [u.licenses.length > 0 ? u.licenses.join(",") : "no license", ...(u.deletedAt ? [`deleted ${u.deletedAt}`] : [])];
      lines.push(`  ${u.userPrincipalName} (${what.join(", ")})`);
    }
  }
  return lines.join("\n");
}

function notes(m: MailboxView): string[] {
  const list: string[] = [];
  if (m.deletedAt) list.push(`deleted ${m.deletedAt.slice(0, 10)}, purged ${m.purgeAt?.slice(0, 10)}`);
  if (m.readyAt) list.push(`not ready until ${m.readyAt}`);
  if (m.disconnectAt && !m.deletedAt) list.push(`unlicensed: disconnects ${m.disconnectAt.slice(0, 10)}`);
  if (m.sizeBytes > m.quotaBytes) list.push("over quota");
  if (m.litigationHold) list.push("litigation hold");
  if (m.archive) list.push("archive");
  if (m.anchor?.onPremisesSyncEnabled) list.push("directory-synced");
  for (const [name, value] of attributesOf(m)) if (parseManagementTag(value) !== null) list.push(`tag ${value}${name === DEFAULT_MANAGEMENT_ATTRIBUTE ? "" : ` in ${name}`}`);
  return list;
}

export function renderMailbox(m: MailboxView): string {
  const a = m.anchor;
  const lines = [
    `${m.address}  "${m.displayName}"`,
    `  type        ${m.type}`,
    `  alias       ${m.alias}`,
    `  size        ${formatBytes(m.sizeBytes)} of ${formatBytes(m.quotaBytes)}`,
    `  anchor      ${a ? `${a.userPrincipalName} (${a.id}), sign-in ${a.accountEnabled ? "ENABLED" : "blocked"}, licenses ${a.licenses.length > 0 ? a.licenses.join(", ") : "none"}, usage location ${a.usageLocation ?? "none"}${a.onPremisesSyncEnabled ? ", directory-synced" : ""}` : "missing"}`,
    `  hold        ${m.litigationHold ? "litigation hold" : "none"}`,
    `  archive     ${m.archive ? "enabled" : "none"}`,
    `  ready       ${m.readyAt ? `from ${m.readyAt}` : "yes"}`,
    `  deleted     ${m.deletedAt ? `${m.deletedAt} (purged ${m.purgeAt})` : "no"}`,
    ...(m.disconnectAt ? [`  disconnect  ${m.disconnectAt} unless licensed`] : []),
    ...attributeLines(m),
    `  grants${m.grants.length === 0 ? "      none" : ""}`,
  ];
  const sorted = [...m.grants].sort((x, y) => compareStrings(x.right, y.right) || compareStrings(x.trustee, y.trustee));
  for (const g of sorted) {
    const extra = [
      ...(g.autoMapping === false ? ["no automapping"] : []),
      ...(g.effectiveAt ? [`effective from ${g.effectiveAt}`] : []),
    ];
    lines.push(`    ${g.right.padEnd(13)} ${g.trustee}${extra.length > 0 ? `  (${extra.join(", ")})` : ""}`);
  }
  return lines.join("\n");
}

/** Every custom attribute that holds a value, CustomAttribute1..15 in order. */
function attributesOf(m: MailboxView): Array<[string, string]> {
  return [...Object.entries(m.customAttributes), ...(m.managementTag ? [[DEFAULT_MANAGEMENT_ATTRIBUTE, m.managementTag] as [string, string]] : [])];
}

/** The detail view's custom attributes: one line each, or "none". */
function attributeLines(m: MailboxView): string[] {
  const values = attributesOf(m);
  if (values.length === 0) return ["  attributes  none"];
  return ["  attributes", ...values.map(([name, value]) => `    ${name.padEnd(17)} ${value}`)];
}

function table(rows: readonly string[][], rightAlign: readonly boolean[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => `  ${r.map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd()}`);
}
