/**
 * SimulatedTenant: an Exchange Online tenant embedded in one SQLite file,
 * implementing ITenantProvider and enforcing the service's rules
 * (shared/docs/exchange-online-rules.md; the [U] choices are in
 * docs/decisions/0003-simulated-tenant-conservative-rules.md).
 *
 * Every write is ONE transaction: fault bookkeeping, the change itself and its
 * log entry commit together, or not at all. A refused write (precondition,
 * throttled...) rolls back its change but still logs the refusal.
 *
 * Time is the tenant's: virtual by default (stored in the db, advanced by
 * clock.sleep and advanceClock, so tests and demos never wait), or real
 * (wall time, offset from the stored time). Time-driven events (purge after
 * 30 days, disconnection of unlicensed user mailboxes, readiness) are applied
 * lazily at the start of each call.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleepReal } from "node:timers/promises";
import type Database from "better-sqlite3";
import type {
  CreateSharedMailboxInput,
  ITenantProvider,
  TenantClock,
  UpdateMailboxInput,
} from "../../lib/provider/provider.js";
import type {
  ObservedGrant,
  ObservedMailbox,
  ObservedSku,
  ObservedTenantInfo,
  ObservedUser,
  Right,
} from "../../lib/provider/observed.js";
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
import {
  capabilitiesOf,
  licenseShortfall,
  UNLICENSED_SHARED_QUOTA,
  type ExchangeCapabilities,
} from "../../lib/model/licensing.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import { connect, SCHEMA_SQL, SCHEMA_VERSION } from "./db.js";
import { decideWrite, initialFaultState, type FaultState } from "./faults.js";
import {
  DEFAULT_FAULTS,
  DEFAULT_TIMING,
  normalizeFixture,
  validateFixture,
  type FaultSettings,
  type FixtureGrant,
  type TenantFixture,
  type TimingSettings,
} from "./fixture.js";
import { DAY_MS, MAX_FULL_ACCESS_ENTRIES, RECYCLE_BIN_DAYS, UNLICENSED_GRACE_DAYS } from "../../lib/model/service-rules.js";

/** Soft-deleted users and mailboxes are purged after 30 days (R2.3). */
export const RETENTION_MS = RECYCLE_BIN_DAYS * DAY_MS;
/** An unlicensed user mailbox is disconnected after 30 days (R1.12, R2.6). */
export const DISCONNECT_MS = UNLICENSED_GRACE_DAYS * DAY_MS;
/** At most 500 FullAccess ACEs per mailbox (R3.9). */
export const MAX_FULL_ACCESS = MAX_FULL_ACCESS_ENTRIES;
/** R5.1: letters, digits and !#%*+-/=?^_~, periods only between other characters. */
const ALIAS_PATTERN = /^[A-Za-z0-9!#%*+\-/=?^_~]+(\.[A-Za-z0-9!#%*+\-/=?^_~]+)*$/;
const SYNCED_MESSAGE =
  "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.";

export interface OpenOptions {
  /** "virtual" (default): time moves only when told to. "real": wall time, offset from the stored time. */
  readonly clock?: "virtual" | "real";
}

export interface LogEntry {
  readonly seq: number;
  /** Tenant time of the operation. */
  readonly at: string;
  /** Provider method name ("addMailboxPermission"), "admin.*" for out-of-band edits, "system.*" for time-driven events. */
  readonly operation: string;
  readonly target: string;
  readonly args: unknown;
  readonly outcome: "ok" | "error";
  readonly kind: ProviderErrorKind | null;
  readonly code: string | null;
  readonly message: string | null;
}

export interface ReadLogOptions {
  /** Only the last `limit` entries. */
  readonly limit?: number;
  /** Only entries with seq greater than this. */
  readonly afterSeq?: number;
  /** Only this operation. */
  readonly operation?: string;
}

type Mode = "provider" | "admin";

interface UserRow {
  id: string;
  upn: string;
  display_name: string;
  account_enabled: number;
  usage_location: string | null;
  synced: number;
  deleted_at: number | null;
  password_reset_at: number | null;
}

interface MailboxRow {
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

type Outcome<T> = { ok: true; value: T; crash: boolean } | { ok: false; error: ProviderError };

const lower = (s: string): string => s.trim().toLowerCase();
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const localPart = (address: string): string => address.slice(0, address.indexOf("@"));
const domainOf = (address: string): string => address.slice(address.indexOf("@") + 1);

export class SimulatedTenant implements ITenantProvider {
  readonly name: string;
  /** A random id given when the tenant is created: a re-initialised tenant is a new instance. */
  readonly instance: string;
  readonly clock: TenantClock;
  readonly path: string;

  private readonly db: Database.Database;
  private readonly clockMode: "virtual" | "real";
  /** Real clock: wall time at open, and the tenant time it maps to. */
  private wallStart = Date.now();
  private tenantStart = 0;
  private lastSettled = Number.NaN;
  /** The virtual clock as read once at the start of the current transaction(); null outside one (no other writer can move it meanwhile). */
  private txClock: number | null = null;
  /** The operation being run, for error objects. */
  private current = { operation: "", target: "" };
  private readonly q: ReturnType<typeof prepare>;
  /** Runs fn in a transaction (a savepoint when nested); made once, as better-sqlite3's db.transaction() is costly per call (bench/). */
  private readonly inTx: <T>(fn: () => T) => T;

  // ---------------------------------------------------------------- lifecycle

  private constructor(db: Database.Database, path: string, options: OpenOptions) {
    this.db = db;
    this.path = path;
    this.name = `simulated:${path}`;
    this.clockMode = options.clock ?? "virtual";
    let version: string | undefined;
    try {
      version = db.prepare("SELECT value FROM meta WHERE key = 'schemaVersion'").pluck().get() as string | undefined;
    } catch {
      version = undefined;
    }
    if (version !== SCHEMA_VERSION) {
      db.close();
      throw new UserError(
        `${path} is not an exoform simulated tenant (schema version ${version ?? "missing"}, expected ${SCHEMA_VERSION}); create one with: exoform tenant init --force`,
        "tenant_schema",
      );
    }
    this.q = prepare(db);
    this.inTx = db.transaction((fn: () => unknown) => fn()) as <T>(fn: () => T) => T;
    this.tenantStart = Number(this.meta("clock"));
    this.instance = (this.q.getMeta.pluck().get("instance") as string | undefined) ?? this.name;
    this.clock = {
      now: async () => new Date(this.nowMs()),
      sleep: async (ms: number) => {
        if (ms <= 0) return;
        if (this.clockMode === "real") await sleepReal(ms);
        else this.setClock(this.nowMs() + ms);
      },
    };
  }

  /** Open an existing tenant. A missing file is a UserError naming the fix. */
  static open(path: string, options: OpenOptions = {}): SimulatedTenant {
    if (!existsSync(path)) {
      throw new UserError(`no simulated tenant at ${path}; create one with: exoform tenant init --fixture contoso --tenant ${path} (or --fixture empty, or your own fixture file)`, "tenant_not_found");
    }
    let db: Database.Database;
    try {
      db = connect(path, true);
    } catch (e) {
      throw new UserError(`${path} is not an exoform simulated tenant (${(e as Error).message.toLowerCase()}); create one with: exoform tenant init --force`, "tenant_schema");
    }
    return new SimulatedTenant(db, path, options);
  }

  /**
   * Create a tenant at `path` from `fixture` (validated first). Refuses to
   * replace an existing tenant unless `force`.
   */
  static create(path: string, fixture: TenantFixture, options: OpenOptions & { readonly force?: boolean } = {}): SimulatedTenant {
    const valid = validateFixture(fixture, "<fixture>");
    if (existsSync(path)) {
      if (!options.force) {
        throw new UserError(`a simulated tenant already exists at ${path}; pass --force to replace it`, "tenant_exists");
      }
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    }
    mkdirSync(dirname(path), { recursive: true });
    const db = connect(path, false);
    db.exec(SCHEMA_SQL);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schemaVersion', ?), ('clock', '0'), ('instance', ?)").run(SCHEMA_VERSION, randomUUID());
    const tenant = new SimulatedTenant(db, path, options);
    tenant.replaceState(valid);
    db.pragma("wal_checkpoint(TRUNCATE)"); // a fresh tenant starts with its rows in the main file
    return tenant;
  }

  /** Same as create, the name the CLI uses. */
  static init(path: string, fixture: TenantFixture, options: OpenOptions & { readonly force?: boolean } = {}): SimulatedTenant {
    return SimulatedTenant.create(path, fixture, options);
  }

  close(): void {
    if (this.clockMode === "real" && this.db.open) this.setClock(this.nowMs());
    if (this.db.open) this.db.close();
  }

  // ---------------------------------------------------------------- clock

  /** The tenant time in ms. */
  nowMs(): number {
    if (this.clockMode === "real") return this.tenantStart + (Date.now() - this.wallStart);
    return this.txClock ?? Number(this.q.getMeta.pluck().get("clock"));
  }

  private setClock(ms: number): void {
    this.q.setMeta.run("clock", String(ms));
    if (this.txClock !== null) this.txClock = ms;
    this.tenantStart = ms;
    this.wallStart = Date.now();
  }

  /** Move the tenant clock forward (out of band, logged as admin.advanceClock). */
  advanceClock(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new UserError(`cannot advance the clock by ${ms} ms; give a positive duration such as 30m or 31d`);
    this.admin("advanceClock", "clock", { ms }, () => this.setClock(this.nowMs() + ms));
  }

  // ---------------------------------------------------------------- bulk reads

  async readTenant(): Promise<ObservedTenantInfo> {
    return this.read("readTenant", true, () => this.tenantInfo());
  }

  async listSkus(): Promise<ObservedSku[]> {
    return this.read("listSkus", true, () => {
      const consumed = new Map<string, number>();
      for (const [sku, n] of this.q.consumedAll.raw().all() as Array<[string, number]>) consumed.set(sku, n);
      return (this.q.skusAll.raw().all() as Array<[string, string, number, string]>).map(([part, id, prepaid, plans]) => ({
        skuPartNumber: part,
        skuId: id,
        prepaidUnits: prepaid,
        consumedUnits: consumed.get(part) ?? 0,
        servicePlans: JSON.parse(plans) as string[],
      }));
    });
  }

  async listUsers(): Promise<ObservedUser[]> {
    return this.read("listUsers", true, () => {
      const licenses = this.licensesByUser();
      const rows = this.q.usersAll.raw().iterate() as Iterable<[string, string, string, number, string | null, number, number | null]>;
      const out: ObservedUser[] = [];
      for (const [id, upn, displayName, enabled, usageLocation, synced, deletedAt] of rows) {
        out.push({
          id,
          userPrincipalName: upn,
          displayName,
          accountEnabled: enabled === 1,
          usageLocation,
          licenses: licenses.get(id) ?? [],
          onPremisesSyncEnabled: synced === 1,
          deletedAt: deletedAt === null ? null : new Date(deletedAt).toISOString(),
        });
      }
      return out;
    });
  }

  async listMailboxes(): Promise<ObservedMailbox[]> {
    return this.read("listMailboxes", true, () => {
      const now = this.nowMs();
      const quota = this.quotaFunction();
      const out: ObservedMailbox[] = [];
      for (const row of this.q.mailboxesAll.raw().iterate() as Iterable<MailboxTuple>) out.push(toObservedMailbox(row, now, quota));
      return out;
    });
  }

  async listGrants(): Promise<ObservedGrant[]> {
    return this.read("listGrants", true, () => {
      // grants on soft-deleted mailboxes are listed too (Get-EXOMailboxPermission -SoftDeletedMailbox):
      // a restore brings them back, so a plan that restores a mailbox must know them
      const out: ObservedGrant[] = [];
      // iterate, not all(): no million-row intermediate array (measured ~1.5x faster)
      for (const row of this.q.grantsAll.raw().iterate() as Iterable<[string, Right, string, number | null]>) out.push(toObservedGrant(row));
      return out;
    });
  }

  // ---------------------------------------------------------------- point reads

  async getMailbox(address: string): Promise<ObservedMailbox | null> {
    return this.read("getMailbox", false, () => {
      const row = this.mailboxRow(lower(address));
      return row ? this.observedMailbox(row) : null;
    });
  }

  async getUser(userPrincipalName: string): Promise<ObservedUser | null> {
    return this.read("getUser", false, () => {
      const row = this.liveUser(lower(userPrincipalName));
      return row ? this.observedUser(row) : null;
    });
  }

  async getGrants(address: string): Promise<ObservedGrant[]> {
    const target = lower(address);
    return this.read("getGrants", false, () => {
      // no such mailbox: no grants to report (apply reads this to settle a half-run write); a soft-deleted one keeps its grants
      if (!this.mailboxRow(target)) return [];
      return (this.q.grantsOf.raw().all(target) as Array<[string, Right, string, number | null]>).map(toObservedGrant);
    }, target);
  }

  // ---------------------------------------------------------------- mailbox writes

  async createSharedMailbox(input: CreateSharedMailboxInput): Promise<ObservedMailbox> {
    const address = lower(input.address);
    return this.write("createSharedMailbox", address, input, () => {
      const now = this.nowMs();
      const domains = this.tenantInfo().domains;
      if (!/^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(address)) {
        this.refuse("precondition", "InvalidAddress", `"${address}" is not a valid smtp address; use name@domain`);
      }
      if (!domains.includes(domainOf(address))) {
        this.refuse("precondition", "DomainNotAccepted", `the domain of "${address}" is not an accepted domain of the tenant (${domains.join(", ")}); use one of them`);
      }
      const alias = input.alias ?? localPart(address);
      this.checkAlias(alias);
      this.checkDisplayName(input.displayName);
      this.checkAddressFree(address);
      const userId = this.nextUserId();
      this.q.insertUser.run(userId, address, input.displayName, 1, null, 0, null, null); // R4.2: sign-in enabled, no license
      const readyMs = this.timing().createReadyMs;
      this.q.insertMailbox.run(address, input.displayName, alias, "shared", userId, 0, 0, 0, readyMs > 0 ? now + readyMs : null, null, null, null);
      return this.observedMailbox(this.mailboxRow(address)!);
    });
  }

  async setMailboxType(address: string, type: "shared" | "regular"): Promise<ObservedMailbox> {
    const target = lower(address);
    return this.write("setMailboxType", target, { type }, () => this.convert(target, type, "provider"));
  }

  async updateMailbox(address: string, input: UpdateMailboxInput): Promise<ObservedMailbox> {
    const target = lower(address);
    return this.write("updateMailbox", target, input, () => {
      const m = this.writableMailbox(target, "provider");
      const caps = this.capsOfUser(m.user_id);
      if (input.displayName !== undefined) this.checkDisplayName(input.displayName);
      if (input.alias !== undefined) this.checkAlias(input.alias);
      // R1.6: holds and archive need Plan 2, or Plan 1 + the archiving add-on
      for (const feature of ["litigationHold", "archive"] as const) {
        if (input[feature] === true && !caps.holdAndArchive) {
          const what = feature === "archive" ? "an archive" : "litigation hold";
          this.refuse("precondition", "LicenseRequired", `${target} cannot have ${what} without Exchange Online Plan 2, or Plan 1 with the Exchange Online Archiving add-on; assign one of them first (R1.6)`);
        }
      }
      if (input.managementTag !== undefined && input.managementTag !== null && input.managementTag.length > 1024) {
        this.refuse("precondition", "InvalidArgument", `the management tag of ${target} is longer than 1024 characters (CustomAttribute15)`);
      }
      this.q.updateMailbox.run(
        input.displayName ?? m.display_name,
        input.alias ?? m.alias,
        input.litigationHold === undefined ? m.litigation_hold : Number(input.litigationHold),
        input.archive === undefined ? m.archive : Number(input.archive),
        input.managementTag === undefined ? m.management_tag : input.managementTag,
        target,
      );
      return this.observedMailbox(this.mailboxRow(target)!);
    });
  }

  async removeMailbox(address: string): Promise<void> {
    const target = lower(address);
    return this.write("removeMailbox", target, {}, () => {
      const m = this.liveMailbox(target);
      if (m.litigation_hold === 1) {
        // R2.3: a held mailbox becomes inactive rather than soft-deleted; we refuse (decision 0003)
        this.refuse("precondition", "MailboxOnHold", `${target} is on litigation hold; removing it would make it an inactive mailbox, not a soft-deleted one; release the hold first if deletion is really intended`);
      }
      this.softDeleteUser(m.user_id);
    });
  }

  // ---------------------------------------------------------------- grant writes

  async addMailboxPermission(address: string, trustee: string, options: { readonly autoMapping: boolean }): Promise<void> {
    const target = lower(address);
    return this.write("addMailboxPermission", target, { trustee, autoMapping: options.autoMapping }, () =>
      this.addGrant(target, "FullAccess", lower(trustee), options.autoMapping, "provider"),
    );
  }

  async removeMailboxPermission(address: string, trustee: string): Promise<void> {
    const target = lower(address);
    return this.write("removeMailboxPermission", target, { trustee }, () => this.removeGrant(target, "FullAccess", lower(trustee), "provider"));
  }

  async addRecipientPermission(address: string, trustee: string): Promise<void> {
    const target = lower(address);
    return this.write("addRecipientPermission", target, { trustee }, () => this.addGrant(target, "SendAs", lower(trustee), null, "provider"));
  }

  async removeRecipientPermission(address: string, trustee: string): Promise<void> {
    const target = lower(address);
    return this.write("removeRecipientPermission", target, { trustee }, () => this.removeGrant(target, "SendAs", lower(trustee), "provider"));
  }

  async setSendOnBehalf(address: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<void> {
    const target = lower(address);
    const add = [...new Set(change.add.map(lower))];
    const remove = [...new Set(change.remove.map(lower))];
    return this.write("setSendOnBehalf", target, { add, remove }, () => {
      const both = add.filter((t) => remove.includes(t));
      if (both.length > 0) this.refuse("precondition", "InvalidArgument", `${both.join(", ")} is both added to and removed from the send-on-behalf list of ${target}; pick one`);
      // R3.1: incremental @{Add=...; Remove=...}; all checked before anything changes
      for (const t of remove) this.removeGrant(target, "SendOnBehalf", t, "provider");
      for (const t of add) this.addGrant(target, "SendOnBehalf", t, null, "provider");
    });
  }

  // ---------------------------------------------------------------- user writes

  async assignLicense(userPrincipalName: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<ObservedUser> {
    const upn = lower(userPrincipalName);
    return this.write("assignLicense", upn, { add: change.add, remove: change.remove }, () => this.changeLicenses(upn, change.add, change.remove, "provider"));
  }

  async setAccountEnabled(userPrincipalName: string, enabled: boolean): Promise<ObservedUser> {
    const upn = lower(userPrincipalName);
    return this.write("setAccountEnabled", upn, { enabled }, () => this.signIn(upn, enabled, "provider"));
  }

  async setUsageLocation(userPrincipalName: string, usageLocation: string): Promise<ObservedUser> {
    const upn = lower(userPrincipalName);
    return this.write("setUsageLocation", upn, { usageLocation }, () => {
      const user = this.requireLiveUser(upn);
      if (!/^[A-Z]{2}$/.test(usageLocation)) {
        this.refuse("precondition", "Request_BadRequest", `Invalid value specified for property 'usageLocation' of resource 'User': "${usageLocation}" is not an ISO 3166 alpha-2 code`);
      }
      // usageLocation is one of the few properties Graph lets the cloud set on a synced user
      this.q.setUsageLocation.run(usageLocation, user.id);
      return this.observedUser({ ...user, usage_location: usageLocation });
    });
  }

  async resetPassword(userPrincipalName: string): Promise<void> {
    const upn = lower(userPrincipalName);
    return this.write("resetPassword", upn, {}, () => {
      const user = this.requireLiveUser(upn);
      if (user.synced === 1) this.refuse("precondition", "Request_BadRequest", `${SYNCED_MESSAGE} (${upn} is directory-synced: reset the password on premises, R4.4)`);
      this.q.setPasswordReset.run(this.nowMs(), user.id);
    });
  }

  async restoreUser(userId: string): Promise<ObservedUser> {
    return this.write("restoreUser", userId, {}, () => {
      const now = this.nowMs();
      const user = this.q.userById.get(userId) as UserRow | undefined;
      if (!user || user.deleted_at === null) {
        this.refuse("notFound", "Request_ResourceNotFound", `Resource '${userId}' does not exist in the deleted items (never deleted, or purged after 30 days).`);
      }
      this.current.target = user.upn;
      if (this.liveUser(user.upn)) {
        this.refuse("conflict", "ObjectConflict", `A conflicting object with one or more of the specified property values is present in the directory: a live user already has the upn ${user.upn}; rename one of them (R2.4)`);
      }
      this.q.restoreUser.run(userId);
      const m = this.q.mailboxOfUser.get(userId) as MailboxRow | undefined;
      if (m) {
        const readyMs = this.timing().restoreReadyMs;
        // R2.5: the mailbox is re-created over 20-30 minutes; licenses are not re-added (R2.4)
        const disconnectAt = m.type === "user" ? now + DISCONNECT_MS : null;
        this.q.restoreMailbox.run(readyMs > 0 ? now + readyMs : null, disconnectAt, m.address);
      }
      return this.observedUser(this.q.userById.get(userId) as UserRow);
    });
  }

  // ---------------------------------------------------------------- admin (out-of-band) edits

  /** Add a grant as an admin in the portal would (no faults, no readiness wait). */
  adminAddGrant(mailbox: string, right: Right, trustee: string, options: { autoMapping?: boolean } = {}): void {
    const target = lower(mailbox);
    const autoMapping = right === "FullAccess" ? (options.autoMapping ?? true) : null;
    this.admin("addGrant", target, { right, trustee, autoMapping }, () => this.addGrant(target, right, lower(trustee), autoMapping, "admin"));
  }

  adminRemoveGrant(mailbox: string, right: Right, trustee: string): void {
    const target = lower(mailbox);
    this.admin("removeGrant", target, { right, trustee }, () => this.removeGrant(target, right, lower(trustee), "admin"));
  }

  /** Sign-in on or off. Also for directory-synced users: it models the change made on premises. */
  adminSetAccountEnabled(userPrincipalName: string, enabled: boolean): void {
    const upn = lower(userPrincipalName);
    this.admin("setAccountEnabled", upn, { enabled }, () => this.signIn(upn, enabled, "admin"));
  }

  /** Assign or remove one license. Seats and usage location still apply; the conservative shared-mailbox refusal does not. */
  adminLicense(userPrincipalName: string, action: "add" | "remove", sku: string): void {
    const upn = lower(userPrincipalName);
    this.admin("license", upn, { action, sku }, () => this.changeLicenses(upn, action === "add" ? [sku] : [], action === "remove" ? [sku] : [], "admin"));
  }

  adminConvert(address: string, type: "shared" | "regular"): void {
    const target = lower(address);
    this.admin("convert", target, { type }, () => this.convert(target, type, "admin"));
  }

  /** Soft-delete a user and the mailbox it anchors, even a shared mailbox's anchor (Graph allows it, R2.2). */
  adminDeleteUser(userPrincipalName: string): void {
    const upn = lower(userPrincipalName);
    this.admin("deleteUser", upn, {}, () => this.softDeleteUser(this.requireLiveUser(upn).id));
  }

  /** Purge a soft-deleted user (and its mailbox) from the recycle bin now. `who` is an id or a UPN. */
  adminPurgeUser(who: string): void {
    this.admin("purgeUser", who, {}, () => {
      const rows = this.q.deletedUsersByIdOrUpn.all(who, lower(who)) as UserRow[];
      if (rows.length === 0) this.refuse("notFound", "Request_ResourceNotFound", `no soft-deleted user "${who}" in the recycle bin`);
      for (const row of rows) this.purgeUser(row);
    });
  }

  adminSetMailboxSize(address: string, sizeBytes: number): void {
    const target = lower(address);
    this.admin("setMailboxSize", target, { sizeBytes }, () => {
      if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) this.refuse("precondition", "InvalidArgument", `size ${sizeBytes} of ${target} is not a whole number of bytes`);
      this.liveMailbox(target);
      this.q.setSize.run(sizeBytes, target);
    });
  }

  timing(): TimingSettings {
    return { ...DEFAULT_TIMING, ...(JSON.parse(this.tryMeta("timing") ?? "{}") as Partial<TimingSettings>) };
  }

  setTiming(change: Partial<TimingSettings>): void {
    this.admin("setTiming", "settings", change, () => this.q.setMeta.run("timing", JSON.stringify({ ...this.timing(), ...change })));
  }

  faults(): FaultSettings {
    return { ...DEFAULT_FAULTS, ...(JSON.parse(this.tryMeta("faults") ?? "{}") as Partial<FaultSettings>) };
  }

  /** Change fault settings; a new seed (or burst) restarts the PRNG and the bucket. */
  setFaults(change: Partial<FaultSettings>): FaultSettings {
    return this.admin("setFaults", "faults", change, () => {
      const next: FaultSettings = { ...this.faults(), ...change };
      this.q.setMeta.run("faults", JSON.stringify(next));
      if (change.seed !== undefined || change.burst !== undefined || change.writesPerSecond !== undefined || this.tryMeta("faultState") === undefined) {
        this.q.setMeta.run("faultState", JSON.stringify(initialFaultState(next)));
      }
      return next;
    });
  }

  clearFaults(): void {
    this.admin("clearFaults", "faults", {}, () => {
      this.q.setMeta.run("faults", JSON.stringify(DEFAULT_FAULTS));
      this.q.setMeta.run("faultState", JSON.stringify(initialFaultState(DEFAULT_FAULTS)));
    });
  }

  /** Replace the whole tenant with `fixture` (validated). Logged as admin.seed. */
  seed(fixture: TenantFixture): void {
    this.replaceState(validateFixture(fixture, "<fixture>"));
  }

  /** The operation log, oldest first. */
  readLog(options: ReadLogOptions = {}): LogEntry[] {
    const rows = this.q.logAfter.all({ after: options.afterSeq ?? 0, operation: options.operation ?? null }) as Array<{
      seq: number; at: number; operation: string; target: string; args: string; outcome: "ok" | "error";
      kind: ProviderErrorKind | null; code: string | null; message: string | null;
    }>;
    const picked = options.limit !== undefined ? rows.slice(Math.max(0, rows.length - options.limit)) : rows;
    return picked.map((r) => ({ ...r, at: new Date(r.at).toISOString(), args: JSON.parse(r.args) as unknown }));
  }

  /** The whole tenant as a fixture document (the format `tenant init --fixture` reads). */
  exportFixture(): TenantFixture {
    return this.db.transaction(() => {
      this.settle();
      const licenses = this.licensesByUser();
      const users = (this.q.usersFull.all() as UserRow[]).map((u) => ({
        id: u.id,
        userPrincipalName: u.upn,
        displayName: u.display_name,
        accountEnabled: u.account_enabled === 1,
        usageLocation: u.usage_location,
        licenses: [...(licenses.get(u.id) ?? [])],
        onPremisesSyncEnabled: u.synced === 1,
        deletedAt: iso(u.deleted_at),
        passwordResetAt: iso(u.password_reset_at),
      }));
      const mailboxes = (this.q.mailboxesFull.all() as MailboxRow[]).map((m) => ({
        address: m.address,
        displayName: m.display_name,
        alias: m.alias,
        type: m.type,
        userId: m.user_id,
        sizeBytes: m.size_bytes,
        litigationHold: m.litigation_hold === 1,
        archive: m.archive === 1,
        readyAt: iso(m.ready_at),
        deletedAt: iso(m.deleted_at),
        disconnectAt: iso(m.disconnect_at),
        managementTag: m.management_tag,
      }));
      const grants = (this.q.grantsFull.raw().all() as Array<[string, Right, string, number | null, number | null]>).map(
        ([mailbox, right, trustee, autoMapping, effectiveAt]): FixtureGrant => {
          const base = right === "FullAccess" ? { mailbox, right, trustee, autoMapping: autoMapping === 1 } : { mailbox, right, trustee };
          return effectiveAt === null ? base : { ...base, effectiveAt: new Date(effectiveAt).toISOString() };
        },
      );
      const skus = (this.q.skusAll.raw().all() as Array<[string, string, number, string]>).map(([skuPartNumber, skuId, prepaidUnits, plans]) => ({
        skuPartNumber, skuId, prepaidUnits, servicePlans: JSON.parse(plans) as string[],
      }));
      const settings = this.nonDefaultSettings();
      const doc: TenantFixture = {
        formatVersion: 1,
        tenant: this.tenantInfo(),
        clock: new Date(this.nowMs()).toISOString(),
        skus,
        users,
        mailboxes,
        grants,
      };
      return settings ? { ...doc, settings } : doc;
    })();
  }

  // ================================================================ internals

  private tryMeta(key: string): string | undefined {
    return this.q.getMeta.pluck().get(key) as string | undefined;
  }

  private meta(key: string): string {
    const v = this.tryMeta(key);
    if (v === undefined) throw new Error(`tenant db is missing meta.${key}`);
    return v;
  }

  private tenantInfo(): ObservedTenantInfo {
    return JSON.parse(this.meta("tenant")) as ObservedTenantInfo;
  }

  private nonDefaultSettings(): TenantFixture["settings"] | undefined {
    const timing = this.tryMeta("timing");
    const faults = this.tryMeta("faults");
    const out: { timing?: Partial<TimingSettings>; faults?: Partial<FaultSettings> } = {};
    if (timing !== undefined && timing !== JSON.stringify(DEFAULT_TIMING)) out.timing = this.timing();
    if (faults !== undefined && JSON.stringify(this.faults()) !== JSON.stringify(DEFAULT_FAULTS)) out.faults = this.faults();
    return out.timing || out.faults ? out : undefined;
  }

  /** Throw a ProviderError for the current operation. */
  private refuse(kind: ProviderErrorKind, code: string, message: string, retryAfterMs?: number): never {
    throw new ProviderError({
      kind,
      code,
      message,
      operation: this.current.operation,
      target: this.current.target,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  /** Apply time-driven events due at `now`: purge (R2.3), disconnection (R1.12, R2.6), readiness, grant effect. */
  private settle(): void {
    const now = this.nowMs();
    if (now === this.lastSettled) return;
    for (const row of this.q.usersToPurge.all(now - RETENTION_MS) as UserRow[]) {
      this.purgeUser(row);
      this.log("system.purge", row.upn, { userId: row.id }, null);
    }
    for (const address of this.q.mailboxesToDisconnect.pluck().all(now) as string[]) {
      this.q.deleteMailbox.run(address);
      this.log("system.disconnect", address, {}, null);
    }
    this.q.clearReady.run(now);
    this.q.clearPending.run(now);
    this.lastSettled = now;
  }

  private purgeUser(row: UserRow): void {
    this.q.deleteUser.run(row.id); // cascades to licenses, the mailbox and the grants on it
    if (!this.q.anyUserWithUpn.get(row.upn)) this.q.deleteGrantsOfTrustee.run(row.upn);
  }

  private log(operation: string, target: string, args: unknown, error: ProviderError | null): void {
    this.q.insertLog.run(this.nowMs(), operation, target, JSON.stringify(args ?? {}), error ? "error" : "ok", error?.kind ?? null, error?.code ?? null, error?.message ?? null);
  }

  /** A read: settle, inject read failures (bulk reads), run `body` in one snapshot. */
  private read<T>(operation: string, bulk: boolean, body: () => T, target = ""): T {
    this.current = { operation, target };
    const outcome = this.transaction((): Outcome<T> => {
      this.settle();
      if (bulk) {
        const faults = this.faults();
        if (faults.failReads > 0) {
          // the countdown commits; the read rejects as a whole: never a partial answer
          this.q.setMeta.run("faults", JSON.stringify({ ...faults, failReads: faults.failReads - 1 }));
          return { ok: false, error: this.error("transient", "ServiceUnavailable", "The service is temporarily unavailable (injected read failure).") };
        }
      }
      try {
        return { ok: true, value: body(), crash: false };
      } catch (e) {
        if (ProviderError.is(e)) return { ok: false, error: e };
        throw e;
      }
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Run `fn` in one transaction; forget the settle marker if it rolls back. */
  private transaction<T>(fn: () => T): T {
    try {
      // the clock is read once per transaction, not per nowMs() call (bench: a third of a write's reads)
      return this.inTx(() => {
        const outer = this.txClock === null;
        if (outer && this.clockMode === "virtual") this.txClock = Number(this.q.getMeta.pluck().get("clock"));
        try {
          return fn();
        } finally {
          if (outer) this.txClock = null;
        }
      });
    } catch (e) {
      this.lastSettled = Number.NaN;
      throw e;
    }
  }

  /**
   * A provider write: latency, then ONE transaction holding fault bookkeeping,
   * the change (in a savepoint, rolled back if refused) and the log entry.
   */
  private async write<T>(operation: string, target: string, args: unknown, body: () => T): Promise<T> {
    let faults = this.faults();
    if (faults.latencyMs > 0) {
      await this.clock.sleep(faults.latencyMs);
      // read again after the sleep (nothing awaits from here to the commit): overlapping writes must each
      // see the crash countdown the previous one left, or two writes count as one
      faults = this.faults();
    }
    this.current = { operation, target };
    const armedBeforeCommit = faults.crashMode === "beforeCommit" && faults.crashAfterWrites === 1;
    if (armedBeforeCommit) {
      // disarm in its own commit, so the crash below does not repeat in the next process
      this.q.setMeta.run("faults", JSON.stringify({ ...faults, crashAfterWrites: null }));
    }
    const outcome: Outcome<T> = this.transaction((): Outcome<T> => {
      this.settle();
      const now = this.nowMs();
      // no throttle and no transient rate: decideWrite would neither read nor move the state, so skip its round trip (bench/)
      const inert = faults.writesPerSecond === null && !(faults.transientRate > 0);
      const state = inert ? null : this.faultState(faults);
      const decision: ReturnType<typeof decideWrite> = state === null ? { fault: null } : decideWrite(faults, state, now);
      if (state !== null) this.q.setMeta.run("faultState", JSON.stringify(state));
      if (decision.fault !== null) {
        const error =
          decision.fault === "throttled"
            ? this.error("throttled", "TooManyRequests", `Too many requests; retry after ${decision.retryAfterMs} ms (injected throttling).`, decision.retryAfterMs)
            : this.error("transient", "ServiceUnavailable", "The service is temporarily unavailable (injected transient failure).");
        this.log(operation, target, args, error);
        if (armedBeforeCommit) this.q.setMeta.run("faults", JSON.stringify(faults)); // a refused write is not a successful one: re-arm
        return { ok: false, error };
      }
      try {
        const value = this.inTx(body);
        this.log(operation, target, args, null);
        if (armedBeforeCommit) {
          process.kill(process.pid, "SIGKILL"); // inside the transaction: this write is lost
          throw new Error("simulated crash before commit");
        }
        let crash = false;
        if (faults.crashAfterWrites !== null && !armedBeforeCommit) {
          const remaining = faults.crashAfterWrites - 1;
          crash = faults.crashMode === "afterCommit" && remaining <= 0;
          this.q.setMeta.run("faults", JSON.stringify({ ...faults, crashAfterWrites: remaining <= 0 ? null : remaining }));
        }
        return { ok: true, value, crash };
      } catch (e) {
        if (!ProviderError.is(e)) throw e;
        this.log(operation, e.target || target, args, e);
        if (armedBeforeCommit) this.q.setMeta.run("faults", JSON.stringify(faults)); // not a successful write: re-arm
        return { ok: false, error: e };
      }
    });
    if (!outcome.ok) throw outcome.error;
    if (outcome.crash) {
      process.kill(process.pid, "SIGKILL"); // committed; the caller never hears of it
      process.exit(137);
    }
    if (this.clockMode === "real") this.setClock(this.nowMs());
    return outcome.value;
  }

  /** An admin edit: no faults, one transaction, logged as admin.<operation>. Throws ProviderError when refused. */
  private admin<T>(operation: string, target: string, args: unknown, body: () => T): T {
    this.current = { operation: `admin.${operation}`, target };
    const outcome = this.transaction((): Outcome<T> => {
      this.settle();
      try {
        const value = this.inTx(body);
        this.log(`admin.${operation}`, target, args, null);
        return { ok: true, value, crash: false };
      } catch (e) {
        if (!ProviderError.is(e)) throw e;
        this.log(`admin.${operation}`, target, args, e);
        return { ok: false, error: e };
      }
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private error(kind: ProviderErrorKind, code: string, message: string, retryAfterMs?: number): ProviderError {
    return new ProviderError({ kind, code, message, operation: this.current.operation, target: this.current.target, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  private faultState(settings: FaultSettings): FaultState {
    const raw = this.tryMeta("faultState");
    return raw === undefined ? initialFaultState(settings) : (JSON.parse(raw) as FaultState);
  }

  private replaceState(f: TenantFixture): void {
    const now = Date.parse(f.clock);
    this.db.transaction(() => {
      for (const table of ["grants", "mailboxes", "user_licenses", "users", "skus"]) this.db.exec(`DELETE FROM ${table}`);
      this.q.setMeta.run("tenant", JSON.stringify({ id: f.tenant.id, domains: f.tenant.domains.map(lower).sort(compareStrings), hybrid: f.tenant.hybrid }));
      this.setClock(now);
      this.db.prepare("DELETE FROM meta WHERE key IN ('timing', 'faults', 'faultState', 'nextUserSeq')").run();
      if (f.settings?.timing) this.q.setMeta.run("timing", JSON.stringify({ ...DEFAULT_TIMING, ...f.settings.timing }));
      const faults = { ...DEFAULT_FAULTS, ...(f.settings?.faults ?? {}) };
      this.q.setMeta.run("faults", JSON.stringify(faults));
      this.q.setMeta.run("faultState", JSON.stringify(initialFaultState(faults)));
      for (const s of f.skus) this.q.insertSku.run(s.skuPartNumber, s.skuId, s.prepaidUnits, JSON.stringify([...s.servicePlans].sort(compareStrings)));
      const ms = (t: string | null | undefined) => (t ? Date.parse(t) : null);
      for (const u of f.users) {
        const deletedAt = ms(u.deletedAt);
        this.q.insertUser.run(u.id, lower(u.userPrincipalName), u.displayName, Number(u.accountEnabled ?? true), u.usageLocation ?? null,
          Number(u.onPremisesSyncEnabled ?? false), deletedAt, ms(u.passwordResetAt));
        for (const sku of u.licenses ?? []) this.q.insertLicense.run(u.id, sku);
      }
      for (const m of f.mailboxes) {
        const address = lower(m.address);
        this.q.insertMailbox.run(address, m.displayName, m.alias ?? localPart(address), m.type, m.userId, m.sizeBytes ?? 0,
          Number(m.litigationHold ?? false), Number(m.archive ?? false), ms(m.readyAt), ms(m.deletedAt), ms(m.disconnectAt), m.managementTag ?? null);
      }
      const insertGrant = this.q.insertGrant;
      for (const g of f.grants) {
        insertGrant.run(lower(g.mailbox), g.right, lower(g.trustee), g.right === "FullAccess" ? Number(g.autoMapping ?? true) : null, ms(g.effectiveAt));
      }
      this.lastSettled = Number.NaN;
      this.log("admin.seed", f.tenant.id, { users: f.users.length, mailboxes: f.mailboxes.length, grants: f.grants.length }, null);
    })();
  }

  // ---------------------------------------------------------------- lookups

  private liveUser(upn: string): UserRow | undefined {
    return this.q.liveUserByUpn.get(upn) as UserRow | undefined;
  }

  private requireLiveUser(upn: string): UserRow {
    const user = this.liveUser(upn);
    if (!user) this.refuse("notFound", "Request_ResourceNotFound", `Resource '${upn}' does not exist or one of its queried reference-property objects are not present.`);
    return user;
  }

  private mailboxRow(address: string): MailboxRow | undefined {
    return this.q.mailboxByAddress.get(address) as MailboxRow | undefined;
  }

  /** A live (not soft-deleted) mailbox, or notFound. */
  private liveMailbox(address: string): MailboxRow {
    const m = this.mailboxRow(address);
    if (!m || m.deleted_at !== null) this.refuse("notFound", "ManagementObjectNotFound", notFoundMessage(address));
    return m;
  }

  /** A live mailbox that is ready for writes (provider mode), or the refusal. */
  private writableMailbox(address: string, mode: Mode): MailboxRow {
    const m = this.liveMailbox(address);
    if (mode === "provider" && m.ready_at !== null && m.ready_at > this.nowMs()) {
      this.refuse("precondition", "MailboxNotReady", `${address} is still being provisioned and accepts changes from ${new Date(m.ready_at).toISOString()}; retry later`);
    }
    return m;
  }

  private licensesOf(userId: string): string[] {
    return this.q.licensesOf.pluck().all(userId) as string[];
  }

  private servicePlans(skus: Iterable<string>): string[] {
    const plans: string[] = [];
    for (const sku of skus) {
      const raw = this.q.skuPlans.pluck().get(sku) as string | undefined;
      if (raw) plans.push(...(JSON.parse(raw) as string[]));
    }
    return plans;
  }

  private capsOfUser(userId: string): ExchangeCapabilities {
    return capabilitiesOf(this.servicePlans(this.licensesOf(userId)));
  }

  /** user id -> sorted SKU part numbers, for every user holding at least one. */
  private licensesByUser(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const [userId, sku] of this.q.licensesAll.raw().all() as Array<[string, string]>) {
      const list = map.get(userId);
      if (list) list.push(sku);
      else map.set(userId, [sku]);
    }
    return map;
  }

  /** user id -> quota, computed once per distinct license set (R1.4, R1.5, R1.10). */
  private quotaFunction(): (userId: string) => number {
    const licenses = this.licensesByUser();
    const plansBySku = new Map<string, string[]>();
    for (const [part, , , plans] of this.q.skusAll.raw().all() as Array<[string, string, number, string]>) plansBySku.set(part, JSON.parse(plans) as string[]);
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

  private observedMailbox(row: MailboxRow): ObservedMailbox {
    const quota = capabilitiesOf(this.servicePlans(this.licensesOf(row.user_id))).quotaBytes;
    return toObservedMailbox(
      [row.address, row.display_name, row.alias, row.type, row.user_id, row.size_bytes, row.litigation_hold, row.archive, row.ready_at, row.deleted_at, row.management_tag],
      this.nowMs(),
      () => quota,
    );
  }

  private observedUser(row: UserRow): ObservedUser {
    return {
      id: row.id,
      userPrincipalName: row.upn,
      displayName: row.display_name,
      accountEnabled: row.account_enabled === 1,
      usageLocation: row.usage_location,
      licenses: this.licensesOf(row.id),
      onPremisesSyncEnabled: row.synced === 1,
      deletedAt: iso(row.deleted_at),
    };
  }

  private nextUserId(): string {
    let seq = Number(this.tryMeta("nextUserSeq") ?? (this.q.countUsers.pluck().get() as number) + 1);
    let id = `u-${String(seq).padStart(4, "0")}`;
    while (this.q.userById.get(id)) id = `u-${String(++seq).padStart(4, "0")}`;
    this.q.setMeta.run("nextUserSeq", String(seq + 1));
    return id;
  }

  // ---------------------------------------------------------------- rules

  private checkAlias(alias: string): void {
    // R5.1
    if (alias.length === 0 || alias.length > 64 || !ALIAS_PATTERN.test(alias)) {
      this.refuse("precondition", "InvalidAlias", `alias "${alias}" is not valid: at most 64 letters, digits and !#%*+-/=?^_~, with periods only between other characters (R5.1)`);
    }
  }

  private checkDisplayName(name: string): void {
    if (name.trim().length === 0 || name.length > 256) {
      this.refuse("precondition", "InvalidDisplayName", `display name "${name.slice(0, 40)}" must have 1 to 256 characters (R5.1)`);
    }
  }

  /** R5.2: the address must not be a proxy address of any recipient, live or soft-deleted. */
  private checkAddressFree(address: string): void {
    const mailbox = this.mailboxRow(address);
    const user = this.q.anyUserWithUpn.get(address) as UserRow | undefined;
    const holder = mailbox?.display_name ?? user?.display_name;
    if (holder !== undefined) {
      this.refuse("conflict", "ProxyAddressExists", `The proxy address "smtp:${address}" is already being used by the proxy addresses or LegacyExchangeDN of "${holder}". Please choose another proxy address.`);
    }
  }

  /** R3.7, R3.8: a trustee is a live user of one of the tenant's domains. */
  private checkTrustee(trustee: string): void {
    const domains = this.tenantInfo().domains;
    if (!trustee.includes("@") || !domains.includes(domainOf(trustee))) {
      this.refuse("precondition", "TrusteeOutsideTenant", `"${trustee}" is outside the tenant (accepted domains: ${domains.join(", ")}); external accounts cannot be granted access, use a member of the tenant (R3.8)`);
    }
    if (this.liveUser(trustee)) return;
    if (this.q.anyUserWithUpn.get(trustee)) {
      this.refuse("precondition", "TrusteeNotFound", `"${trustee}" is a deleted user; restore the user or grant the access to someone else`);
    }
    this.refuse("precondition", "TrusteeNotFound", `The user "${trustee}" couldn't be found; check the name or create the user first`);
  }

  private addGrant(address: string, right: Right, trustee: string, autoMapping: boolean | null, mode: Mode): void {
    this.writableMailbox(address, mode);
    this.checkTrustee(trustee);
    if (this.q.grantExists.get(address, right, trustee)) {
      // R3.10 [U]: re-adding is a conflict (decision 0003); to change autoMapping, remove then add (R3.5)
      this.refuse("conflict", "ACEAlreadyExists", `${trustee} already holds ${right} on ${address}; to change it (for example autoMapping), remove the grant and add it again`);
    }
    if (right === "FullAccess" && (this.q.countFullAccess.pluck().get(address) as number) >= MAX_FULL_ACCESS) {
      this.refuse("precondition", "TooManyACEs", `${address} already has ${MAX_FULL_ACCESS} FullAccess entries, the most a mailbox can hold (R3.9); use a mail-enabled security group`);
    }
    const delay = this.timing().grantEffectiveMs;
    this.q.insertGrant.run(address, right, trustee, right === "FullAccess" ? Number(autoMapping ?? true) : null, delay > 0 ? this.nowMs() + delay : null);
  }

  private removeGrant(address: string, right: Right, trustee: string, mode: Mode): void {
    this.writableMailbox(address, mode);
    if (this.q.deleteGrant.run(address, right, trustee).changes === 0) {
      // R3.10
      this.refuse("notFound", "ACENotFound", `Can't remove the access control entry on the object "${address}" for account "${trustee}" because the ACE doesn't exist on the object.`);
    }
  }

  private signIn(upn: string, enabled: boolean, mode: Mode): ObservedUser {
    const user = this.requireLiveUser(upn);
    if (mode === "provider" && user.synced === 1) {
      // R4.4: accountEnabled is mastered on premises
      this.refuse("precondition", "Request_BadRequest", `${SYNCED_MESSAGE} (${upn} is directory-synced: change sign-in in on-premises Active Directory, R4.4)`);
    }
    this.q.setEnabled.run(Number(enabled), user.id);
    return this.observedUser({ ...user, account_enabled: Number(enabled) });
  }

  private convert(address: string, type: "shared" | "regular", mode: Mode): ObservedMailbox {
    const m = this.writableMailbox(address, mode);
    const user = this.q.userById.get(m.user_id) as UserRow;
    if (mode === "provider" && user.synced === 1) {
      // R6.3, R4.4: a cloud-only conversion of a synced mailbox is reverted by directory sync
      this.refuse("precondition", "Request_BadRequest", `${address} is directory-synced (onPremisesSyncEnabled); convert it on premises with Set-RemoteMailbox -Type ${type === "shared" ? "Shared" : "Regular"} (R6.2, R6.3)`);
    }
    const want = type === "shared" ? "shared" : "user";
    if (m.type === want) {
      this.refuse("conflict", "AlreadyOfType", `Couldn't convert the mailbox because the mailbox "${address}" is already of the type '${type === "shared" ? "Shared" : "Regular"}'.`);
    }
    const caps = this.capsOfUser(m.user_id);
    if (type === "shared") {
      // R1.2 (grace period [U]: refuse, decision 0003)
      if (!caps.exchange) {
        this.refuse("precondition", "LicenseRequired", `${address} has no Exchange Online license; a user mailbox must be licensed before it can be converted to shared: assign a license, convert, then remove it (R1.2, R2.5)`);
      }
      this.q.setType.run("shared", null, address);
    } else {
      // R1.12: unlicensed, the user mailbox is disconnected after 30 days
      this.q.setType.run("user", caps.exchange ? null : this.nowMs() + DISCONNECT_MS, address);
    }
    return this.observedMailbox(this.mailboxRow(address)!);
  }

  private changeLicenses(upn: string, addIn: readonly string[], removeIn: readonly string[], mode: Mode): ObservedUser {
    const user = this.requireLiveUser(upn);
    const held = new Set(this.licensesOf(user.id));
    const add = [...new Set(addIn)].filter((s) => !held.has(s)); // re-adding a held SKU is accepted and changes nothing (Graph)
    const remove = [...new Set(removeIn)];
    for (const sku of [...add, ...remove]) {
      if (!this.q.skuPlans.get(sku)) {
        this.refuse("notFound", "SkuNotFound", `License ${sku} does not correspond to a valid company License; the tenant's skus are listed by: exoform tenant show`);
      }
    }
    for (const sku of remove) {
      if (!held.has(sku)) this.refuse("notFound", "LicenseNotAssigned", `User ${upn} does not have a corresponding license ${sku}.`);
    }
    if (add.length > 0 && !user.usage_location) {
      this.refuse("precondition", "InvalidUsageLocation", `License assignment cannot be done for user with invalid usage location. (${upn} has no usageLocation; set one first, R7.1)`);
    }
    for (const sku of add) {
      const consumed = this.q.consumedOf.pluck().get(sku) as number;
      const prepaid = this.q.prepaidOf.pluck().get(sku) as number;
      if (consumed + 1 > prepaid) {
        this.refuse("precondition", "CountViolation", `Subscription ${sku} has no free licenses (${consumed} of ${prepaid} assigned); buy more seats or free one first`);
      }
    }
    const final = new Set([...held].filter((s) => !remove.includes(s)).concat(add));
    const plans = new Set(this.servicePlans(final));
    const after = capabilitiesOf(plans);
    if (plans.has("EXCHANGE_S_STANDARD") && plans.has("EXCHANGE_S_ENTERPRISE")) {
      this.refuse("precondition", "MutuallyExclusiveViolation", `${upn} would hold both Exchange Online Plan 1 and Plan 2 service plans (${[...final].sort(compareStrings).join(", ")}), which are mutually exclusive; remove one in the same call`);
    }
    if (after.archiveAddon && !after.exchange) {
      this.refuse("precondition", "DependencyViolation", `${upn} would hold the Exchange Online Archiving add-on without an Exchange Online plan it depends on; keep or add Plan 1 or Plan 2`);
    }
    const mailbox = this.q.mailboxOfUser.get(user.id) as MailboxRow | undefined;
    const before = this.capsOfUser(user.id);
    if (mailbox && mailbox.deleted_at === null && mailbox.type === "shared" && mode === "provider" && remove.length > 0) {
      const needs = { sizeBytes: mailbox.size_bytes, litigationHold: mailbox.litigation_hold === 1, archive: mailbox.archive === 1 };
      const shortfall = licenseShortfall(needs, after);
      // R1.4-R1.9, R2.6: the service would let it go over quota or break the hold; we refuse (decision 0003)
      if (shortfall !== null && licenseShortfall(needs, before) === null) {
        this.refuse("precondition", "MailboxNeedsLicense", `removing ${remove.join(", ")} from ${upn} is refused: the shared mailbox ${mailbox.address} ${shortfall}; keep the license, or reduce the mailbox (size, hold, archive) first`);
      }
    }
    for (const sku of remove) this.q.deleteLicense.run(user.id, sku);
    for (const sku of add) this.q.insertLicense.run(user.id, sku);
    if (mailbox && mailbox.deleted_at === null && mailbox.type === "user") {
      // R2.6: a user mailbox losing its Exchange license is disconnected after 30 days; a license reconnects it
      if (after.exchange) this.q.setDisconnect.run(null, mailbox.address);
      else if (mailbox.disconnect_at === null) this.q.setDisconnect.run(this.nowMs() + DISCONNECT_MS, mailbox.address);
    }
    return this.observedUser(user);
  }

  /** Soft-delete a user and its mailbox for 30 days; licenses are released (R2.3, R2.4). */
  private softDeleteUser(userId: string): void {
    const now = this.nowMs();
    this.q.softDeleteUser.run(now, userId);
    this.q.softDeleteMailboxOfUser.run(now, userId);
    this.q.deleteLicensesOf.run(userId);
  }
}

// ------------------------------------------------------------------ row mapping

type MailboxTuple = [string, string, string, "user" | "shared", string, number, number, number, number | null, number | null, string | null];

function toObservedMailbox(r: MailboxTuple, now: number, quota: (userId: string) => number): ObservedMailbox {
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
    managementTag: r[10],
  };
}

function toObservedGrant(r: readonly [string, Right, string, number | null]): ObservedGrant {
  return r[1] === "FullAccess" ? { mailbox: r[0], right: r[1], trustee: r[2], autoMapping: r[3] === 1 } : { mailbox: r[0], right: r[1], trustee: r[2] };
}

function notFoundMessage(address: string): string {
  return `The operation couldn't be performed because object '${address}' couldn't be found.`;
}

// ------------------------------------------------------------------ statements

const MAILBOX_COLUMNS = "address, display_name, alias, type, user_id, size_bytes, litigation_hold, archive, ready_at, deleted_at, management_tag";

function prepare(db: Database.Database) {
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
    mailboxesAll: p(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes ORDER BY address`),
    mailboxesFull: p("SELECT * FROM mailboxes ORDER BY address"),
    grantsAll: p("SELECT mailbox, access_right, trustee, auto_mapping FROM grants ORDER BY mailbox, access_right, trustee"),
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
    updateMailbox: p("UPDATE mailboxes SET display_name = ?, alias = ?, litigation_hold = ?, archive = ?, management_tag = ? WHERE address = ?"),
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
    // log
    insertLog: p("INSERT INTO log (at, operation, target, args, outcome, kind, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    logAfter: p("SELECT * FROM log WHERE seq > @after AND (@operation IS NULL OR operation = @operation) ORDER BY seq"),
  };
}
