/**
 * SimulatedTenant: an Exchange Online tenant embedded in one SQLite file,
 * implementing ITenantProvider and enforcing the service's rules
 * (shared/docs/exchange-online-rules.md; the [U] choices are in
 * docs/decisions/0003-simulated-tenant-conservative-rules.md).
 *
 * This class is the facade: it opens the file and hands each call to the
 * module that does the work.
 * - db.ts: the connection settings and the schema.
 * - store.ts: the statements, row mapping, lookups and the request log.
 * - runner.ts: the clock, transactions, fault injection, the operation log
 *   and the errors. Every write is ONE transaction: fault bookkeeping, the
 *   change itself and its log entry commit together, or not at all. A
 *   refused write (precondition, throttled...) rolls back its change but
 *   still logs the refusal.
 * - rules.ts: the service's rules, the bodies of the operations, and the
 *   time-driven events (purge after 30 days, disconnection of unlicensed user
 *   mailboxes, readiness), applied lazily at the start of each call.
 * - fixture-io.ts: seeding from a fixture and exporting one.
 *
 * Time is the tenant's: virtual by default (stored in the db, advanced by
 * clock.sleep and advanceClock, so tests and demos never wait), or real
 * (wall time, offset from the stored time).
 */
import { randomUUID } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import type { CreateSharedMailboxInput, ITenantProvider, TenantClock } from "../../lib/provider/provider.js";
import type { ObservedGrant, ObservedGroup, ObservedMailbox, ObservedSku, ObservedTenantInfo, ObservedUser, Right } from "../../lib/provider/observed.js";
import type { GrantsByMailbox } from "../../lib/provider/packed-grants.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { DEFAULT_MANAGEMENT_ATTRIBUTE, type ManagementAttribute } from "../../lib/model/management-tag.js";
import { connect, SCHEMA_SQL, SCHEMA_VERSION } from "./db.js";
import { validateFixture, type FaultSettings, type TenantFixture, type TimingSettings } from "./fixture.js";
import { exportFixture, replaceState } from "./fixture-io.js";
import { Rules, type MailboxUpdate } from "./rules.js";
import { Runner, type LogEntry, type ReadLogOptions } from "./runner.js";
import { attributeName, attributeNumber, lower, Store, type ReadRequestsOptions, type RequestLogEntry } from "./store.js";

export { RETENTION_MS, DISCONNECT_MS, MAX_FULL_ACCESS } from "./rules.js";
export type { LogEntry, ReadLogOptions } from "./runner.js";
export type { ReadRequestsOptions, RequestLogEntry } from "./store.js";
export type { MailboxUpdate } from "./rules.js";
export { attributeName, attributeNumber, CUSTOM_ATTRIBUTES } from "./store.js";

export interface OpenOptions {
  /** "virtual" (default): time moves only when told to. "real": wall time, offset from the stored time. */
  readonly clock?: "virtual" | "real";
}

export class SimulatedTenant implements ITenantProvider {
  readonly name: string;
  /** A random id given when the tenant is created: a re-initialised tenant is a new instance. */
  readonly instance: string;
  readonly clock: TenantClock;
  readonly path: string;

  /** "virtual": time moves only when told to; "real": wall time. */
  get clockMode(): "virtual" | "real" {
    return this.run.clockMode;
  }

  private readonly store: Store;
  private readonly run: Runner;
  private readonly rules: Rules;

  // ---------------------------------------------------------------- lifecycle

  private constructor(db: Database.Database, path: string, options: OpenOptions) {
    this.path = path;
    this.name = `simulated:${path}`;
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
    this.store = new Store(db);
    this.run = new Runner(this.store, options.clock ?? "virtual", (now) => this.rules.dueEvents(now));
    this.rules = new Rules(this.store, this.run);
    this.instance = this.store.tryMeta("instance") ?? this.name;
    this.clock = this.run.clock;
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
   *
   * Atomic: the new tenant is built in a temporary file next to `path`,
   * checkpointed and closed (so its rows are all in that one file, with no
   * -wal or -shm beside it), fsynced, and only then renamed over `path`. A
   * process killed at any point leaves either the old tenant intact (its
   * last commits included) or the new one complete; never a half-made file,
   * and with --force never no tenant at all. An existing tenant's WAL is
   * checkpointed into it first: after the rename no stale -wal from it may
   * meet the new file. Temporary files of an init killed earlier are removed.
   */
  static create(path: string, fixture: TenantFixture, options: OpenOptions & { readonly force?: boolean } = {}): SimulatedTenant {
    const valid = validateFixture(fixture, "<fixture>");
    if (existsSync(path) && !options.force) {
      throw new UserError(`a simulated tenant already exists at ${path}; pass --force to replace it`, "tenant_exists");
    }
    const folder = dirname(path);
    mkdirSync(folder, { recursive: true });
    const prefix = `.${basename(path)}.init-`;
    for (const name of readdirSync(folder)) if (name.startsWith(prefix)) rmSync(join(folder, name), { force: true });
    const temp = join(folder, `${prefix}${randomUUID()}.tmp`);
    try {
      const db = connect(temp, false);
      const seeding = SimulatedTenant.seed(db, temp, valid, options);
      db.pragma("wal_checkpoint(TRUNCATE)"); // its rows in the main file...
      seeding.close(); // ...and, closed, no -wal or -shm left to carry over
      removeSidecars(temp);
      fsyncPath(temp);
      if (existsSync(path)) settleWal(path);
      renameSync(temp, path);
      fsyncPath(folder, true);
    } catch (e) {
      rmSync(temp, { force: true });
      removeSidecars(temp);
      throw e;
    }
    return SimulatedTenant.open(path, options);
  }

  /** A fresh tenant in the empty database `db`: schema, meta, then the fixture's state. */
  private static seed(db: Database.Database, path: string, fixture: TenantFixture, options: OpenOptions): SimulatedTenant {
    db.exec(SCHEMA_SQL);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schemaVersion', ?), ('clock', '0'), ('instance', ?)").run(SCHEMA_VERSION, randomUUID());
    const tenant = new SimulatedTenant(db, path, options);
    replaceState(tenant.store, tenant.run, fixture);
    return tenant;
  }

  /** Same as create, the name the CLI uses. */
  static init(path: string, fixture: TenantFixture, options: OpenOptions & { readonly force?: boolean } = {}): SimulatedTenant {
    return SimulatedTenant.create(path, fixture, options);
  }

  close(): void {
    if (!this.store.db.open) return;
    this.run.persistRealClock();
    this.store.db.close();
  }

  // ---------------------------------------------------------------- the management attribute

  /** The custom attribute the management tag is read from and written to (setManagementAttribute). */
  get managementAttribute(): ManagementAttribute {
    return attributeName(this.store.managementAttribute);
  }

  /**
   * Read and write the management tag (ObservedMailbox.managementTag,
   * UpdateMailboxInput.managementTag) in `attribute`: the desired state's
   * tenant.managementAttribute, known once it is loaded, as the Microsoft
   * provider is told it. null goes back to CustomAttribute15. The other
   * custom attributes stay as people set them. Held by this instance only:
   * another process opening the file reads CustomAttribute15 until told.
   */
  setManagementAttribute(attribute: ManagementAttribute | null): void {
    const n = attributeNumber(attribute ?? DEFAULT_MANAGEMENT_ATTRIBUTE);
    if (n === null) throw new UserError(`"${attribute}" is not a custom attribute; tenant.managementAttribute is one of CustomAttribute1..CustomAttribute15`, "usage");
    this.store.managementAttribute = n;
  }

  // ---------------------------------------------------------------- clock

  /** The tenant time in ms. */
  nowMs(): number {
    return this.run.nowMs();
  }

  /** Move the tenant clock forward (out of band, logged as admin.advanceClock). */
  advanceClock(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new UserError(`cannot advance the clock by ${ms} ms; give a positive duration such as 30m or 31d`);
    this.run.admin("advanceClock", "clock", { ms }, () => this.run.setClock(this.run.nowMs() + ms));
  }

  // ---------------------------------------------------------------- bulk reads

  async readTenant(): Promise<ObservedTenantInfo> {
    return this.run.read("readTenant", true, () => this.store.tenantInfo());
  }

  async listSkus(): Promise<ObservedSku[]> {
    return this.run.read("listSkus", true, () => this.store.skus());
  }

  async listUsers(): Promise<ObservedUser[]> {
    return this.run.read("listUsers", true, () => this.store.users());
  }

  async listMailboxes(): Promise<ObservedMailbox[]> {
    return this.run.read("listMailboxes", true, () => this.store.mailboxes(this.run.nowMs()));
  }

  async listGroups(): Promise<ObservedGroup[]> {
    return this.run.read("listGroups", true, () => this.store.groups());
  }

  async listGrants(): Promise<ObservedGrant[]> {
    return this.run.read("listGrants", true, () => this.store.grants());
  }

  /** The same read as listGrants (logged and faulted as it), a mailbox at a time: one SQLite row each. */
  async listGrantsByMailbox(): Promise<GrantsByMailbox> {
    return this.run.read("listGrants", true, () => this.store.grantsByMailbox());
  }

  /** Every mailbox's non-empty custom attributes (CustomAttribute1..15), by address: what Get-Mailbox shows. */
  async listCustomAttributes(): Promise<Map<string, CustomAttributes>> {
    return this.run.read("listCustomAttributes", false, () => new Map([...this.store.customAttributesAll()].map(([address, values]) => [address, named(values)])));
  }

  // ---------------------------------------------------------------- point reads

  /** The non-empty custom attributes of one mailbox (live or soft-deleted); {} for an unknown address. */
  async getCustomAttributes(address: string): Promise<CustomAttributes> {
    const target = lower(address);
    return this.run.read("getCustomAttributes", false, () => {
      const row = this.store.mailboxRow(target);
      return row ? named(this.store.customAttributesOf(row)) : {};
    }, target);
  }

  async getMailbox(address: string): Promise<ObservedMailbox | null> {
    return this.run.read("getMailbox", false, () => {
      const row = this.store.mailboxRow(lower(address));
      return row ? this.store.observedMailbox(row, this.run.nowMs()) : null;
    });
  }

  async getUser(userPrincipalName: string): Promise<ObservedUser | null> {
    return this.run.read("getUser", false, () => {
      const row = this.store.liveUser(lower(userPrincipalName));
      return row ? this.store.observedUser(row) : null;
    });
  }

  async getGrants(address: string): Promise<ObservedGrant[]> {
    const target = lower(address);
    // no such mailbox: no grants to report (apply reads this to settle a half-run write); a soft-deleted one keeps its grants
    return this.run.read("getGrants", false, () => (this.store.mailboxRow(target) ? this.store.grantsOf(target) : []), target);
  }

  // ---------------------------------------------------------------- mailbox writes

  async createSharedMailbox(input: CreateSharedMailboxInput): Promise<ObservedMailbox> {
    const address = lower(input.address);
    return this.run.write("createSharedMailbox", address, input, () => this.rules.createSharedMailbox(address, input));
  }

  async setMailboxType(address: string, type: "shared" | "regular"): Promise<ObservedMailbox> {
    const target = lower(address);
    return this.run.write("setMailboxType", target, { type }, () => this.rules.convert(target, type, "provider"));
  }

  /**
   * Set-Mailbox. Beyond the contract, `input.customAttributes` sets any of
   * CustomAttribute1..15 by name (the local endpoint's Set-Mailbox does).
   */
  async updateMailbox(address: string, input: MailboxUpdate): Promise<ObservedMailbox> {
    const target = lower(address);
    return this.run.write("updateMailbox", target, input, () => this.rules.updateMailbox(target, input));
  }

  async setPrimaryAddress(address: string, newAddress: string): Promise<ObservedMailbox> {
    const target = lower(address);
    return this.run.write("setPrimaryAddress", target, { newAddress }, () => this.rules.setPrimaryAddress(target, lower(newAddress)));
  }

  async removeMailbox(address: string): Promise<void> {
    const target = lower(address);
    return this.run.write("removeMailbox", target, {}, () => this.rules.removeMailbox(target));
  }

  // ---------------------------------------------------------------- grant writes

  async addMailboxPermission(address: string, trustee: string, options: { readonly autoMapping: boolean }): Promise<void> {
    const target = lower(address);
    return this.run.write("addMailboxPermission", target, { trustee, autoMapping: options.autoMapping }, () =>
      this.rules.addGrant(target, "FullAccess", lower(trustee), options.autoMapping, "provider"),
    );
  }

  async removeMailboxPermission(address: string, trustee: string): Promise<void> {
    const target = lower(address);
    return this.run.write("removeMailboxPermission", target, { trustee }, () => this.rules.removeGrant(target, "FullAccess", lower(trustee), "provider"));
  }

  async addRecipientPermission(address: string, trustee: string): Promise<void> {
    const target = lower(address);
    return this.run.write("addRecipientPermission", target, { trustee }, () => this.rules.addGrant(target, "SendAs", lower(trustee), null, "provider"));
  }

  async removeRecipientPermission(address: string, trustee: string): Promise<void> {
    const target = lower(address);
    return this.run.write("removeRecipientPermission", target, { trustee }, () => this.rules.removeGrant(target, "SendAs", lower(trustee), "provider"));
  }

  async setSendOnBehalf(address: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<void> {
    const target = lower(address);
    const add = [...new Set(change.add.map(lower))];
    const remove = [...new Set(change.remove.map(lower))];
    return this.run.write("setSendOnBehalf", target, { add, remove }, () => this.rules.setSendOnBehalf(target, add, remove));
  }

  // ---------------------------------------------------------------- user writes

  async assignLicense(userPrincipalName: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<ObservedUser> {
    const upn = lower(userPrincipalName);
    return this.run.write("assignLicense", upn, { add: change.add, remove: change.remove }, () => this.rules.changeLicenses(upn, change.add, change.remove, "provider"));
  }

  async setAccountEnabled(userPrincipalName: string, enabled: boolean): Promise<ObservedUser> {
    const upn = lower(userPrincipalName);
    return this.run.write("setAccountEnabled", upn, { enabled }, () => this.rules.signIn(upn, enabled, "provider"));
  }

  async setUsageLocation(userPrincipalName: string, usageLocation: string): Promise<ObservedUser> {
    const upn = lower(userPrincipalName);
    return this.run.write("setUsageLocation", upn, { usageLocation }, () => this.rules.setUsageLocation(upn, usageLocation));
  }

  async resetPassword(userPrincipalName: string): Promise<void> {
    const upn = lower(userPrincipalName);
    return this.run.write("resetPassword", upn, {}, () => this.rules.resetPassword(upn));
  }

  async setUserPrincipalName(userPrincipalName: string, newUserPrincipalName: string): Promise<ObservedUser> {
    const upn = lower(userPrincipalName);
    return this.run.write("setUserPrincipalName", upn, { newUserPrincipalName }, () => this.rules.setUserPrincipalName(upn, lower(newUserPrincipalName)));
  }

  async revokeSignInSessions(userId: string): Promise<void> {
    return this.run.write("revokeSignInSessions", userId, {}, () => this.rules.revokeSignInSessions(userId));
  }

  async restoreUser(userId: string): Promise<ObservedUser> {
    return this.run.write("restoreUser", userId, {}, () => this.rules.restoreUser(userId));
  }

  // ---------------------------------------------------------------- admin (out-of-band) edits

  /** Add a grant as an admin in the portal would (no faults, no readiness wait). */
  adminAddGrant(mailbox: string, right: Right, trustee: string, options: { autoMapping?: boolean } = {}): void {
    const target = lower(mailbox);
    const autoMapping = right === "FullAccess" ? (options.autoMapping ?? true) : null;
    this.run.admin("addGrant", target, { right, trustee, autoMapping }, () => this.rules.addGrant(target, right, lower(trustee), autoMapping, "admin"));
  }

  adminRemoveGrant(mailbox: string, right: Right, trustee: string): void {
    const target = lower(mailbox);
    this.run.admin("removeGrant", target, { right, trustee }, () => this.rules.removeGrant(target, right, lower(trustee), "admin"));
  }

  /** Sign-in on or off. Also for directory-synced users: it models the change made on premises. */
  adminSetAccountEnabled(userPrincipalName: string, enabled: boolean): void {
    const upn = lower(userPrincipalName);
    this.run.admin("setAccountEnabled", upn, { enabled }, () => this.rules.signIn(upn, enabled, "admin"));
  }

  /** Assign or remove one license. Seats and usage location still apply; the conservative shared-mailbox refusal does not. */
  adminLicense(userPrincipalName: string, action: "add" | "remove", sku: string): void {
    const upn = lower(userPrincipalName);
    this.run.admin("license", upn, { action, sku }, () => this.rules.changeLicenses(upn, action === "add" ? [sku] : [], action === "remove" ? [sku] : [], "admin"));
  }

  adminConvert(address: string, type: "shared" | "regular"): void {
    const target = lower(address);
    this.run.admin("convert", target, { type }, () => this.rules.convert(target, type, "admin"));
  }

  /** Soft-delete a user and the mailbox it anchors, even a shared mailbox's anchor (Graph allows it, R2.2). */
  adminDeleteUser(userPrincipalName: string): void {
    const upn = lower(userPrincipalName);
    this.run.admin("deleteUser", upn, {}, () => this.rules.softDeleteUser(this.rules.requireLiveUser(upn).id));
  }

  /** Purge a soft-deleted user (and its mailbox) from the recycle bin now. `who` is an id or a UPN. */
  adminPurgeUser(who: string): void {
    this.run.admin("purgeUser", who, {}, () => this.rules.purgeDeletedUser(who));
  }

  /** Set one custom attribute as a person in the portal would (Set-Mailbox -CustomAttribute3 "DEPT-42"); null clears it. */
  adminSetCustomAttribute(address: string, attribute: ManagementAttribute, value: string | null): void {
    const target = lower(address);
    const n = attributeNumber(attribute);
    if (n === null) throw new UserError(`"${attribute}" is not one of CustomAttribute1..CustomAttribute15`, "usage");
    this.run.admin("setCustomAttribute", target, { attribute: attributeName(n), value }, () => this.rules.setCustomAttribute(target, n, value));
  }

  /** Create a mail-enabled security group (no members yet), as an admin would with New-DistributionGroup -Type Security. */
  adminCreateGroup(address: string, displayName: string): ObservedGroup {
    const target = lower(address);
    return this.run.admin("createGroup", target, { displayName }, () => this.rules.createGroup(target, displayName));
  }

  /** Add a live user to a group, or remove one (Add-/Remove-DistributionGroupMember). */
  adminGroupMember(address: string, action: "add" | "remove", userPrincipalName: string): ObservedGroup {
    const target = lower(address);
    const upn = lower(userPrincipalName);
    return this.run.admin(action === "add" ? "addGroupMember" : "removeGroupMember", target, { member: upn }, () =>
      action === "add" ? this.rules.addGroupMember(target, upn) : this.rules.removeGroupMember(target, upn),
    );
  }

  /** Delete a group and the grants it held (no recycle bin for security groups); no user account is touched. */
  adminDeleteGroup(address: string): void {
    const target = lower(address);
    this.run.admin("deleteGroup", target, {}, () => this.rules.deleteGroup(target));
  }

  adminSetMailboxSize(address: string, sizeBytes: number): void {
    const target = lower(address);
    this.run.admin("setMailboxSize", target, { sizeBytes }, () => this.rules.setMailboxSize(target, sizeBytes));
  }

  // ---------------------------------------------------------------- settings, fixture, logs

  timing(): TimingSettings {
    return this.store.timing();
  }

  setTiming(change: Partial<TimingSettings>): void {
    this.run.admin("setTiming", "settings", change, () => this.store.q.setMeta.run("timing", JSON.stringify({ ...this.store.timing(), ...change })));
  }

  faults(): FaultSettings {
    return this.run.faults();
  }

  /** Change fault settings; a new seed (or burst) restarts the PRNG and the bucket. */
  setFaults(change: Partial<FaultSettings>): FaultSettings {
    return this.run.setFaults(change);
  }

  clearFaults(): void {
    this.run.clearFaults();
  }

  /** Replace the whole tenant with `fixture` (validated). Logged as admin.seed. */
  seed(fixture: TenantFixture): void {
    replaceState(this.store, this.run, validateFixture(fixture, "<fixture>"));
  }

  /** The operation log, oldest first. */
  readLog(options: ReadLogOptions = {}): LogEntry[] {
    return this.run.readLog(options);
  }

  /** The whole tenant as a fixture document (the format `tenant init --fixture` reads). */
  exportFixture(): TenantFixture {
    return exportFixture(this.store, this.run);
  }

  /**
   * Record one request served by the local HTTPS endpoint: one INSERT outside
   * any write transaction, no faults, not in the operation log. Another
   * process reads it with readRequests (`exoform tenant log`).
   */
  logRequest(entry: Omit<RequestLogEntry, "seq">): void {
    this.store.logRequest(entry);
  }

  /** The request log, oldest first: entries after `afterSeq`, the last `limit` of them. */
  readRequests(options: ReadRequestsOptions = {}): RequestLogEntry[] {
    return this.store.readRequests(options);
  }
}

/** A mailbox's non-empty custom attributes by name, e.g. { CustomAttribute3: "DEPT-42" }. */
export type CustomAttributes = Readonly<Partial<Record<ManagementAttribute, string>>>;

/** number -> value as { CustomAttributeN: value }, in number order. */
function named(values: ReadonlyMap<number, string>): CustomAttributes {
  return Object.fromEntries([...values].sort(([a], [b]) => a - b).map(([n, value]) => [attributeName(n), value]));
}

// ------------------------------------------------------------------ atomic creation (create)

/** The -wal, -shm and -journal files SQLite may leave beside `path`. */
function removeSidecars(path: string): void {
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
}

/** fsync a file, or a folder (so a rename in it is durable; not every platform allows that, which is then skipped). */
function fsyncPath(path: string, folder = false): void {
  let fd: number;
  try {
    fd = openSync(path, folder ? "r" : "r+");
  } catch (e) {
    if (folder) return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!folder) throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Fold the WAL of the existing database at `path` into its main file and
 * remove the -wal and -shm, so that the file about to be renamed over it
 * never meets a stale WAL (SQLite would replay it into the new tenant). The
 * old tenant stays whole: the checkpoint syncs its main file before the WAL
 * goes. A file SQLite cannot open is no tenant any command accepts; its
 * sidecars are removed as they are.
 */
function settleWal(path: string): void {
  if (existsSync(`${path}-wal`)) {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { fileMustExist: true });
      db.pragma("busy_timeout = 5000");
      db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // not a database: nothing in its WAL can be kept
    } finally {
      db?.close();
    }
  }
  for (const suffix of ["-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
}
