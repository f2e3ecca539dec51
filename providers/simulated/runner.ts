/**
 * The simulated tenant's runner: how every call runs. It owns the tenant
 * clock, the transactions, fault injection, the operation log and the
 * ProviderErrors of the operation being run.
 *
 * - read: inject read failures (bulk reads), the body in one snapshot.
 * - write: latency, then ONE transaction holding fault bookkeeping, the change
 *   (in a savepoint, rolled back if refused) and its log entry; crashes.
 * - admin: an out-of-band edit: no faults, one transaction, logged as admin.*.
 *
 * Several processes may use the file at once (db.ts). A read never writes:
 * it runs in a read transaction (BEGIN DEFERRED, WAL: a snapshot, no lock a
 * writer waits for), so it never fails because a writer is busy, and works
 * on a read-only file. A write transaction begins with BEGIN IMMEDIATE: it
 * takes the write lock first, waiting up to the busy timeout for another
 * writer, instead of upgrading a snapshot later (which fails at once when
 * another process wrote meanwhile). When the wait runs out, the call fails
 * with a transient TenantBusy ProviderError naming the file; a read-only file
 * gives TenantReadOnly, a damaged one a UserError saying how to keep its data.
 *
 * Time is the tenant's: virtual by default (stored in meta.clock, advanced by
 * clock.sleep and advanceClock, so tests and demos never wait), or real (wall
 * time, offset from the stored time). Inside a transaction the virtual clock
 * is read once. Time-driven events are applied lazily at the start of each
 * call (settle), by the rules' `dueEvents`: a write transaction stores them
 * (at most once per tenant time); a read only shows them (Store.showUnsettled:
 * it reads as if they were stored), after storing them first in a write
 * transaction of its own when the write lock is free at once.
 */
import { basename, dirname } from "node:path";
import { setTimeout as sleepReal } from "node:timers/promises";
import { UserError } from "../../lib/diagnostics/errors.js";
import type { TenantClock } from "../../lib/provider/provider.js";
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
import { isBusy, isDamaged, isReadOnly } from "./db.js";
import { decideWrite, initialFaultState, type FaultState } from "./faults.js";
import { DEFAULT_FAULTS, type FaultSettings } from "./fixture.js";
import type { Store } from "./store.js";

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

export type ClockMode = "virtual" | "real";

type Outcome<T> = { ok: true; value: T; crash: boolean } | { ok: false; error: ProviderError };

export class Runner {
  readonly clock: TenantClock;
  /** Real clock: wall time at open, and the tenant time it maps to. */
  private wallStart = Date.now();
  private tenantStart: number;
  private lastSettled = Number.NaN;
  /** The virtual clock as read once at the start of the current transaction(); null outside one (no other writer can move it meanwhile). */
  private txClock: number | null = null;
  /** Virtual time this process waited (clock.sleep) while the file was busy or read-only: stored by its next write transaction. */
  private unstoredAdvance = 0;
  /** The operation being run, for error objects. */
  private current = { operation: "", target: "" };
  /** Runs fn in a read transaction (BEGIN DEFERRED; a savepoint when nested); made once, as better-sqlite3's db.transaction() is costly per call (bench/). */
  private readonly inTx: <T>(fn: () => T) => T;
  /** Runs fn in a write transaction: BEGIN IMMEDIATE takes the write lock before anything is read (a savepoint when nested). */
  private readonly inWriteTx: <T>(fn: () => T) => T;
  /** The kind of the outermost transaction() running, null outside one. */
  private txKind: "read" | "write" | null = null;
  /** The connection's busy timeout (db.ts), restored after a try that must not wait. */
  private readonly busyTimeoutMs: number;

  /** `dueEvents(now)` applies the time-driven events due at tenant time `now` (rules.ts). */
  constructor(
    private readonly store: Store,
    readonly clockMode: ClockMode,
    private readonly dueEvents: (now: number) => void,
  ) {
    const tx = store.db.transaction((fn: () => unknown) => fn());
    this.inTx = tx as <T>(fn: () => T) => T;
    this.inWriteTx = tx.immediate as <T>(fn: () => T) => T;
    this.busyTimeoutMs = Number(store.db.pragma("busy_timeout", { simple: true }));
    this.tenantStart = Number(store.meta("clock"));
    this.clock = {
      now: async () => new Date(this.nowMs()),
      sleep: async (ms: number) => {
        if (ms <= 0) return;
        if (this.clockMode === "real") await sleepReal(ms);
        else {
          // store the time reached if the write lock is free at once; else (busy, read-only) it is this
          // process's until its next write stores it: a wait never waits for, or fails on, the file
          const target = this.nowMs() + ms;
          if (!this.withoutWaiting(() => this.setClock(target))) this.unstoredAdvance += ms;
        }
      },
    };
  }

  /** True inside a write transaction: the time-driven events due are stored, not just shown (rules.ts). */
  get writing(): boolean {
    return this.txKind === "write";
  }

  // ---------------------------------------------------------------- clock

  /** The tenant time in ms. */
  nowMs(): number {
    if (this.clockMode === "real") return this.tenantStart + (Date.now() - this.wallStart);
    return (this.txClock ?? Number(this.store.q.getMeta.pluck().get("clock"))) + this.unstoredAdvance;
  }

  /** The tenant time is now `ms` (stored in the transaction running, if any). */
  setClock(ms: number): void {
    this.store.q.setMeta.run("clock", String(ms));
    if (this.txClock !== null) this.txClock = ms;
    this.unstoredAdvance = 0;
    this.tenantStart = ms;
    this.wallStart = Date.now();
  }

  /**
   * Real clock: store the time reached, so the next process carries on from it. Outside a
   * transaction (closing) only when that costs no wait: a reader never waits for, or fails on, a
   * busy or read-only file for this (a writer stores the time with each write anyway).
   */
  persistRealClock(): void {
    if (this.clockMode !== "real") return;
    if (this.txKind !== null) this.setClock(this.nowMs());
    else this.withoutWaiting(() => this.setClock(this.nowMs()));
  }

  // ---------------------------------------------------------------- errors

  /** A ProviderError of the current operation. */
  error(kind: ProviderErrorKind, code: string, message: string, retryAfterMs?: number): ProviderError {
    return new ProviderError({ kind, code, message, operation: this.current.operation, target: this.current.target, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  /** Throw a ProviderError for the current operation. */
  refuse(kind: ProviderErrorKind, code: string, message: string, retryAfterMs?: number): never {
    throw this.error(kind, code, message, retryAfterMs);
  }

  /** Run `fn`, turning SQLite's busy, read-only and damaged-file errors into errors that name the file and the fix. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.fileError(e);
    }
  }

  private fileError(e: unknown): unknown {
    const file = this.store.db.name;
    if (isBusy(e)) {
      const waited = this.busyTimeoutMs >= 1000 ? `${Math.round(this.busyTimeoutMs / 100) / 10} s` : `${this.busyTimeoutMs} ms`;
      return this.error(
        "transient",
        "TenantBusy",
        `the tenant file ${file} is busy: another process (an apply, exoform tenant set, ...) held its write lock longer than the ${waited} this call waits; ` +
          "this call changed nothing. Let that process finish, then run the command again (apply retries by itself a few times); " +
          "EXOFORM_TENANT_BUSY_TIMEOUT_MS sets how long to wait, in ms",
      );
    }
    if (isReadOnly(e)) {
      const dir = dirname(file);
      return this.error(
        "forbidden",
        "TenantReadOnly",
        `the tenant file ${file} is read-only for this process (the file, its -wal or -shm companion, or the folder ${dir}): it can be read but not changed. ` +
          `Make them writable (chmod u+w ${file} ${file}-wal ${file}-shm ${dir}), or copy the tenant to a writable folder (cp ${file}* <folder>/) and pass --tenant <folder>/${basename(file)}`,
      );
    }
    if (isDamaged(e)) {
      return new UserError([{
        severity: "error",
        code: "tenant_damaged",
        target: file,
        message:
          `the tenant file is damaged (${(e as Error).message}). Keep a copy of it, with its -wal file if there is one, before anything else (cp ${file} ${file}.damaged; cp ${file}-wal ${file}.damaged-wal); ` +
          `exoform tenant export --tenant ${file} > tenant-saved.json may still save what can be read, and exoform tenant init --fixture tenant-saved.json --tenant ${file} --force then recreates the tenant from it; ` +
          "start over from a fixture (--fixture contoso, or your own) only if nothing could be saved",
      }]);
    }
    return e;
  }

  /** Name another target for the errors of the current operation (restoreUser: the id resolves to a UPN). */
  retarget(target: string): void {
    this.current.target = target;
  }

  // ---------------------------------------------------------------- log

  log(operation: string, target: string, args: unknown, error: ProviderError | null): void {
    this.store.q.insertLog.run(this.nowMs(), operation, target, JSON.stringify(args ?? {}), error ? "error" : "ok", error?.kind ?? null, error?.code ?? null, error?.message ?? null);
  }

  /** The operation log, oldest first (with the time-driven events due now, when the write lock is free to store them). */
  readLog(options: ReadLogOptions = {}): LogEntry[] {
    this.current = { operation: "readLog", target: "" };
    return this.guard(() => {
      this.store.showUnsettled(null);
      this.settleIfFree();
      return this.logEntries(options);
    });
  }

  private logEntries(options: ReadLogOptions): LogEntry[] {
    const rows = this.store.q.logAfter.all({ after: options.afterSeq ?? 0, operation: options.operation ?? null }) as Array<{
      seq: number; at: number; operation: string; target: string; args: string; outcome: "ok" | "error";
      kind: ProviderErrorKind | null; code: string | null; message: string | null;
    }>;
    const picked = options.limit !== undefined ? rows.slice(Math.max(0, rows.length - options.limit)) : rows;
    return picked.map((r) => ({ ...r, at: new Date(r.at).toISOString(), args: JSON.parse(r.args) as unknown }));
  }

  // ---------------------------------------------------------------- faults

  faults(): FaultSettings {
    return { ...DEFAULT_FAULTS, ...(JSON.parse(this.store.tryMeta("faults") ?? "{}") as Partial<FaultSettings>) };
  }

  /** Change fault settings; a new seed (or burst) restarts the PRNG and the bucket. */
  setFaults(change: Partial<FaultSettings>): FaultSettings {
    return this.admin("setFaults", "faults", change, () => {
      const next: FaultSettings = { ...this.faults(), ...change };
      this.store.q.setMeta.run("faults", JSON.stringify(next));
      if (change.seed !== undefined || change.burst !== undefined || change.writesPerSecond !== undefined || this.store.tryMeta("faultState") === undefined) {
        this.store.q.setMeta.run("faultState", JSON.stringify(initialFaultState(next)));
      }
      return next;
    });
  }

  clearFaults(): void {
    this.admin("clearFaults", "faults", {}, () => {
      this.store.q.setMeta.run("faults", JSON.stringify(DEFAULT_FAULTS));
      this.store.q.setMeta.run("faultState", JSON.stringify(initialFaultState(DEFAULT_FAULTS)));
    });
  }

  private faultState(settings: FaultSettings): FaultState {
    const raw = this.store.tryMeta("faultState");
    return raw === undefined ? initialFaultState(settings) : (JSON.parse(raw) as FaultState);
  }

  // ---------------------------------------------------------------- settle

  /**
   * Bring the transaction running to the time-driven events due now (rules' dueEvents): a write
   * transaction stores them, once per tenant time; a read transaction (the runner's, or one a
   * caller opened: exportFixture) only shows them (Store.showUnsettled), never writes. Call it
   * first in the transaction.
   */
  settle(): void {
    this.store.showUnsettled(null);
    const now = this.nowMs();
    if (now === this.lastSettled) return;
    this.dueEvents(now);
    // stored, or nothing was due: nothing is left to do at this time (what a write creates falls due later)
    if (this.writing || this.store.unsettled === null) this.lastSettled = now;
  }

  /** The tenant changed under the settle marker (seed): settle again on the next call. */
  forgetSettled(): void {
    this.lastSettled = Number.NaN;
  }

  /**
   * Before a read: store the time-driven events due now in a write transaction of their own, but
   * only if the write lock is free at once and the file writable; otherwise the read shows them
   * without storing (settle), and a later write stores them.
   */
  private settleIfFree(): void {
    if (this.txKind !== null || this.store.db.inTransaction) return;
    this.settle(); // outside a write transaction: shows them, so we learn whether any is due
    const due = this.store.unsettled !== null;
    this.store.showUnsettled(null);
    if (due) this.storeDueEvents();
  }

  /** Store the time-driven events due now in a write transaction of their own, if the write lock is free at once. */
  private storeDueEvents(): void {
    this.store.showUnsettled(null);
    this.withoutWaiting(() => this.transaction("write", () => this.settle()));
  }

  /** Run `fn` (a write) with no busy wait; false when the lock is taken or the file read-only. */
  private withoutWaiting(fn: () => void): boolean {
    const db = this.store.db;
    db.pragma("busy_timeout = 0"); // applied when prepared (a prepared PRAGMA statement does not apply again): ~3 µs each
    try {
      fn();
      return true;
    } catch (e) {
      if (isBusy(e) || isReadOnly(e)) return false;
      throw e;
    } finally {
      db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  // ---------------------------------------------------------------- calls

  /** A read: inject read failures (bulk reads), run `body` in one snapshot showing the time-driven events due. */
  read<T>(operation: string, bulk: boolean, body: () => T, target = ""): T {
    this.current = { operation, target };
    return this.guard(() => {
      this.store.showUnsettled(null);
      if (bulk) this.failReadIfInjected();
      // events due: store them first in a write transaction of its own, if that costs no wait (not from inside a transaction)
      let storeFirst = this.txKind === null && !this.store.db.inTransaction;
      for (;;) {
        const outcome = this.transaction("read", (): Outcome<T> | null => {
          this.settle();
          if (this.store.unsettled !== null && storeFirst) return null;
          try {
            return { ok: true, value: body(), crash: false };
          } catch (e) {
            if (ProviderError.is(e)) return { ok: false, error: e };
            throw e;
          } finally {
            this.store.showUnsettled(null);
          }
        });
        if (outcome === null) {
          // then read again, in a new snapshot: showing whatever could not be stored
          storeFirst = false;
          this.storeDueEvents();
          continue;
        }
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      }
    });
  }

  /** An injected read failure (faults.failReads): the countdown commits in a write transaction; the read rejects as a whole, never a partial answer. */
  private failReadIfInjected(): void {
    if (!(this.faults().failReads > 0)) return;
    const error = this.transaction("write", () => {
      this.settle();
      const faults = this.faults();
      if (!(faults.failReads > 0)) return null;
      this.store.q.setMeta.run("faults", JSON.stringify({ ...faults, failReads: faults.failReads - 1 }));
      return this.error("transient", "ServiceUnavailable", "The service is temporarily unavailable (injected read failure).");
    });
    if (error !== null) throw error;
  }

  /** Run `fn` in one transaction of `kind` (a savepoint when nested); forget the settle marker if it rolls back. */
  private transaction<T>(kind: "read" | "write", fn: () => T): T {
    const outer = this.txKind === null;
    if (!outer && kind === "write" && this.txKind === "read") throw new Error("a write transaction cannot run inside a read transaction");
    let unstored = 0;
    try {
      return (kind === "write" ? this.inWriteTx : this.inTx)(() => {
        if (outer) {
          this.txKind = kind;
          // the clock is read once per transaction, not per nowMs() call (bench: a third of a write's reads)
          if (this.clockMode === "virtual") this.txClock = Number(this.store.q.getMeta.pluck().get("clock"));
          if (kind === "write" && this.unstoredAdvance > 0) {
            unstored = this.unstoredAdvance;
            this.setClock(this.nowMs());
          }
        }
        try {
          return fn();
        } finally {
          if (outer) {
            this.txKind = null;
            this.txClock = null;
          }
        }
      });
    } catch (e) {
      this.lastSettled = Number.NaN;
      this.unstoredAdvance += unstored; // rolled back with the transaction: still to store
      throw e;
    }
  }

  /**
   * A provider write: latency, then ONE transaction holding fault bookkeeping,
   * the change (in a savepoint, rolled back if refused) and the log entry.
   */
  async write<T>(operation: string, target: string, args: unknown, body: () => T): Promise<T> {
    const q = this.store.q;
    let faults = this.faults();
    if (faults.latencyMs > 0) {
      await this.clock.sleep(faults.latencyMs);
      // read again after the sleep (nothing awaits from here to the commit): overlapping writes must each
      // see the crash countdown the previous one left, or two writes count as one
      faults = this.faults();
    }
    this.current = { operation, target };
    this.store.showUnsettled(null);
    const armedBeforeCommit = faults.crashMode === "beforeCommit" && faults.crashAfterWrites === 1;
    if (armedBeforeCommit) {
      // disarm in its own commit, so the crash below does not repeat in the next process
      this.guard(() => q.setMeta.run("faults", JSON.stringify({ ...faults, crashAfterWrites: null })));
    }
    const outcome: Outcome<T> = this.guard(() => this.transaction("write", (): Outcome<T> => {
      this.settle();
      const now = this.nowMs();
      // no throttle and no transient rate: decideWrite would neither read nor move the state, so skip its round trip (bench/)
      const inert = faults.writesPerSecond === null && !(faults.transientRate > 0);
      const state = inert ? null : this.faultState(faults);
      const decision: ReturnType<typeof decideWrite> = state === null ? { fault: null } : decideWrite(faults, state, now);
      if (state !== null) q.setMeta.run("faultState", JSON.stringify(state));
      if (decision.fault !== null) {
        const error =
          decision.fault === "throttled"
            ? this.error("throttled", "TooManyRequests", `Too many requests; retry after ${decision.retryAfterMs} ms (injected throttling).`, decision.retryAfterMs)
            : this.error("transient", "ServiceUnavailable", "The service is temporarily unavailable (injected transient failure).");
        this.log(operation, target, args, error);
        if (armedBeforeCommit) q.setMeta.run("faults", JSON.stringify(faults)); // a refused write is not a successful one: re-arm
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
          q.setMeta.run("faults", JSON.stringify({ ...faults, crashAfterWrites: remaining <= 0 ? null : remaining }));
        }
        this.persistRealClock(); // in this transaction: the next process carries on from the time reached
        return { ok: true, value, crash };
      } catch (e) {
        if (!ProviderError.is(e)) throw e;
        this.log(operation, e.target || target, args, e);
        if (armedBeforeCommit) q.setMeta.run("faults", JSON.stringify(faults)); // not a successful write: re-arm
        return { ok: false, error: e };
      }
    }));
    if (!outcome.ok) throw outcome.error;
    if (outcome.crash) {
      process.kill(process.pid, "SIGKILL"); // committed; the caller never hears of it
      process.exit(137);
    }
    return outcome.value;
  }

  /** An admin edit: no faults, one transaction, logged as admin.<operation>. Throws ProviderError when refused. */
  admin<T>(operation: string, target: string, args: unknown, body: () => T): T {
    this.current = { operation: `admin.${operation}`, target };
    this.store.showUnsettled(null);
    const outcome = this.guard(() => this.transaction("write", (): Outcome<T> => {
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
    }));
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}
