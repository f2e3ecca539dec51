/**
 * The simulated tenant's store: the statements over the SQLite schema
 * (db.ts), prepared once per connection, the row types and their mapping to
 * observed objects, the meta keys, the lookups the rules and the fixture
 * import/export share, and the request log of the local endpoint.
 *
 * The store knows no clock and no rules: callers pass the tenant time where a
 * mapping needs it, and wrap every call in the runner's transactions.
 *
 * A read never writes (runner.ts), so time-driven events that are due may
 * not be stored yet when it runs: the runner then shows them (showUnsettled),
 * and the statements that read users, licenses, mailboxes and grants read as
 * if the events had been stored (rows they would delete left out, readiness
 * and grant effect that are past cleared). Nothing due: the plain statements.
 */
import type Database from "better-sqlite3";
import { isReadOnly } from "./db.js";
import type { ObservedGrant, ObservedGroup, ObservedMailbox, ObservedSku, ObservedTenantInfo, ObservedUser, Right } from "../../lib/provider/observed.js";
import { GrantTexts, type GrantsByMailbox } from "../../lib/provider/packed-grants.js";
import { capabilitiesOf, UNLICENSED_SHARED_QUOTA, type ExchangeCapabilities } from "../../lib/model/licensing.js";
import type { ManagementAttribute } from "../../lib/model/management-tag.js";
import { DEFAULT_TIMING, type TimingSettings } from "./fixture.js";

export const lower = (s: string): string => s.trim().toLowerCase();

/** The number of a custom attribute named "CustomAttribute3" (any case), or null when `name` names none of CustomAttribute1..15. */
export function attributeNumber(name: string): number | null {
  const n = /^customattribute(\d{1,2})$/i.exec(name.trim())?.[1];
  return n !== undefined && Number(n) >= 1 && Number(n) <= CUSTOM_ATTRIBUTES && !n.startsWith("0") ? Number(n) : null;
}

/** "CustomAttribute3" for 3: the property name Exchange gives custom attribute `n`. */
export const attributeName = (n: number): ManagementAttribute => `CustomAttribute${n}` as ManagementAttribute;
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
export const localPart = (address: string): string => address.slice(0, address.indexOf("@"));
export const domainOf = (address: string): string => address.slice(address.indexOf("@") + 1);

export interface UserRow {
  id: string;
  upn: string;
  display_name: string;
  account_enabled: number;
  usage_location: string | null;
  synced: number;
  deleted_at: number | null;
  password_reset_at: number | null;
}

export interface MailboxRow {
  address: string;
  display_name: string;
  alias: string;
  type: "user" | "shared";
  user_id: string;
  size_bytes: number;
  litigation_hold: number;
  archive: number;
  ready_at: number | null;
  deleted_at: number | null;
  disconnect_at: number | null;
  management_tag: string | null;
}

/** A mailbox as read raw by MAILBOX_COLUMNS: the mailbox row, then its settings (null: no settings row, the defaults). */
type MailboxTuple = [string, string, string, "user" | "shared", string, number, number, number, number | null, number | null, string | null, number | null, number | null, number | null];

/** A mailbox's settings row (mailbox_settings); no row means every default. */
export interface MailboxSettingsRow {
  hidden: number;
  copy_sent_as: number;
  copy_on_behalf: number;
}
/** A grant as read raw: mailbox, right, trustee, auto_mapping. */
type GrantTuple = [string, Right, string, number | null];
/** A sku as read raw: part number, sku id, prepaid, service plans (JSON). */
export type SkuTuple = [string, string, number, string];

/** One request served by the local HTTPS endpoint (providers/local-endpoint), kept for `exoform tenant log`. */
export interface RequestLogEntry {
  /** Assigned by the store. */
  readonly seq: number;
  /** Tenant time, ISO. */
  readonly at: string;
  readonly service: "identity" | "graph" | "exchange" | "control";
  /** HTTP method. */
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** Exchange cmdlet name, or the Graph batch marker, or null. */
  readonly cmdlet: string | null;
  /** HTTP status sent (0 when the connection was dropped). */
  readonly status: number;
  /** Wall-clock ms spent serving. */
  readonly latencyMs: number;
  readonly throttled: boolean;
  /** Injected wire fault, e.g. "503", "reset", "lostResponse", "slow". */
  readonly fault: string | null;
  readonly appId: string | null;
  readonly requestId: string;
  /** The request id of the $batch it was an item of. */
  readonly batchId: string | null;
}

export interface ReadRequestsOptions {
  /** Only entries with seq greater than this. */
  readonly afterSeq?: number;
  /** Only the last `limit` of them (still oldest first), as readLog's limit. */
  readonly limit?: number;
}

/**
 * The request log came after schema version 1: created on open when missing,
 * so tenant files made before it keep opening (SCHEMA_VERSION unchanged).
 */
const REQUESTS_SQL = `
CREATE TABLE IF NOT EXISTS requests (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  service    TEXT NOT NULL CHECK (service IN ('identity', 'graph', 'exchange', 'control')),
  method     TEXT NOT NULL,
  path       TEXT NOT NULL,
  cmdlet     TEXT,
  status     INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  throttled  INTEGER NOT NULL,
  fault      TEXT,
  app_id     TEXT,
  request_id TEXT NOT NULL,
  batch_id   TEXT
);
`;

/**
 * The time-driven events due at tenant time `now` that no write has stored
 * yet (rules.ts computes them), as reads must see them: the users the purge
 * deletes (and with them their licenses and mailboxes), the mailboxes it and
 * the disconnection delete (and the grants on them), and the trustees whose
 * grants go because no user with their UPN is left.
 */
export interface Unsettled {
  readonly now: number;
  readonly purgedUsers: ReadonlySet<string>;
  readonly goneMailboxes: ReadonlySet<string>;
  readonly orphanedTrustees: ReadonlySet<string>;
}

/**
 * Mailbox settings, extra SMTP addresses, session revocations, mail-enabled security groups and custom attributes came after schema version 1 too:
 * side tables created on open when missing (SCHEMA_VERSION unchanged), so
 * older tenant files keep opening and read every mailbox with the service's
 * defaults. proxy_addresses' key makes an extra address belong to one
 * mailbox (R5.2); rows go with their mailbox (ON DELETE CASCADE).
 * custom_attributes holds a mailbox's CustomAttribute1..14, a row per
 * non-empty value; CustomAttribute15 is the mailboxes table's management_tag
 * column (named for the attribute that held exoform's tag before
 * tenant.managementAttribute), so tenant files made before keep their values.
 */
function settingsSql(temp: boolean): string {
  const table = temp ? "CREATE TEMP TABLE IF NOT EXISTS" : "CREATE TABLE IF NOT EXISTS";
  // a temporary table (read-only file) cannot reference the main database's tables
  const mailbox = temp ? "" : " REFERENCES mailboxes (address) ON DELETE CASCADE";
  return `
${table} mailbox_settings (
  address        TEXT PRIMARY KEY${mailbox},
  hidden         INTEGER NOT NULL DEFAULT 0,
  copy_sent_as   INTEGER NOT NULL DEFAULT 0,
  copy_on_behalf INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
${table} proxy_addresses (
  proxy   TEXT PRIMARY KEY,
  mailbox TEXT NOT NULL${mailbox}
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${temp ? "temp." : ""}proxy_addresses_by_mailbox ON proxy_addresses (mailbox, proxy);
${table} mail_groups (
  id           TEXT PRIMARY KEY,
  address      TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL
) WITHOUT ROWID;
${table} mail_group_members (
  group_id TEXT NOT NULL${temp ? "" : " REFERENCES mail_groups (id) ON DELETE CASCADE"},
  user_id  TEXT NOT NULL${temp ? "" : " REFERENCES users (id) ON DELETE CASCADE"},
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
${table} custom_attributes (
  address TEXT NOT NULL${mailbox},
  number  INTEGER NOT NULL CHECK (number BETWEEN 1 AND 14),
  value   TEXT NOT NULL,
  PRIMARY KEY (address, number)
) WITHOUT ROWID;
${table} user_sessions (
  user_id    TEXT PRIMARY KEY${temp ? "" : " REFERENCES users (id) ON DELETE CASCADE"},
  revoked_at INTEGER NOT NULL
) WITHOUT ROWID;
`;
}

type RequestRow = [number, number, RequestLogEntry["service"], string, string, string | null, number, number, number, string | null, string | null, string, string | null];

/** CustomAttribute1..15: the mailbox custom attributes Exchange has. */
export const CUSTOM_ATTRIBUTES = 15;
/** The custom attribute stored in the mailboxes table's management_tag column (see settingsSql). */
const COLUMN_ATTRIBUTE = 15;

export class Store {
  readonly q: Statements;

  /**
   * The custom attribute (1..15) that ObservedMailbox.managementTag reads and
   * UpdateMailboxInput.managementTag writes: the desired state's
   * tenant.managementAttribute, as the caller sets it (SimulatedTenant.setManagementAttribute).
   */
  managementAttribute = COLUMN_ATTRIBUTE;

  private unsettledView: Unsettled | null = null;

  /** `db` holds a tenant of the current schema version (checked by the caller). */
  constructor(readonly db: Database.Database) {
    try {
      db.exec(REQUESTS_SQL);
    } catch (e) {
      // a read-only file made before the request log: an empty one for this connection, so reads work
      if (!isReadOnly(e)) throw e;
      db.exec(REQUESTS_SQL.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE IF NOT EXISTS"));
    }
    try {
      db.exec(settingsSql(false));
    } catch (e) {
      if (!isReadOnly(e)) throw e;
      db.exec(settingsSql(true));
    }
    const view = () => this.unsettledView;
    // used only by the statements' unsettled variants (below), while the runner shows unsettled events
    db.function("exoform_purged_user", { deterministic: false, directOnly: true }, (id: unknown) => Number(view()?.purgedUsers.has(id as string) ?? false));
    db.function("exoform_gone_mailbox", { deterministic: false, directOnly: true }, (address: unknown) => Number(view()?.goneMailboxes.has(address as string) ?? false));
    db.function("exoform_gone_grant", { deterministic: false, directOnly: true }, (mailbox: unknown, trustee: unknown) => {
      const u = view();
      return Number(u !== null && (u.goneMailboxes.has(mailbox as string) || u.orphanedTrustees.has(trustee as string)));
    });
    db.function("exoform_now", { deterministic: false, directOnly: true }, () => view()?.now ?? null);
    this.q = prepare(db, () => this.unsettledView !== null);
  }

  // ---------------------------------------------------------------- unsettled time-driven events

  /** The events reads show as stored, or null: the plain statements. Set by the runner for one read transaction. */
  get unsettled(): Unsettled | null {
    return this.unsettledView;
  }

  showUnsettled(unsettled: Unsettled | null): void {
    this.unsettledView = unsettled;
  }

  // ---------------------------------------------------------------- meta

  tryMeta(key: string): string | undefined {
    return this.q.getMeta.pluck().get(key) as string | undefined;
  }

  meta(key: string): string {
    const v = this.tryMeta(key);
    if (v === undefined) throw new Error(`tenant db is missing meta.${key}`);
    return v;
  }

  tenantInfo(): ObservedTenantInfo {
    return JSON.parse(this.meta("tenant")) as ObservedTenantInfo;
  }

  timing(): TimingSettings {
    return { ...DEFAULT_TIMING, ...(JSON.parse(this.tryMeta("timing") ?? "{}") as Partial<TimingSettings>) };
  }

  // ---------------------------------------------------------------- bulk reads (raw rows, covering keys, one pass)

  skus(): ObservedSku[] {
    const consumed = new Map<string, number>();
    for (const [sku, n] of this.q.consumedAll.raw().all() as Array<[string, number]>) consumed.set(sku, n);
    return (this.q.skusAll.raw().all() as SkuTuple[]).map(([part, id, prepaid, plans]) => ({
      skuPartNumber: part,
      skuId: id,
      prepaidUnits: prepaid,
      consumedUnits: consumed.get(part) ?? 0,
      servicePlans: JSON.parse(plans) as string[],
    }));
  }

  users(): ObservedUser[] {
    const licenses = this.licensesByUser();
    const revoked = new Map(this.q.sessionsAll.raw().all() as Array<[string, number]>);
    const rows = this.q.usersAll.raw().iterate() as Iterable<[string, string, string, number, string | null, number, number | null]>;
    const out: ObservedUser[] = [];
    for (const [id, upn, displayName, enabled, usageLocation, synced, deletedAt] of rows) {
      const user: ObservedUser = {
        id,
        userPrincipalName: upn,
        displayName,
        accountEnabled: enabled === 1,
        usageLocation,
        licenses: licenses.get(id) ?? NONE,
        onPremisesSyncEnabled: synced === 1,
        deletedAt: deletedAt === null ? null : new Date(deletedAt).toISOString(),
      };
      // sessionsRevokedAt only once revoked (absent means never): set on the few, not spread into every user
      const revokedAt = revoked.get(id);
      out.push(revokedAt === undefined ? user : { ...user, ...sessionsRevoked(revokedAt) });
    }
    return out;
  }

  /** The mail-enabled security groups, by address, each with its live members' UPNs. */
  groups(): ObservedGroup[] {
    const members = groupPairs(this.q.groupMembersAll.raw().all() as Array<[string, string]>);
    return (this.q.groupsAll.raw().all() as Array<[string, string, string]>).map(([id, address, displayName]) => ({ id, address, displayName, members: members.get(id) ?? [] }));
  }

  /** The group with this address, or undefined. */
  groupByAddress(address: string): { id: string; address: string } | undefined {
    return this.q.groupByAddress.get(address) as { id: string; address: string } | undefined;
  }

  /** A new group's id: g-0001, g-0002... never one a group or a user has (fixtures share one id space). */
  nextGroupId(): string {
    let seq = Number(this.tryMeta("nextGroupSeq") ?? 1);
    const taken = (id: string) => this.q.groupById.get(id) !== undefined || this.q.userById.get(id) !== undefined;
    let id = `g-${String(seq).padStart(4, "0")}`;
    while (taken(id)) id = `g-${String(++seq).padStart(4, "0")}`;
    this.q.setMeta.run("nextGroupSeq", String(seq + 1));
    return id;
  }

  /** When the user's sessions were last revoked (ms), or undefined. */
  sessionsRevokedOf(userId: string): number | undefined {
    return this.q.sessionsOf.pluck().get(userId) as number | undefined;
  }

  mailboxes(now: number): ObservedMailbox[] {
    const quota = this.quotaFunction();
    const proxies = this.proxiesByMailbox();
    // the management attribute in the side table: its values by address, read once
    const tags = this.managementAttribute === COLUMN_ATTRIBUTE ? null : new Map(this.q.attributeValues.raw().all(this.managementAttribute) as Array<[string, string]>);
    const out: ObservedMailbox[] = [];
    for (const row of this.q.mailboxesAll.raw().iterate() as Iterable<MailboxTuple>) {
      out.push(toObservedMailbox(row, now, quota, proxies.get(row[0]) ?? NONE, tags === null ? row[10] : (tags.get(row[0]) ?? null)));
    }
    return out;
  }

  // ---------------------------------------------------------------- custom attributes

  /** The value of custom attribute `n` (1..15) on the mailbox of `row`, or null when empty. */
  customAttribute(row: Pick<MailboxRow, "address" | "management_tag">, n: number): string | null {
    if (n === COLUMN_ATTRIBUTE) return row.management_tag;
    return (this.q.attributeOf.pluck().get(row.address, n) as string | undefined) ?? null;
  }

  /** The non-empty custom attributes of the mailbox of `row`: number -> value, in number order. */
  customAttributesOf(row: Pick<MailboxRow, "address" | "management_tag">): Map<number, string> {
    const out = new Map(this.q.attributesOf.raw().all(row.address) as Array<[number, string]>);
    if (row.management_tag !== null) out.set(COLUMN_ATTRIBUTE, row.management_tag);
    return out;
  }

  /** Every mailbox's non-empty custom attributes: address -> (number -> value); mailboxes with none left out. */
  customAttributesAll(): Map<string, Map<number, string>> {
    const out = new Map<string, Map<number, string>>();
    const add = (address: string, n: number, value: string) => {
      const map = out.get(address) ?? new Map<number, string>();
      map.set(n, value);
      out.set(address, map);
    };
    for (const [address, n, value] of this.q.attributesAll.raw().iterate() as Iterable<[string, number, string]>) add(address, n, value);
    for (const [address, value] of this.q.tagColumnAll.raw().iterate() as Iterable<[string, string]>) add(address, COLUMN_ATTRIBUTE, value);
    return out;
  }

  /** Set custom attribute `n` (1..15) of a mailbox; null clears it. Inside the caller's write transaction. */
  writeCustomAttribute(address: string, n: number, value: string | null): void {
    if (n === COLUMN_ATTRIBUTE) this.q.setTagColumn.run(value, address);
    else if (value === null) this.q.clearAttribute.run(address, n);
    else this.q.setAttribute.run(address, n, value);
  }

  /** mailbox address -> its extra SMTP addresses, sorted, for every mailbox that has any. */
  proxiesByMailbox(): Map<string, string[]> {
    return groupPairs(this.q.proxiesAll.raw().all() as Array<[string, string]>);
  }

  /** The extra SMTP addresses of one mailbox, sorted. */
  proxiesOf(address: string): string[] {
    return this.q.proxiesOf.pluck().all(address) as string[];
  }

  /** The mailbox holding `address` as an extra SMTP address, or undefined. */
  proxyHolder(address: string): string | undefined {
    return this.q.proxyHolder.pluck().get(address) as string | undefined;
  }

  settingsOf(address: string): MailboxSettingsRow | undefined {
    return this.q.settingsOf.get(address) as MailboxSettingsRow | undefined;
  }

  grants(): ObservedGrant[] {
    return new GrantTexts().unpackAll(this.grantsByMailbox());
  }

  /**
   * Every mailbox's grants as one JSON text (lib/provider/packed-grants.ts), one row per mailbox:
   * a million grants cross from SQLite as a hundred thousand strings, not four million values
   * (1.4 s against 2.0 s CPU at 1M grants, issue 15), and the planner makes objects only for the
   * mailboxes whose text differs from the code. Grants on soft-deleted mailboxes are listed too
   * (Get-EXOMailboxPermission -SoftDeletedMailbox): a restore brings them back, so a plan that
   * restores a mailbox must know them.
   */
  grantsByMailbox(): GrantsByMailbox {
    const mailboxes: string[] = [];
    const texts: string[] = [];
    for (const [mailbox, text] of this.q.grantsByMailbox.raw().iterate() as Iterable<[string, string]>) {
      mailboxes.push(mailbox);
      texts.push(text);
    }
    return { mailboxes, texts };
  }

  grantsOf(address: string): ObservedGrant[] {
    return (this.q.grantsOf.raw().all(address) as GrantTuple[]).map(toObservedGrant);
  }

  // ---------------------------------------------------------------- lookups

  liveUser(upn: string): UserRow | undefined {
    return this.q.liveUserByUpn.get(upn) as UserRow | undefined;
  }

  mailboxRow(address: string): MailboxRow | undefined {
    return this.q.mailboxByAddress.get(address) as MailboxRow | undefined;
  }

  licensesOf(userId: string): string[] {
    return this.q.licensesOf.pluck().all(userId) as string[];
  }

  servicePlans(skus: Iterable<string>): string[] {
    const plans: string[] = [];
    for (const sku of skus) {
      const raw = this.q.skuPlans.pluck().get(sku) as string | undefined;
      if (raw) plans.push(...(JSON.parse(raw) as string[]));
    }
    return plans;
  }

  capsOfUser(userId: string): ExchangeCapabilities {
    return capabilitiesOf(this.servicePlans(this.licensesOf(userId)));
  }

  /** user id -> sorted SKU part numbers, for every user holding at least one. */
  licensesByUser(): Map<string, string[]> {
    return groupPairs(this.q.licensesAll.raw().all() as Array<[string, string]>);
  }

  /** user id -> quota, computed once per distinct license set (R1.4, R1.5, R1.10). */
  quotaFunction(): (userId: string) => number {
    const licenses = this.licensesByUser();
    const plansBySku = new Map<string, string[]>();
    for (const [part, , , plans] of this.q.skusAll.raw().all() as SkuTuple[]) plansBySku.set(part, JSON.parse(plans) as string[]);
    const bySet = new Map<string, number>();
    return (userId) => {
      const skus = licenses.get(userId);
      if (!skus) return UNLICENSED_SHARED_QUOTA;
      const key = skus.join(",");
      let quota = bySet.get(key);
      if (quota === undefined) {
        quota = capabilitiesOf(skus.flatMap((s) => plansBySku.get(s) ?? [])).quotaBytes;
        bySet.set(key, quota);
      }
      return quota;
    };
  }

  /** The mailbox as observed at tenant time `now` (readiness is relative to it). */
  observedMailbox(row: MailboxRow, now: number): ObservedMailbox {
    const quota = this.capsOfUser(row.user_id).quotaBytes;
    const s = this.settingsOf(row.address);
    return toObservedMailbox(
      [row.address, row.display_name, row.alias, row.type, row.user_id, row.size_bytes, row.litigation_hold, row.archive, row.ready_at, row.deleted_at, row.management_tag,
        s?.hidden ?? null, s?.copy_sent_as ?? null, s?.copy_on_behalf ?? null],
      now,
      () => quota,
      this.proxiesOf(row.address),
      this.customAttribute(row, this.managementAttribute),
    );
  }

  observedUser(row: UserRow): ObservedUser {
    return {
      id: row.id,
      userPrincipalName: row.upn,
      displayName: row.display_name,
      accountEnabled: row.account_enabled === 1,
      usageLocation: row.usage_location,
      licenses: this.licensesOf(row.id),
      onPremisesSyncEnabled: row.synced === 1,
      deletedAt: iso(row.deleted_at),
      ...sessionsRevoked(this.sessionsRevokedOf(row.id)),
    };
  }

  nextUserId(): string {
    let seq = Number(this.tryMeta("nextUserSeq") ?? (this.q.countUsers.pluck().get() as number) + 1);
    let id = `u-${String(seq).padStart(4, "0")}`;
    while (this.q.userById.get(id)) id = `u-${String(++seq).padStart(4, "0")}`;
    this.q.setMeta.run("nextUserSeq", String(seq + 1));
    return id;
  }

  // ---------------------------------------------------------------- request log

  /** One INSERT in its own implicit transaction: no faults, no operation log entry. */
  logRequest(entry: Omit<RequestLogEntry, "seq">): void {
    const at = Date.parse(entry.at);
    if (!Number.isFinite(at)) throw new Error(`request log entry ${entry.requestId} has no valid time ("${entry.at}"); give the tenant time as an ISO string`);
    this.q.insertRequest.run(at, entry.service, entry.method, entry.path, entry.cmdlet, entry.status, entry.latencyMs,
      Number(entry.throttled), entry.fault, entry.appId, entry.requestId, entry.batchId);
  }

  /** The request log, oldest first. */
  readRequests(options: ReadRequestsOptions = {}): RequestLogEntry[] {
    const rows = this.q.requestsAfter.raw().all(options.afterSeq ?? 0, options.limit === undefined ? -1 : Math.max(0, options.limit)) as RequestRow[];
    return rows.map(([seq, at, service, method, path, cmdlet, status, latencyMs, throttled, fault, appId, requestId, batchId]) => ({
      seq, at: new Date(at).toISOString(), service, method, path, cmdlet, status, latencyMs, throttled: throttled === 1, fault, appId, requestId, batchId,
    }));
  }
}

// ------------------------------------------------------------------ row mapping

/** `tag`: the value of the management attribute (the mailbox's custom attribute tenant.managementAttribute names). */
function toObservedMailbox(r: MailboxTuple, now: number, quota: (userId: string) => number, proxies: readonly string[], tag: string | null): ObservedMailbox {
  return {
    address: r[0],
    displayName: r[1],
    alias: r[2],
    type: r[3],
    userId: r[4],
    sizeBytes: r[5],
    quotaBytes: quota(r[4]),
    litigationHold: r[6] === 1,
    archive: r[7] === 1,
    readyAt: r[8] !== null && r[8] > now ? new Date(r[8]).toISOString() : null,
    deletedAt: r[9] === null ? null : new Date(r[9]).toISOString(),
    managementTag: tag,
    hiddenFromAddressLists: r[11] === 1,
    emailAddresses: proxies,
    messageCopyForSentAs: r[12] === 1,
    messageCopyForSendOnBehalf: r[13] === 1,
  };
}

/** [key, value] rows (sorted by key, then value) as key -> values, in that order. */
function groupPairs(rows: ReadonlyArray<readonly [string, string]>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [key, value] of rows) {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }
  return map;
}

/** The sessionsRevokedAt field: present only once sessions were revoked (absent means never, see ObservedUser). */
function sessionsRevoked(ms: number | undefined): { sessionsRevokedAt?: string } {
  return ms === undefined ? {} : { sessionsRevokedAt: new Date(ms).toISOString() };
}

/** The empty list every user without licences and mailbox without extra addresses shares (observed lists are read-only). */
const NONE: readonly string[] = Object.freeze([]);

function toObservedGrant(r: readonly [string, Right, string, number | null]): ObservedGrant {
  return r[1] === "FullAccess" ? { mailbox: r[0], right: r[1], trustee: r[2], autoMapping: r[3] === 1 } : { mailbox: r[0], right: r[1], trustee: r[2] };
}

// ------------------------------------------------------------------ statements

const MAILBOX_COLUMNS =
  "m.address, m.display_name, m.alias, m.type, m.user_id, m.size_bytes, m.litigation_hold, m.archive, m.ready_at, m.deleted_at, m.management_tag, " +
  "s.hidden, s.copy_sent_as, s.copy_on_behalf FROM mailboxes m LEFT JOIN mailbox_settings s ON s.address = m.address";
/** Each mailbox's grants as one JSON array of [right, trustee, auto_mapping], in (right, trustee) order. */
const GRANTS_BY_MAILBOX = "SELECT mailbox, json_group_array(json_array(access_right, trustee, auto_mapping) ORDER BY access_right, trustee) FROM grants";
const REQUEST_FIELDS = "at, service, method, path, cmdlet, status, latency_ms, throttled, fault, app_id, request_id, batch_id";

export type Statements = ReturnType<typeof preparePlain>;

/**
 * The statements; those that read what time-driven events change answer from
 * their unsettled variant while `showing()` (see Unsettled). The plain ones
 * cost nothing extra: the variants are only used when something is due.
 */
function prepare(db: Database.Database, showing: () => boolean): Statements {
  const plain = preparePlain(db);
  const variants = prepareUnsettled(db);
  const q = { ...plain };
  for (const [key, variant] of Object.entries(variants)) {
    const base = plain[key as keyof typeof variants];
    Object.defineProperty(q, key, { enumerable: true, get: () => (showing() ? variant : base) });
  }
  return q;
}

/** Reads as if the unsettled events were stored: rows they delete left out, past readiness and grant effect cleared. */
function prepareUnsettled(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const liveUser = "NOT exoform_purged_user(user_id)";
  return {
    consumedAll: p(`SELECT sku, count(*) FROM user_licenses WHERE ${liveUser} GROUP BY sku`),
    usersAll: p("SELECT id, upn, display_name, account_enabled, usage_location, synced, deleted_at FROM users WHERE NOT exoform_purged_user(id) ORDER BY upn, id"),
    usersFull: p("SELECT * FROM users WHERE NOT exoform_purged_user(id) ORDER BY upn, id"),
    licensesAll: p(`SELECT user_id, sku FROM user_licenses WHERE ${liveUser} ORDER BY user_id, sku`),
    mailboxesAll: p(`SELECT ${MAILBOX_COLUMNS} WHERE NOT exoform_gone_mailbox(m.address) ORDER BY m.address`),
    mailboxesFull: p(
      "SELECT address, display_name, alias, type, user_id, size_bytes, litigation_hold, archive, " +
        "CASE WHEN ready_at <= exoform_now() THEN NULL ELSE ready_at END AS ready_at, deleted_at, disconnect_at, management_tag " +
        "FROM mailboxes WHERE NOT exoform_gone_mailbox(address) ORDER BY address",
    ),
    grantsByMailbox: p(`${GRANTS_BY_MAILBOX} WHERE NOT exoform_gone_grant(mailbox, trustee) GROUP BY mailbox ORDER BY mailbox`),
    grantsFull: p(
      "SELECT mailbox, access_right, trustee, auto_mapping, CASE WHEN effective_at <= exoform_now() THEN NULL ELSE effective_at END AS effective_at " +
        "FROM grants WHERE NOT exoform_gone_grant(mailbox, trustee) ORDER BY mailbox, access_right, trustee",
    ),
    mailboxByAddress: p("SELECT * FROM mailboxes WHERE address = ? AND NOT exoform_gone_mailbox(address)"),
    grantsOf: p("SELECT mailbox, access_right, trustee, auto_mapping FROM grants WHERE mailbox = ? AND NOT exoform_gone_grant(mailbox, trustee) ORDER BY access_right, trustee"),
  } satisfies Partial<Record<keyof ReturnType<typeof preparePlain>, Database.Statement>>;
}

function preparePlain(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    getMeta: p("SELECT value FROM meta WHERE key = ?"),
    setMeta: p("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    // bulk
    skusAll: p("SELECT part_number, sku_id, prepaid, service_plans FROM skus ORDER BY part_number"),
    consumedAll: p("SELECT sku, count(*) FROM user_licenses GROUP BY sku"),
    usersAll: p("SELECT id, upn, display_name, account_enabled, usage_location, synced, deleted_at FROM users ORDER BY upn, id"),
    usersFull: p("SELECT * FROM users ORDER BY upn, id"),
    licensesAll: p("SELECT user_id, sku FROM user_licenses ORDER BY user_id, sku"),
    mailboxesAll: p(`SELECT ${MAILBOX_COLUMNS} ORDER BY m.address`),
    proxiesAll: p("SELECT mailbox, proxy FROM proxy_addresses ORDER BY mailbox, proxy"),
    proxiesOf: p("SELECT proxy FROM proxy_addresses WHERE mailbox = ? ORDER BY proxy"),
    proxyHolder: p("SELECT mailbox FROM proxy_addresses WHERE proxy = ?"),
    settingsOf: p("SELECT hidden, copy_sent_as, copy_on_behalf FROM mailbox_settings WHERE address = ?"),
    sessionsAll: p("SELECT user_id, revoked_at FROM user_sessions"),
    groupsAll: p("SELECT id, address, display_name FROM mail_groups ORDER BY address"),
    // live members only: a deleted user is no member Exchange would grant through
    groupMembersAll: p("SELECT m.group_id, u.upn FROM mail_group_members m JOIN users u ON u.id = m.user_id WHERE u.deleted_at IS NULL ORDER BY m.group_id, u.upn"),
    groupByAddress: p("SELECT id, address FROM mail_groups WHERE address = ?"),
    insertGroup: p("INSERT INTO mail_groups (id, address, display_name) VALUES (?, ?, ?)"),
    insertGroupMember: p("INSERT INTO mail_group_members (group_id, user_id) VALUES (?, ?)"),
    deleteGroupMember: p("DELETE FROM mail_group_members WHERE group_id = ? AND user_id = ?"),
    groupById: p("SELECT id FROM mail_groups WHERE id = ?"),
    deleteGroup: p("DELETE FROM mail_groups WHERE id = ?"),
    sessionsOf: p("SELECT revoked_at FROM user_sessions WHERE user_id = ?"),
    // custom attributes: 1..14 in the side table, 15 in the management_tag column
    attributeOf: p("SELECT value FROM custom_attributes WHERE address = ? AND number = ?"),
    attributesOf: p("SELECT number, value FROM custom_attributes WHERE address = ? ORDER BY number"),
    attributesAll: p("SELECT address, number, value FROM custom_attributes ORDER BY address, number"),
    attributeValues: p("SELECT address, value FROM custom_attributes WHERE number = ?"),
    tagColumnAll: p("SELECT address, management_tag FROM mailboxes WHERE management_tag IS NOT NULL ORDER BY address"),
    setAttribute: p("INSERT INTO custom_attributes (address, number, value) VALUES (?, ?, ?) ON CONFLICT (address, number) DO UPDATE SET value = excluded.value"),
    clearAttribute: p("DELETE FROM custom_attributes WHERE address = ? AND number = ?"),
    setTagColumn: p("UPDATE mailboxes SET management_tag = ? WHERE address = ?"),
    mailboxesFull: p("SELECT * FROM mailboxes ORDER BY address"),
    grantsByMailbox: p(`${GRANTS_BY_MAILBOX} GROUP BY mailbox ORDER BY mailbox`),
    grantsFull: p("SELECT mailbox, access_right, trustee, auto_mapping, effective_at FROM grants ORDER BY mailbox, access_right, trustee"),
    // point
    userById: p("SELECT * FROM users WHERE id = ?"),
    liveUserByUpn: p("SELECT * FROM users WHERE upn = ? AND deleted_at IS NULL"),
    anyUserWithUpn: p("SELECT * FROM users WHERE upn = ? ORDER BY deleted_at IS NOT NULL, id LIMIT 1"),
    deletedUsersByIdOrUpn: p("SELECT * FROM users WHERE deleted_at IS NOT NULL AND (id = ? OR upn = ?) ORDER BY id"),
    countUsers: p("SELECT count(*) FROM users"),
    mailboxByAddress: p("SELECT * FROM mailboxes WHERE address = ?"),
    mailboxOfUser: p("SELECT * FROM mailboxes WHERE user_id = ?"),
    grantsOf: p("SELECT mailbox, access_right, trustee, auto_mapping FROM grants WHERE mailbox = ? ORDER BY access_right, trustee"),
    grantExists: p("SELECT 1 FROM grants WHERE mailbox = ? AND access_right = ? AND trustee = ?"),
    countFullAccess: p("SELECT count(*) FROM grants WHERE mailbox = ? AND access_right = 'FullAccess'"),
    licensesOf: p("SELECT sku FROM user_licenses WHERE user_id = ? ORDER BY sku"),
    skuPlans: p("SELECT service_plans FROM skus WHERE part_number = ?"),
    consumedOf: p("SELECT count(*) FROM user_licenses WHERE sku = ?"),
    prepaidOf: p("SELECT prepaid FROM skus WHERE part_number = ?"),
    // writes
    insertSku: p("INSERT INTO skus (part_number, sku_id, prepaid, service_plans) VALUES (?, ?, ?, ?)"),
    insertUser: p("INSERT INTO users (id, upn, display_name, account_enabled, usage_location, synced, deleted_at, password_reset_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    insertLicense: p("INSERT INTO user_licenses (user_id, sku) VALUES (?, ?)"),
    deleteLicense: p("DELETE FROM user_licenses WHERE user_id = ? AND sku = ?"),
    deleteLicensesOf: p("DELETE FROM user_licenses WHERE user_id = ?"),
    insertMailbox: p(`INSERT INTO mailboxes (address, display_name, alias, type, user_id, size_bytes, litigation_hold, archive, ready_at, deleted_at, disconnect_at, management_tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateMailbox: p("UPDATE mailboxes SET display_name = ?, alias = ?, litigation_hold = ?, archive = ? WHERE address = ?"),
    upsertSettings: p(
      "INSERT INTO mailbox_settings (address, hidden, copy_sent_as, copy_on_behalf) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (address) DO UPDATE SET hidden = excluded.hidden, copy_sent_as = excluded.copy_sent_as, copy_on_behalf = excluded.copy_on_behalf",
    ),
    insertProxy: p("INSERT INTO proxy_addresses (proxy, mailbox) VALUES (?, ?)"),
    revokeSessions: p("INSERT INTO user_sessions (user_id, revoked_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET revoked_at = excluded.revoked_at"),
    setUpn: p("UPDATE users SET upn = ? WHERE id = ?"),
    renameGrantTrustee: p("UPDATE grants SET trustee = ? WHERE trustee = ?"),
    // a rename: the mailbox's rows move to the new primary address (foreign keys deferred by the caller)
    renameMailbox: p("UPDATE mailboxes SET address = ? WHERE address = ?"),
    renameMailboxGrants: p("UPDATE grants SET mailbox = ? WHERE mailbox = ?"),
    renameMailboxSettings: p("UPDATE mailbox_settings SET address = ? WHERE address = ?"),
    renameMailboxProxies: p("UPDATE proxy_addresses SET mailbox = ? WHERE mailbox = ?"),
    renameMailboxAttributes: p("UPDATE custom_attributes SET address = ? WHERE address = ?"),
    deleteProxy: p("DELETE FROM proxy_addresses WHERE proxy = ? AND mailbox = ?"),
    setType: p("UPDATE mailboxes SET type = ?, disconnect_at = ? WHERE address = ?"),
    setDisconnect: p("UPDATE mailboxes SET disconnect_at = ? WHERE address = ?"),
    setSize: p("UPDATE mailboxes SET size_bytes = ? WHERE address = ?"),
    deleteMailbox: p("DELETE FROM mailboxes WHERE address = ?"),
    insertGrant: p("INSERT INTO grants (mailbox, access_right, trustee, auto_mapping, effective_at) VALUES (?, ?, ?, ?, ?)"),
    deleteGrant: p("DELETE FROM grants WHERE mailbox = ? AND access_right = ? AND trustee = ?"),
    deleteGrantsOfTrustee: p("DELETE FROM grants WHERE trustee = ?"),
    setEnabled: p("UPDATE users SET account_enabled = ? WHERE id = ?"),
    setPasswordReset: p("UPDATE users SET password_reset_at = ? WHERE id = ?"),
    setUsageLocation: p("UPDATE users SET usage_location = ? WHERE id = ?"),
    softDeleteUser: p("UPDATE users SET deleted_at = ? WHERE id = ?"),
    softDeleteMailboxOfUser: p("UPDATE mailboxes SET deleted_at = ? WHERE user_id = ?"),
    restoreUser: p("UPDATE users SET deleted_at = NULL WHERE id = ?"),
    restoreMailbox: p("UPDATE mailboxes SET deleted_at = NULL, ready_at = ?, disconnect_at = ? WHERE address = ?"),
    deleteUser: p("DELETE FROM users WHERE id = ?"),
    // time-driven
    usersToPurge: p("SELECT * FROM users WHERE deleted_at IS NOT NULL AND deleted_at <= ? ORDER BY id"),
    mailboxesToDisconnect: p("SELECT address FROM mailboxes WHERE disconnect_at IS NOT NULL AND disconnect_at <= ? AND deleted_at IS NULL AND type = 'user' ORDER BY address"),
    clearReady: p("UPDATE mailboxes SET ready_at = NULL WHERE ready_at IS NOT NULL AND ready_at <= ?"),
    clearPending: p("UPDATE grants SET effective_at = NULL WHERE effective_at IS NOT NULL AND effective_at <= ?"),
    // is any time-driven event due (rules.ts)? one probe of each partial index
    anyDue: p(
      "SELECT EXISTS (SELECT 1 FROM users WHERE deleted_at IS NOT NULL AND deleted_at <= @purgeBefore) " +
        "OR EXISTS (SELECT 1 FROM mailboxes WHERE disconnect_at IS NOT NULL AND disconnect_at <= @now AND deleted_at IS NULL AND type = 'user') " +
        "OR EXISTS (SELECT 1 FROM mailboxes WHERE ready_at IS NOT NULL AND ready_at <= @now) " +
        "OR EXISTS (SELECT 1 FROM grants WHERE effective_at IS NOT NULL AND effective_at <= @now)",
    ),
    userIdsWithUpn: p("SELECT id FROM users WHERE upn = ?"),
    // log
    insertLog: p("INSERT INTO log (at, operation, target, args, outcome, kind, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    logAfter: p("SELECT * FROM log WHERE seq > @after AND (@operation IS NULL OR operation = @operation) ORDER BY seq"),
    // request log (the local endpoint)
    insertRequest: p(`INSERT INTO requests (${REQUEST_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    // the last `limit` after `afterSeq` (LIMIT -1: all), oldest first
    requestsAfter: p(`SELECT * FROM (SELECT seq, ${REQUEST_FIELDS} FROM requests WHERE seq > ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`),
  };
}
