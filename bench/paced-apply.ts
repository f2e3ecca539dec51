/**
 * Apply at the service's pace, on the REAL clock (issue 15): the simulated
 * tenant in real-clock mode with a write budget of N writes/s (its token
 * bucket, burst of one second's budget), a fixed latency per write and a
 * transient-error rate, wrapped by a counter of what the service saw.
 *
 * Why the real clock: on the virtual clock every sleep moves the clock at
 * once, so the waits of concurrent workers add up instead of overlapping and
 * budget use cannot be measured there.
 *
 * Budget use is the writes the service admitted (a write that then failed
 * transiently took its token too) over what the budget offered between the
 * first and the last write: burst + rate x elapsed. It cannot exceed 100%.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { applyPlan } from "../lib/apply/index.js";
import { validateDesiredState } from "../lib/model/validate.js";
import { plan } from "../lib/plan/index.js";
import { ProviderError } from "../lib/provider/errors.js";
import { observe } from "../lib/provider/observe.js";
import { WRITE_OPERATIONS, type ITenantProvider } from "../lib/provider/provider.js";
import { SimulatedTenant } from "../providers/simulated/index.js";

/** What the service saw of the writes sent to it. */
export interface WriteCounts {
  /** Writes the budget admitted (done, or failed transiently after taking a token). */
  admitted: number;
  /** Writes refused for the budget (throttled). */
  refused: number;
  /** Admitted writes that failed transiently. */
  transient: number;
  /** performance.now() of the first and last write's answer (when the service decided), or null before any. */
  firstAt: number | null;
  lastAt: number | null;
}

const WRITES: ReadonlySet<string> = new Set(WRITE_OPERATIONS);

/** `provider` with every write's outcome counted; reads pass through. */
export function countingWrites(provider: ITenantProvider): { readonly provider: ITenantProvider; readonly counts: WriteCounts } {
  const counts: WriteCounts = { admitted: 0, refused: 0, transient: 0, firstAt: null, lastAt: null };
  const seen = (): void => {
    const now = performance.now();
    counts.firstAt ??= now;
    counts.lastAt = now;
  };
  const wrapped = new Proxy(provider, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== "string" || !WRITES.has(key) || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          seen();
          counts.admitted++;
          return result;
        } catch (e) {
          seen();
          if (ProviderError.is(e) && e.kind === "throttled") counts.refused++;
          else {
            counts.admitted++;
            if (ProviderError.is(e) && e.kind === "transient") counts.transient++;
          }
          throw e;
        }
      };
    },
  });
  return { provider: wrapped, counts };
}

/** The share of the budget used: admitted writes over burst + rate x the time from the first to the last write. */
export function budgetUse(counts: WriteCounts, writesPerSecond: number, burst: number): number {
  if (counts.firstAt === null || counts.lastAt === null) return 0;
  const offered = burst + (writesPerSecond * (counts.lastAt - counts.firstAt)) / 1000;
  return counts.admitted / offered;
}

export interface PacedApplyArgs {
  /** A folder holding tenant.db (made by tenant-init) and desired-state.json. */
  readonly dir: string;
  readonly writesPerSecond: number;
  readonly latencyMs: number;
  readonly transientRate: number;
}

export interface PacedApplyFigures {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly actions: number;
  readonly counts: WriteCounts;
  readonly budgetUse: number;
  /** Refused writes over writes sent. */
  readonly refusedRatio: number;
  /** Most write attempts of one action. */
  readonly maxAttempts: number;
}

/** Plan the desired state against the tenant, then apply it with default settings on the real clock under the budget. */
export async function pacedApply(args: PacedApplyArgs): Promise<PacedApplyFigures> {
  const tenant = SimulatedTenant.open(join(args.dir, "tenant.db"), { clock: "real" });
  try {
    const burst = Math.max(1, Math.round(args.writesPerSecond));
    tenant.setFaults({ writesPerSecond: args.writesPerSecond, burst, latencyMs: args.latencyMs, transientRate: args.transientRate, seed: 7 });
    const validated = validateDesiredState(JSON.parse(readFileSync(join(args.dir, "desired-state.json"), "utf8")), "desired-state.json");
    if (!validated.state) throw new Error("the desired state is not valid");
    const doc = plan(validated.state, await observe(tenant));
    if (doc.summary.errors > 0) throw new Error("the plan has errors");
    const { provider, counts } = countingWrites(tenant);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const result = await applyPlan(doc, provider);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    if (!result.converged) throw new Error(`apply did not converge: ${result.summary.failed} failed, ${result.summary.notStarted} not started`);
    const sent = counts.admitted + counts.refused;
    return {
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      actions: result.summary.total,
      counts,
      budgetUse: budgetUse(counts, args.writesPerSecond, burst),
      refusedRatio: sent === 0 ? 0 : counts.refused / sent,
      maxAttempts: Math.max(0, ...result.actions.map((a) => a.attempts)),
    };
  } finally {
    tenant.close();
  }
}
