/**
 * The reconcile loop: `exoform reconcile`, level-triggered as a controller
 * is. Each cycle re-reads the desired state, observes the tenant, plans, sorts
 * the plan's actions into classes (./classify.ts), and applies the ones in
 * opted-in classes as an ordinary plan: saved for audit, applied by the same
 * engine as `exoform apply` (tenant lock, journal, pacing, signals). The rest
 * is reported as needing review. Each cycle ends with a status document
 * (./status.ts) and metrics (./metrics.ts).
 *
 * Never a hot loop: a failed cycle backs off exponentially (capped); a cycle
 * that finds the tenant locked by an apply, or the lease held by another
 * replica, skips and says so. One reconciler per tenant: the lease
 * (./lease.ts) is renewed every cycle.
 *
 * What comes from outside (the desired state, the tenant, the clock) arrives
 * through ports, so the same loop runs in the CLI and in tests on the
 * simulated tenant's virtual clock.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { applyPlan, FileJournal, FileLockStore, journalPath, type ApplyOptions, type ApplyResult, type LockHolder } from "../apply/index.js";
import { UserError } from "../diagnostics/errors.js";
import type { CanonicalDesiredState } from "../model/normalize.js";
import { plan } from "../plan/index.js";
import type { PlanAction } from "../plan/types.js";
import { writeFileAtomicSync } from "../private/atomic-file.js";
import { observe } from "../provider/observe.js";
import type { ITenantProvider } from "../provider/provider.js";
import { countByClass, sortActions, type ActionClass, type HealClass } from "./classify.js";
import { healPlan } from "./heal-plan.js";
import type { FileLease } from "./lease.js";
import { Metrics } from "./metrics.js";
import { conditionsOf, RECONCILE_STATUS_FORMAT_VERSION, withTransitions, type CycleFacts, type ReconcileStatus, type StatusAction } from "./status.js";

/** The tenant a cycle talks to, opened for the cycle and closed after it. */
export interface ReconcileTenant {
  readonly provider: ITenantProvider;
  /** Where apply's lock for this tenant lives. */
  readonly lockPath: string;
  /** Journals and the loop's artifacts (heal plans, status) go under it. */
  readonly stateDir: string;
  /** Refuse a desired state for another tenant; scope reads (the Microsoft provider). */
  prepare(desired: CanonicalDesiredState): Promise<void>;
  /** Requests and throttled answers per service since opening; null when there is no wire. */
  cost(): Readonly<Record<string, { readonly requests: number; readonly throttled: number }>> | null;
  close(): Promise<void>;
}

export interface ReconcilerPorts {
  /** The desired state now (the file, or the app re-synthesized when its sources changed). Throws UserError. */
  loadDesired(): CanonicalDesiredState;
  openTenant(): Promise<ReconcileTenant>;
  /** Wall clock in ms. */
  now(): number;
  /** Wait `ms`; resolves early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A line for the log (stderr). */
  log(line: string): void;
}

export interface ReconcilerOptions {
  readonly heal: ReadonlySet<HealClass>;
  /** Between cycles that succeeded. */
  readonly intervalMs: number;
  /** First delay after a failed cycle; doubles per consecutive failure. Default 10 s. */
  readonly baseBackoffMs?: number;
  /** Longest delay after failures. Default: the interval (at least a minute). */
  readonly maxBackoffMs?: number;
  readonly lease?: FileLease;
  readonly holder?: LockHolder;
  /** EXOFORM_PLAN_KEY: heal plans are signed with it, as plan signs its plans. */
  readonly planKey?: string;
  /** Passed to the apply engine (parallelism, backoff); lock, journal and signal are the loop's. */
  readonly apply?: Omit<ApplyOptions, "lock" | "journal" | "signal" | "holder">;
  /** Called with each cycle's status (the CLI writes the status file and sends the webhook). */
  readonly onStatus?: (status: ReconcileStatus, previous: ReconcileStatus | null) => void | Promise<void>;
  readonly metrics?: Metrics;
}

export class Reconciler {
  readonly metrics: Metrics;
  private cycles = 0;
  private failures = 0;
  private last: ReconcileStatus | null = null;

  constructor(
    private readonly ports: ReconcilerPorts,
    private readonly options: ReconcilerOptions,
  ) {
    this.metrics = options.metrics ?? new Metrics();
  }

  /** The last cycle's status, or null before the first. */
  get status(): ReconcileStatus | null {
    return this.last;
  }

  /**
   * Cycles until `signal` aborts (or one, with `once`), waiting the interval
   * between them and backing off after failures. Resolves with the last status.
   */
  async run(signal: AbortSignal, once = false): Promise<ReconcileStatus | null> {
    try {
      while (!signal.aborted) {
        const status = await this.cycle(signal);
        if (once || signal.aborted) break;
        await this.ports.sleep(this.delayAfter(status), signal);
      }
    } finally {
      this.options.lease?.release();
    }
    return this.last;
  }

  /** How long to wait after a cycle: the interval, or the failure backoff. */
  delayAfter(status: ReconcileStatus): number {
    if (status.error === undefined) return this.options.intervalMs;
    const base = this.options.baseBackoffMs ?? 10_000;
    const cap = this.options.maxBackoffMs ?? Math.max(this.options.intervalMs, 60_000);
    return Math.min(cap, base * 2 ** Math.min(30, this.failures - 1));
  }

  /** One cycle: lease, desired state, observe, plan, heal what is opted into, status. */
  async cycle(signal: AbortSignal = new AbortController().signal): Promise<ReconcileStatus> {
    this.cycles += 1;
    const startedAt = new Date(this.ports.now()).toISOString();
    const draft = await this.attempt(signal).catch((e: unknown): Draft => ({ ...EMPTY, facts: { ...EMPTY.facts, error: errorOf(e) } }));
    const status = this.finish(draft, startedAt);
    this.record(status, draft);
    const previous = this.last;
    this.last = status;
    this.ports.log(summaryLine(status));
    await this.options.onStatus?.(status, previous);
    return status;
  }

  private async attempt(signal: AbortSignal): Promise<Draft> {
    const lease = this.options.lease?.acquire();
    if (lease !== undefined && !lease.held) {
      const message = `another reconciler holds the lease on this tenant (${lease.by.who}, until ${lease.by.expiresAt}); this one waits`;
      return { ...EMPTY, facts: { ...EMPTY.facts, skipped: { reason: "LeaseHeld", message } } };
    }
    const desired = this.ports.loadDesired();
    const tenant = await this.ports.openTenant();
    try {
      await tenant.prepare(desired);
      const observed = await observe(tenant.provider);
      const doc = plan(desired, observed);
      const errors = doc.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) throw new UserError(errors);
      const sorted = sortActions(doc, this.options.heal);
      const base: Draft = {
        stack: desired.stack,
        tenantId: doc.tenantId,
        generation: doc.desiredDigest,
        planned: countByClass(sorted),
        healed: [],
        notOptedIn: sorted.notOptedIn.map((a) => listed(a, sorted.classes)),
        awaitingReview: sorted.review.map((a) => listed(a, sorted.classes)),
        facts: { planned: doc.actions.length, healedOk: 0, healFailed: 0, remaining: sorted.notOptedIn.length + sorted.review.length },
        cost: tenant.cost(),
      };
      if (sorted.heal.length === 0) return base;

      const heal = healPlan(doc, sorted.heal, this.options.planKey);
      const artifact = join(tenant.stateDir, "reconcile", `heal-${startedStamp(this.ports.now())}-${heal.contentDigest.slice(7, 19)}.json`);
      mkdirSync(join(tenant.stateDir, "reconcile"), { recursive: true });
      writeFileAtomicSync(artifact, `${JSON.stringify(heal, null, 2)}\n`);
      let result: ApplyResult;
      try {
        result = await applyPlan(heal, tenant.provider, {
          ...this.options.apply,
          lock: new FileLockStore(tenant.lockPath),
          journal: new FileJournal(journalPath(tenant.stateDir, heal.contentDigest, tenant.provider.instance), {
            journal: 1,
            planId: heal.contentDigest,
            tenantId: heal.tenantId,
            tenantInstance: tenant.provider.instance,
          }),
          signal,
          ...(this.options.holder !== undefined ? { holder: this.options.holder } : {}),
        });
      } catch (e) {
        if (UserError.is(e) && e.diagnostics.some((d) => d.code === "tenant_locked")) {
          return { ...base, healPlan: artifact, facts: { ...base.facts, remaining: base.facts.remaining + sorted.heal.length, skipped: { reason: "TenantLocked", message: e.message } } };
        }
        throw e;
      }
      const outcome = new Map(result.actions.map((a) => [a.id, a.status]));
      const healed: StatusAction[] = sorted.heal.map((a) => ({ ...listed(a, sorted.classes), outcome: outcome.get(a.id) ?? "not_started" }));
      const ok = healed.filter((a) => a.outcome === "done" || a.outcome === "skipped").length;
      return {
        ...base,
        healed,
        healPlan: artifact,
        facts: { ...base.facts, healedOk: ok, healFailed: healed.length - ok, remaining: base.facts.remaining + healed.length - ok },
        cost: tenant.cost(),
      };
    } finally {
      await tenant.close();
    }
  }

  private finish(d: Draft, startedAt: string): ReconcileStatus {
    const finishedAt = new Date(this.ports.now()).toISOString();
    return {
      formatVersion: RECONCILE_STATUS_FORMAT_VERSION,
      stack: d.stack,
      tenantId: d.tenantId,
      cycle: this.cycles,
      startedAt,
      finishedAt,
      observedGeneration: d.generation,
      heal: [...this.options.heal].sort(),
      conditions: withTransitions(conditionsOf(d.facts), this.last?.conditions ?? [], finishedAt),
      planned: d.planned,
      healed: d.healed,
      notOptedIn: d.notOptedIn,
      awaitingReview: d.awaitingReview,
      ...(d.healPlan !== undefined ? { healPlan: d.healPlan } : {}),
      ...(d.facts.skipped !== undefined ? { skipped: d.facts.skipped } : {}),
      ...(d.facts.error !== undefined ? { error: d.facts.error } : {}),
      remaining: d.facts.remaining,
    };
  }

  private record(status: ReconcileStatus, draft: Draft): void {
    const m = this.metrics;
    const result = status.error !== undefined ? "failed" : status.skipped !== undefined ? "skipped" : "ok";
    m.inc("exoform_reconcile_cycles_total", { result });
    if (status.error !== undefined) {
      this.failures += 1;
      m.inc("exoform_reconcile_failures_total");
      m.set("exoform_reconcile_ready", {}, 0);
      return;
    }
    this.failures = 0;
    if (status.skipped !== undefined && status.skipped.reason === "LeaseHeld") return;
    for (const cls of ["security", "access", "review"] as const) m.set("exoform_reconcile_drift_actions", { class: cls }, status.planned[cls]);
    for (const a of status.healed) {
      if (a.outcome === "done" || a.outcome === "skipped") m.inc("exoform_reconcile_heals_total", { class: a.class });
      else m.inc("exoform_reconcile_heal_failures_total", { class: a.class });
    }
    for (const [service, c] of Object.entries(draft.cost ?? {})) {
      m.inc("exoform_api_requests_total", { service }, c.requests);
      m.inc("exoform_api_throttled_total", { service }, c.throttled);
    }
    m.set("exoform_reconcile_last_success_timestamp_seconds", {}, Math.floor(Date.parse(status.finishedAt) / 1000));
    m.set("exoform_reconcile_ready", {}, status.remaining === 0 && status.skipped === undefined ? 1 : 0);
  }
}

/** What a cycle gathered, before it becomes a status. */
interface Draft {
  readonly stack: string | null;
  readonly tenantId: string | null;
  readonly generation: string | null;
  readonly planned: Record<ActionClass, number>;
  readonly healed: readonly StatusAction[];
  readonly notOptedIn: readonly StatusAction[];
  readonly awaitingReview: readonly StatusAction[];
  readonly healPlan?: string;
  readonly facts: CycleFacts;
  readonly cost?: ReturnType<ReconcileTenant["cost"]>;
}

const EMPTY: Draft = {
  stack: null,
  tenantId: null,
  generation: null,
  planned: { security: 0, access: 0, review: 0 },
  healed: [],
  notOptedIn: [],
  awaitingReview: [],
  facts: { planned: 0, healedOk: 0, healFailed: 0, remaining: 0 },
};

function listed(a: PlanAction, classes: ReadonlyMap<string, ActionClass>): StatusAction {
  return { id: a.id, type: a.type, target: a.target, class: classes.get(a.id) ?? "review", description: a.description };
}

function errorOf(e: unknown): { code: string; message: string } {
  if (UserError.is(e)) return { code: e.diagnostics[0]?.code ?? "error", message: e.message };
  const err = e as { code?: unknown; message?: unknown };
  return { code: typeof err.code === "string" ? err.code : "internal", message: typeof err.message === "string" ? err.message : String(e) };
}

/** 20261130T061500Z: sortable, and safe in a file name. */
function startedStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** The log line of a cycle. */
export function summaryLine(s: ReconcileStatus): string {
  const head = `reconcile cycle ${s.cycle}`;
  if (s.error !== undefined) return `${head}: failed: ${s.error.message}`;
  if (s.skipped !== undefined && s.skipped.reason === "LeaseHeld") return `${head}: skipped: ${s.skipped.message}`;
  const planned = `${s.planned.security + s.planned.access + s.planned.review} planned (security ${s.planned.security}, access ${s.planned.access}, review ${s.planned.review})`;
  const healed = s.healed.length > 0 ? `; healed ${s.healed.filter((a) => a.outcome === "done" || a.outcome === "skipped").length} of ${s.healed.length}` : "";
  const skipped = s.skipped !== undefined ? `; not healed: ${s.skipped.message}` : "";
  const state = s.remaining === 0 ? "in sync" : `${s.remaining} remain${s.awaitingReview.length > 0 ? ` (${s.awaitingReview.length} awaiting review)` : ""}`;
  return `${head}: ${planned}${healed}${skipped}; ${state}`;
}
