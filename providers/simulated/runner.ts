/**
 * The simulated tenant's runner: how every call runs. It owns the tenant
 * clock, the transactions, fault injection, the operation log and the
 * ProviderErrors of the operation being run.
 *
 * - read: settle, inject read failures (bulk reads), the body in one snapshot.
 * - write: latency, then ONE transaction holding fault bookkeeping, the change
 *   (in a savepoint, rolled back if refused) and its log entry; crashes.
 * - admin: an out-of-band edit: no faults, one transaction, logged as admin.*.
 *
 * Time is the tenant's: virtual by default (stored in meta.clock, advanced by
 * clock.sleep and advanceClock, so tests and demos never wait), or real (wall
 * time, offset from the stored time). Inside a transaction the virtual clock
 * is read once. Time-driven events are applied lazily at the start of each
 * call (settle), by the rules' `dueEvents`, at most once per tenant time.
 */
import { setTimeout as sleepReal } from "node:timers/promises";
import type { TenantClock } from "../../lib/provider/provider.js";
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
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
  /** The operation being run, for error objects. */
  private current = { operation: "", target: "" };
  /** Runs fn in a transaction (a savepoint when nested); made once, as better-sqlite3's db.transaction() is costly per call (bench/). */
  private readonly inTx: <T>(fn: () => T) => T;

  /** `dueEvents(now)` applies the time-driven events due at tenant time `now` (rules.ts). */
  constructor(
    private readonly store: Store,
    readonly clockMode: ClockMode,
    private readonly dueEvents: (now: number) => void,
  ) {
    this.inTx = store.db.transaction((fn: () => unknown) => fn()) as <T>(fn: () => T) => T;
    this.tenantStart = Number(store.meta("clock"));
    this.clock = {
      now: async () => new Date(this.nowMs()),
      sleep: async (ms: number) => {
        if (ms <= 0) return;
        if (this.clockMode === "real") await sleepReal(ms);
        else this.setClock(this.nowMs() + ms);
      },
    };
  }

  // ---------------------------------------------------------------- clock

  /** The tenant time in ms. */
  nowMs(): number {
    if (this.clockMode === "real") return this.tenantStart + (Date.now() - this.wallStart);
    return this.txClock ?? Number(this.store.q.getMeta.pluck().get("clock"));
  }

  setClock(ms: number): void {
    this.store.q.setMeta.run("clock", String(ms));
    if (this.txClock !== null) this.txClock = ms;
    this.tenantStart = ms;
    this.wallStart = Date.now();
  }

  /** Real clock: store the time reached, so the next process carries on from it. */
  persistRealClock(): void {
    if (this.clockMode === "real") this.setClock(this.nowMs());
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

  /** Name another target for the errors of the current operation (restoreUser: the id resolves to a UPN). */
  retarget(target: string): void {
    this.current.target = target;
  }

  // ---------------------------------------------------------------- log

  log(operation: string, target: string, args: unknown, error: ProviderError | null): void {
    this.store.q.insertLog.run(this.nowMs(), operation, target, JSON.stringify(args ?? {}), error ? "error" : "ok", error?.kind ?? null, error?.code ?? null, error?.message ?? null);
  }

  /** The operation log, oldest first. */
  readLog(options: ReadLogOptions = {}): LogEntry[] {
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

  /** Apply the time-driven events due now, once per tenant time. */
  settle(): void {
    const now = this.nowMs();
    if (now === this.lastSettled) return;
    this.dueEvents(now);
    this.lastSettled = now;
  }

  /** The tenant changed under the settle marker (seed): settle again on the next call. */
  forgetSettled(): void {
    this.lastSettled = Number.NaN;
  }

  // ---------------------------------------------------------------- calls

  /** A read: settle, inject read failures (bulk reads), run `body` in one snapshot. */
  read<T>(operation: string, bulk: boolean, body: () => T, target = ""): T {
    this.current = { operation, target };
    const outcome = this.transaction((): Outcome<T> => {
      this.settle();
      if (bulk) {
        const faults = this.faults();
        if (faults.failReads > 0) {
          // the countdown commits; the read rejects as a whole: never a partial answer
          this.store.q.setMeta.run("faults", JSON.stringify({ ...faults, failReads: faults.failReads - 1 }));
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
        if (outer && this.clockMode === "virtual") this.txClock = Number(this.store.q.getMeta.pluck().get("clock"));
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
    const armedBeforeCommit = faults.crashMode === "beforeCommit" && faults.crashAfterWrites === 1;
    if (armedBeforeCommit) {
      // disarm in its own commit, so the crash below does not repeat in the next process
      q.setMeta.run("faults", JSON.stringify({ ...faults, crashAfterWrites: null }));
    }
    const outcome: Outcome<T> = this.transaction((): Outcome<T> => {
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
        return { ok: true, value, crash };
      } catch (e) {
        if (!ProviderError.is(e)) throw e;
        this.log(operation, e.target || target, args, e);
        if (armedBeforeCommit) q.setMeta.run("faults", JSON.stringify(faults)); // not a successful write: re-arm
        return { ok: false, error: e };
      }
    });
    if (!outcome.ok) throw outcome.error;
    if (outcome.crash) {
      process.kill(process.pid, "SIGKILL"); // committed; the caller never hears of it
      process.exit(137);
    }
    this.persistRealClock();
    return outcome.value;
  }

  /** An admin edit: no faults, one transaction, logged as admin.<operation>. Throws ProviderError when refused. */
  admin<T>(operation: string, target: string, args: unknown, body: () => T): T {
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
}
