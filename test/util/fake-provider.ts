/**
 * A small, scripted, in-memory ITenantProvider for engine tests. It keeps the
 * service's write semantics that apply relies on (non-idempotent grants:
 * adding an existing one is a conflict, removing an absent one notFound;
 * mailboxes take grants only once ready), a virtual clock, a log of every
 * call, a cumulative log of every write that changed the tenant (shared
 * across `reopen()`, so a crashed and resumed apply can be checked for
 * "exactly once"), and injectable faults: throttling, transient and terminal
 * errors, crashes before or after a write, lost responses (the write lands, the
 * caller gets a transient OutcomeUnknown), gates that hold calls, and reads
 * that lag writes (an eventually consistent service, `lagReads`).
 */
import {
  ProviderError,
  type CreateSharedMailboxInput,
  type ITenantProvider,
  type ObservedGrant,
  type ObservedMailbox,
  type ObservedSku,
  type ObservedTenantInfo,
  type ObservedUser,
  type ProviderErrorInit,
  type ProviderErrorKind,
  type ReadConsistency,
  type Right,
  type TenantClock,
  type UpdateMailboxInput,
  WRITE_OPERATIONS,
} from "../../lib/provider/index.js";

const WRITES: ReadonlySet<string> = new Set(WRITE_OPERATIONS);

/** Thrown by a simulated crash: not a ProviderError, the process is "gone". */
export class CrashError extends Error {
  constructor() {
    super("simulated crash");
    this.name = "CrashError";
  }
}

export interface CallRecord {
  readonly op: string;
  readonly target: string;
  readonly args: string;
  readonly write: boolean;
  /** "ok", or the error kind / "crash". */
  outcome: string;
}

export interface FakeSeed {
  readonly tenantId?: string;
  readonly domains?: readonly string[];
  readonly now?: string;
  readonly skus?: readonly ObservedSku[];
  readonly users?: readonly ObservedUser[];
  readonly mailboxes?: readonly ObservedMailbox[];
  readonly grants?: readonly ObservedGrant[];
}

/** The tenant itself: shared by every provider opened on it (reopen after a crash). */
export interface FakeTenantState {
  tenant: ObservedTenantInfo;
  now: number;
  skus: Map<string, ObservedSku>;
  /** Live and soft-deleted users by id. */
  users: Map<string, ObservedUser>;
  /** Mailboxes by address (one per address). */
  mailboxes: Map<string, ObservedMailbox>;
  /** Grants by mailbox, then by "right\ntrustee". */
  grants: Map<string, Map<string, ObservedGrant>>;
  /** Every write that changed the tenant, in order, over all providers. */
  readonly applied: CallRecord[];
  /** Minutes a new mailbox takes to become ready. */
  createReadyMinutes: number;
  restoreReadyMinutes: number;
  nextId: number;
  /** Reads lag writes (set by lagReads): a property of the service, so it outlives a reopen. */
  lag?: ReadLag;
}

/**
 * How reads lag writes: after a write to an object (the mailbox, the user and the grants
 * named by the write's target), reads of it show the state before the write until `reads`
 * lagged point reads were answered (bulk reads show the lag without counting) or `ms` of
 * tenant time passed, whichever comes first (a
 * condition left out never ends the lag by itself). Several writes within the lag: the
 * state before the oldest, as a backend that has not caught up.
 */
export interface ReadLagSettings {
  readonly reads?: number;
  readonly ms?: number;
}

interface Lagging {
  readonly mailbox: ObservedMailbox | null;
  readonly user: ObservedUser | null;
  readonly grants: readonly ObservedGrant[];
  readonly at: number;
  served: number;
}

interface ReadLag {
  readonly settings: ReadLagSettings;
  /** By write target (mailbox address or UPN). */
  readonly lagging: Map<string, Lagging>;
}

interface Fault {
  readonly op: string | undefined;
  readonly target: string | undefined;
  remaining: number;
  readonly error: Omit<ProviderErrorInit, "operation" | "target">;
}

export function user(upn: string, init: Partial<ObservedUser> = {}): ObservedUser {
  return {
    id: init.id ?? `id-${upn}`,
    userPrincipalName: upn,
    displayName: init.displayName ?? upn.split("@")[0]!,
    accountEnabled: init.accountEnabled ?? true,
    usageLocation: init.usageLocation === undefined ? "US" : init.usageLocation,
    licenses: init.licenses ?? [],
    onPremisesSyncEnabled: init.onPremisesSyncEnabled ?? false,
    deletedAt: init.deletedAt ?? null,
  };
}

export function mailbox(address: string, init: Partial<ObservedMailbox> = {}): ObservedMailbox {
  return {
    address,
    displayName: init.displayName ?? address.split("@")[0]!,
    alias: init.alias ?? address.split("@")[0]!,
    type: init.type ?? "shared",
    userId: init.userId ?? `id-${address}`,
    sizeBytes: init.sizeBytes ?? 0,
    quotaBytes: init.quotaBytes ?? 50 * 1024 ** 3,
    litigationHold: init.litigationHold ?? false,
    archive: init.archive ?? false,
    readyAt: init.readyAt ?? null,
    deletedAt: init.deletedAt ?? null,
    managementTag: init.managementTag ?? null,
  };
}

const grantKey = (right: Right, trustee: string) => `${right}\n${trustee}`;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function seedState(seed: FakeSeed): FakeTenantState {
  const state: FakeTenantState = {
    tenant: { id: seed.tenantId ?? "contoso", domains: seed.domains ?? ["contoso.com", "contoso.onmicrosoft.com"], hybrid: false },
    now: Date.parse(seed.now ?? "2026-11-01T09:00:00Z"),
    skus: new Map((seed.skus ?? []).map((s) => [s.skuPartNumber, s])),
    users: new Map((seed.users ?? []).map((u) => [u.id, u])),
    mailboxes: new Map((seed.mailboxes ?? []).map((m) => [m.address, m])),
    grants: new Map(),
    applied: [],
    createReadyMinutes: 5,
    restoreReadyMinutes: 25,
    nextId: 1,
  };
  for (const g of seed.grants ?? []) {
    let m = state.grants.get(g.mailbox);
    if (!m) state.grants.set(g.mailbox, (m = new Map()));
    m.set(grantKey(g.right, g.trustee), g);
  }
  return state;
}

export class FakeProvider implements ITenantProvider {
  readonly name = "fake";
  readonly instance = "fake";
  /** Every call to this provider, reads included. */
  readonly calls: CallRecord[] = [];
  /** Virtual sleeps requested, in ms. */
  readonly sleeps: number[] = [];
  /** Most point reads and writes in flight at once (bulk reads, which observe() runs together, excluded). */
  maxInFlight = 0;
  maxInFlightPerTarget = 0;
  /** Macrotask yields per call, so that calls overlap. */
  latency = 1;
  crashed = false;

  private inFlight = 0;
  private readonly inFlightByTarget = new Map<string, number>();
  private readonly faults: Fault[] = [];
  private readonly lostResponses: Array<{ op: string; target: string | undefined; remaining: number }> = [];
  private writeCount = 0;
  private crashPlan: { at: number; afterApply: boolean; onCrash: () => void } | null = null;
  private readonly gates: Array<{ op: string; target: string | undefined; promise: Promise<void> }> = [];
  private callWaiters: Array<{ matches: (c: CallRecord) => boolean; resolve: () => void }> = [];
  /** Writes that must silently do nothing (a service that lies): for verification tests. */
  readonly dropWrites = new Set<string>();

  readonly clock: TenantClock = {
    now: async () => new Date(this.state.now),
    sleep: async (ms: number) => {
      if (this.crashed) throw new CrashError();
      this.sleeps.push(ms);
      this.state.now += ms;
      await new Promise<void>((r) => setImmediate(r));
    },
  };

  constructor(readonly state: FakeTenantState) {}

  static create(seed: FakeSeed = {}): FakeProvider {
    return new FakeProvider(seedState(seed));
  }

  /** A fresh provider (new call log, no faults) on the same tenant: the process after a restart. */
  reopen(): FakeProvider {
    return new FakeProvider(this.state);
  }

  /** Fail the next `times` calls of `op` (on `target`, if given) with this error, then behave. */
  fail(op: string | undefined, error: { kind: ProviderErrorKind; code?: string; message?: string; retryAfterMs?: number }, times = 1, target?: string): void {
    this.faults.push({
      op,
      target,
      remaining: times,
      error: {
        kind: error.kind,
        code: error.code ?? error.kind,
        message: error.message ?? `injected ${error.kind}`,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      },
    });
  }

  /** The next `times` writes of `op` (on `target`) land, and their caller gets a transient OutcomeUnknown (a lost response). */
  loseResponse(op: string, times = 1, target?: string): void {
    this.lostResponses.push({ op, target, remaining: times });
  }

  /** Make reads lag writes from now on (see ReadLagSettings); the provider then declares itself eventually consistent. */
  lagReads(settings: ReadLagSettings): void {
    this.state.lag = { settings, lagging: new Map() };
  }

  /** "eventual" once reads lag (lagReads), else "strong". */
  get consistency(): ReadConsistency {
    return this.state.lag ? "eventual" : "strong";
  }

  /** Crash at write number `n` (1-based): before applying it, or after (a half-run write). */
  crashAtWrite(n: number, options: { afterApply?: boolean; onCrash?: () => void } = {}): void {
    this.crashPlan = { at: n, afterApply: options.afterApply ?? false, onCrash: options.onCrash ?? (() => {}) };
  }

  /** Hold calls of `op` (on `target`) until the returned function is called. */
  hold(op: string, target?: string): () => void {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.gates.push({ op, target, promise });
    return release;
  }

  /**
   * Resolves once this provider has received a call of `op` (on `target`), made already or to come: a
   * test waits for the apply to reach a point instead of guessing how long that takes on a busy machine.
   */
  called(op: string, target?: string): Promise<void> {
    const matches = (c: CallRecord) => c.op === op && (target === undefined || c.target === target);
    if (this.calls.some(matches)) return Promise.resolve();
    return new Promise<void>((resolve) => this.callWaiters.push({ matches, resolve }));
  }

  /** Writes of this provider, as "op target args". */
  writes(): string[] {
    return this.calls.filter((c) => c.write && c.outcome === "ok").map((c) => `${c.op} ${c.target} ${c.args}`);
  }

  private check(op: string, target: string): void {
    if (this.crashed) throw new CrashError();
    const i = this.faults.findIndex((f) => (f.op === undefined || f.op === op) && (f.target === undefined || f.target === target) && f.remaining > 0);
    if (i < 0) return;
    const f = this.faults[i]!;
    f.remaining--;
    throw new ProviderError({ ...f.error, operation: op, target });
  }

  private async call<T>(op: string, target: string, args: unknown, body: () => T): Promise<T> {
    const write = WRITES.has(op);
    const record: CallRecord = { op, target, args: JSON.stringify(args), write, outcome: "ok" };
    this.calls.push(record);
    if (this.callWaiters.length > 0) this.callWaiters = this.callWaiters.filter((w) => (w.matches(record) ? (w.resolve(), false) : true));
    const perTarget = (this.inFlightByTarget.get(target) ?? 0) + 1;
    if (target !== "") {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      this.inFlightByTarget.set(target, perTarget);
      this.maxInFlightPerTarget = Math.max(this.maxInFlightPerTarget, perTarget);
    }
    try {
      for (let i = 0; i < this.latency; i++) await new Promise<void>((r) => setImmediate(r));
      for (const g of this.gates) if (g.op === op && (g.target === undefined || g.target === target)) await g.promise;
      this.check(op, target);
      let crashAfter = false;
      if (write && this.crashPlan !== null && ++this.writeCount === this.crashPlan.at) {
        if (!this.crashPlan.afterApply) {
          this.crashNow();
        }
        crashAfter = true;
      }
      const before = write && this.state.lag ? this.snapshot(target) : null;
      const value = write && this.dropWrites.has(op) ? (undefined as T) : body();
      if (before !== null) this.startLag(target, before);
      if (write) this.state.applied.push(record);
      if (crashAfter) this.crashNow();
      const lost = write ? this.lostResponses.find((l) => l.op === op && (l.target === undefined || l.target === target) && l.remaining > 0) : undefined;
      if (lost) {
        lost.remaining--;
        throw this.err("transient", "OutcomeUnknown", `${op} ${target}: the response was lost after the write was sent; whether it ran is unknown`, op, target);
      }
      return value;
    } catch (e) {
      record.outcome = e instanceof CrashError ? "crash" : ProviderError.is(e) ? e.kind : "error";
      throw e;
    } finally {
      if (target !== "") {
        this.inFlight--;
        this.inFlightByTarget.set(target, (this.inFlightByTarget.get(target) ?? 1) - 1);
      }
    }
  }

  private crashNow(): never {
    this.crashed = true;
    this.crashPlan!.onCrash();
    throw new CrashError();
  }

  private err(kind: ProviderErrorKind, code: string, message: string, operation: string, target: string): ProviderError {
    return new ProviderError({ kind, code, message, operation, target });
  }

  // ------------------------------------------------------------ read lag

  private snapshot(target: string): Omit<Lagging, "at" | "served"> {
    const m = this.state.mailboxes.get(target);
    return { mailbox: m ? { ...m } : null, user: this.liveUser(target) ?? null, grants: [...(this.state.grants.get(target)?.values() ?? [])] };
  }

  private startLag(target: string, before: Omit<Lagging, "at" | "served">): void {
    const lag = this.state.lag!;
    // a write while an older one still lags: readers keep seeing the state before the oldest
    if (this.lagFor(target, false) !== null) return;
    lag.lagging.set(target, { ...before, at: this.state.now, served: 0 });
  }

  /** The lagging before-state of `target`, or null when reads show it as it is; `serve` counts one lagged answer. */
  private lagFor(target: string, serve: boolean): Lagging | null {
    const lag = this.state.lag;
    const entry = lag?.lagging.get(target);
    if (!lag || !entry) return null;
    const { reads, ms } = lag.settings;
    if ((reads !== undefined && entry.served >= reads) || (ms !== undefined && this.state.now >= entry.at + ms)) {
      lag.lagging.delete(target);
      return null;
    }
    if (serve) entry.served++;
    return entry;
  }

  /** For a bulk read: every lagging target (a bulk read does not count as one of an object's lagged reads). */
  private laggingTargets(): Map<string, Lagging> {
    const out = new Map<string, Lagging>();
    for (const target of [...(this.state.lag?.lagging.keys() ?? [])]) {
      const entry = this.lagFor(target, false);
      if (entry) out.set(target, entry);
    }
    return out;
  }

  // ------------------------------------------------------------ lookups

  private liveUser(upn: string): ObservedUser | undefined {
    for (const u of this.state.users.values()) if (u.userPrincipalName === upn && u.deletedAt === null) return u;
    return undefined;
  }

  private liveMailbox(address: string, op: string): ObservedMailbox {
    const m = this.state.mailboxes.get(address);
    if (!m || m.deletedAt !== null) throw this.err("notFound", "ManagementObjectNotFound", `the operation couldn't be performed because object '${address}' couldn't be found`, op, address);
    return m;
  }

  private readyMailbox(address: string, op: string): ObservedMailbox {
    const m = this.liveMailbox(address, op);
    if (m.readyAt !== null && Date.parse(m.readyAt) > this.state.now) {
      throw this.err("precondition", "MailboxNotReady", `mailbox '${address}' is still being provisioned`, op, address);
    }
    return m;
  }

  private grantsOf(address: string): Map<string, ObservedGrant> {
    let m = this.state.grants.get(address);
    if (!m) this.state.grants.set(address, (m = new Map()));
    return m;
  }

  private addGrant(op: string, address: string, right: Right, trustee: string, autoMapping?: boolean): void {
    this.readyMailbox(address, op);
    if (!this.liveUser(trustee)) throw this.err("precondition", "InvalidTrustee", `the user '${trustee}' was not found in the tenant`, op, address);
    const grants = this.grantsOf(address);
    if (grants.has(grantKey(right, trustee))) throw this.err("conflict", "ACEAlreadyExists", `${trustee} already has ${right} on ${address}`, op, address);
    grants.set(grantKey(right, trustee), { mailbox: address, right, trustee, ...(autoMapping !== undefined ? { autoMapping } : {}) });
  }

  private removeGrant(op: string, address: string, right: Right, trustee: string): void {
    this.liveMailbox(address, op);
    if (!this.grantsOf(address).delete(grantKey(right, trustee))) {
      throw this.err("notFound", "ACENotFound", `the ACE doesn't exist on the object (${right} ${trustee})`, op, address);
    }
  }

  private setUser(u: ObservedUser, patch: Partial<ObservedUser>): ObservedUser {
    const next = { ...u, ...patch };
    this.state.users.set(u.id, next);
    return next;
  }

  // ------------------------------------------------------------ bulk reads

  readTenant(): Promise<ObservedTenantInfo> {
    return this.call("readTenant", "", null, () => this.state.tenant);
  }
  listSkus(): Promise<ObservedSku[]> {
    return this.call("listSkus", "", null, () => [...this.state.skus.values()].sort((a, b) => cmp(a.skuPartNumber, b.skuPartNumber)));
  }
  listUsers(): Promise<ObservedUser[]> {
    return this.call("listUsers", "", null, () => {
      const lagging = this.laggingTargets();
      const ids = new Set([...lagging.values()].flatMap((l) => (l.user ? [l.user.id] : [])));
      const users = [...this.state.users.values()].filter((u) => !ids.has(u.id) && !(u.deletedAt === null && lagging.has(u.userPrincipalName)));
      for (const l of lagging.values()) if (l.user) users.push(l.user);
      return users.sort((a, b) => cmp(a.userPrincipalName, b.userPrincipalName) || cmp(a.id, b.id));
    });
  }
  listMailboxes(): Promise<ObservedMailbox[]> {
    return this.call("listMailboxes", "", null, () => {
      const lagging = this.laggingTargets();
      const mailboxes = [...this.state.mailboxes.values()].filter((m) => !lagging.has(m.address));
      for (const l of lagging.values()) if (l.mailbox) mailboxes.push(l.mailbox);
      return mailboxes.sort((a, b) => cmp(a.address, b.address));
    });
  }
  listGrants(): Promise<ObservedGrant[]> {
    return this.call("listGrants", "", null, () => {
      const lagging = this.laggingTargets();
      const all: ObservedGrant[] = [];
      for (const [address, m] of this.state.grants) if (!lagging.has(address)) all.push(...m.values());
      for (const l of lagging.values()) all.push(...l.grants);
      return all.sort((a, b) => cmp(a.mailbox, b.mailbox) || cmp(a.right, b.right) || cmp(a.trustee, b.trustee));
    });
  }

  // ------------------------------------------------------------ point reads

  getMailbox(address: string): Promise<ObservedMailbox | null> {
    return this.call("getMailbox", address, null, () => {
      const lagging = this.lagFor(address, true);
      return lagging ? lagging.mailbox : (this.state.mailboxes.get(address) ?? null);
    });
  }
  getUser(upn: string): Promise<ObservedUser | null> {
    return this.call("getUser", upn, null, () => {
      const lagging = this.lagFor(upn, true);
      return lagging ? lagging.user : (this.liveUser(upn) ?? null);
    });
  }
  getGrants(address: string): Promise<ObservedGrant[]> {
    return this.call("getGrants", address, null, () => {
      const lagging = this.lagFor(address, true);
      return [...(lagging ? lagging.grants : (this.state.grants.get(address)?.values() ?? []))];
    });
  }

  // ------------------------------------------------------------ writes

  createSharedMailbox(input: CreateSharedMailboxInput): Promise<ObservedMailbox> {
    const op = "createSharedMailbox";
    return this.call(op, input.address, input, () => {
      const existing = this.state.mailboxes.get(input.address);
      if ((existing && existing.deletedAt === null) || this.liveUser(input.address)) {
        throw this.err("conflict", "ProxyAddressExists", `the proxy address "SMTP:${input.address}" is already being used`, op, input.address);
      }
      const id = `new-${this.state.nextId++}`;
      this.state.users.set(id, user(input.address, { id, displayName: input.displayName, usageLocation: null }));
      const m = mailbox(input.address, {
        displayName: input.displayName,
        alias: input.alias ?? input.address.split("@")[0]!,
        userId: id,
        readyAt: new Date(this.state.now + this.state.createReadyMinutes * 60_000).toISOString(),
      });
      this.state.mailboxes.set(input.address, m);
      return m;
    });
  }

  setMailboxType(address: string, type: "shared" | "regular"): Promise<ObservedMailbox> {
    const op = "setMailboxType";
    return this.call(op, address, type, () => {
      const m = this.readyMailbox(address, op);
      const next = { ...m, type: type === "shared" ? ("shared" as const) : ("user" as const) };
      this.state.mailboxes.set(address, next);
      return next;
    });
  }

  updateMailbox(address: string, input: UpdateMailboxInput): Promise<ObservedMailbox> {
    const op = "updateMailbox";
    return this.call(op, address, input, () => {
      const { emailAddresses: change, ...fields } = input;
      const m = this.liveMailbox(address, op);
      const kept = (m.emailAddresses ?? []).filter((a) => !change?.remove.includes(a));
      const next = { ...m, ...fields, ...(change ? { emailAddresses: [...kept, ...change.add].sort() } : {}) };
      this.state.mailboxes.set(address, next);
      return next;
    });
  }

  removeMailbox(address: string): Promise<void> {
    const op = "removeMailbox";
    return this.call(op, address, null, () => {
      const m = this.liveMailbox(address, op);
      const at = new Date(this.state.now).toISOString();
      this.state.mailboxes.set(address, { ...m, deletedAt: at });
      const u = this.state.users.get(m.userId);
      if (u) this.setUser(u, { deletedAt: at });
    });
  }

  addMailboxPermission(address: string, trustee: string, options: { readonly autoMapping: boolean }): Promise<void> {
    return this.call("addMailboxPermission", address, [trustee, options.autoMapping], () =>
      this.addGrant("addMailboxPermission", address, "FullAccess", trustee, options.autoMapping),
    );
  }
  removeMailboxPermission(address: string, trustee: string): Promise<void> {
    return this.call("removeMailboxPermission", address, trustee, () => this.removeGrant("removeMailboxPermission", address, "FullAccess", trustee));
  }
  addRecipientPermission(address: string, trustee: string): Promise<void> {
    return this.call("addRecipientPermission", address, trustee, () => this.addGrant("addRecipientPermission", address, "SendAs", trustee));
  }
  removeRecipientPermission(address: string, trustee: string): Promise<void> {
    return this.call("removeRecipientPermission", address, trustee, () => this.removeGrant("removeRecipientPermission", address, "SendAs", trustee));
  }
  setSendOnBehalf(address: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<void> {
    const op = "setSendOnBehalf";
    return this.call(op, address, change, () => {
      for (const t of change.add) this.addGrant(op, address, "SendOnBehalf", t);
      for (const t of change.remove) this.removeGrant(op, address, "SendOnBehalf", t);
    });
  }

  assignLicense(upn: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<ObservedUser> {
    const op = "assignLicense";
    return this.call(op, upn, change, () => {
      const u = this.liveUser(upn);
      if (!u) throw this.err("notFound", "Request_ResourceNotFound", `resource '${upn}' does not exist`, op, upn);
      for (const sku of change.add) {
        if (!this.state.skus.has(sku)) throw this.err("precondition", "InvalidSku", `license ${sku} is not subscribed`, op, upn);
      }
      for (const sku of change.remove) {
        if (!u.licenses.includes(sku)) throw this.err("precondition", "LicenseNotAssigned", `user does not have license ${sku}`, op, upn);
      }
      const licenses = [...new Set([...u.licenses.filter((l) => !change.remove.includes(l)), ...change.add])].sort();
      return this.setUser(u, { licenses });
    });
  }

  setAccountEnabled(upn: string, enabled: boolean): Promise<ObservedUser> {
    const op = "setAccountEnabled";
    return this.call(op, upn, enabled, () => {
      const u = this.liveUser(upn);
      if (!u) throw this.err("notFound", "Request_ResourceNotFound", `resource '${upn}' does not exist`, op, upn);
      if (u.onPremisesSyncEnabled) throw this.err("precondition", "Request_BadRequest", "cannot update a directory-synced user", op, upn);
      return this.setUser(u, { accountEnabled: enabled });
    });
  }

  setUsageLocation(upn: string, usageLocation: string): Promise<ObservedUser> {
    const op = "setUsageLocation";
    return this.call(op, upn, usageLocation, () => {
      const u = this.liveUser(upn);
      if (!u) throw this.err("notFound", "Request_ResourceNotFound", `resource '${upn}' does not exist`, op, upn);
      return this.setUser(u, { usageLocation });
    });
  }

  resetPassword(upn: string): Promise<void> {
    const op = "resetPassword";
    return this.call(op, upn, null, () => {
      if (!this.liveUser(upn)) throw this.err("notFound", "Request_ResourceNotFound", `resource '${upn}' does not exist`, op, upn);
    });
  }

  // issue #13 writes: what the planner does not plan yet, kept minimal (test/providers/conformance.ts holds providers to them)
  setPrimaryAddress(address: string, newAddress: string): Promise<ObservedMailbox> {
    const op = "setPrimaryAddress";
    return this.call(op, address, newAddress, () => {
      const m = this.liveMailbox(address, op);
      const next = { ...m, address: newAddress, emailAddresses: [...(m.emailAddresses ?? []), address].sort() };
      this.state.mailboxes.delete(address);
      this.state.mailboxes.set(newAddress, next);
      return next;
    });
  }

  setUserPrincipalName(upn: string, newUpn: string): Promise<ObservedUser> {
    const op = "setUserPrincipalName";
    return this.call(op, upn, newUpn, () => {
      const u = this.liveUser(upn);
      if (!u) throw this.err("notFound", "Request_ResourceNotFound", `resource '${upn}' does not exist`, op, upn);
      return this.setUser(u, { userPrincipalName: newUpn });
    });
  }

  revokeSignInSessions(userId: string): Promise<void> {
    const op = "revokeSignInSessions";
    return this.call(op, userId, null, () => {
      const u = this.state.users.get(userId);
      if (!u || u.deletedAt !== null) throw this.err("notFound", "Request_ResourceNotFound", `resource '${userId}' does not exist`, op, userId);
      this.setUser(u, { sessionsRevokedAt: new Date(this.state.now).toISOString() });
    });
  }

  restoreUser(userId: string): Promise<ObservedUser> {
    const op = "restoreUser";
    const target = this.state.users.get(userId)?.userPrincipalName ?? userId;
    return this.call(op, target, userId, () => {
      const u = this.state.users.get(userId);
      if (!u || u.deletedAt === null) throw this.err("notFound", "Request_ResourceNotFound", `deleted object '${userId}' not found`, op, target);
      if (this.liveUser(u.userPrincipalName)) throw this.err("conflict", "ObjectConflict", `another object with UPN ${u.userPrincipalName} exists`, op, target);
      const restored = this.setUser(u, { deletedAt: null });
      for (const m of this.state.mailboxes.values()) {
        if (m.userId === userId) {
          this.state.mailboxes.set(m.address, {
            ...m,
            deletedAt: null,
            readyAt: new Date(this.state.now + this.state.restoreReadyMinutes * 60_000).toISOString(),
          });
        }
      }
      return restored;
    });
  }
}
