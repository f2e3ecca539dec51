/**
 * The floors of `exoform plan` (issue 15): the work no planner can avoid,
 * measured in the same run as the plan they bound.
 *
 * - JSON.parse of the desired-state file (read included): the desired state must be read;
 * - the raw SQLite read: every row of every table the tenant's observation
 *   reads, as arrays (`.raw()`), with no object built: the tenant must be read;
 * - a merge-join of the declared grants against the tenant's grants, both
 *   in (mailbox, right, trustee) order: the least a grant comparison can do;
 * - process start: `exoform --version` (measured by the runner: a whole process).
 *
 * Each floor is CPU time of warmed runs (median), so that a busy machine
 * moves floor and figure alike.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { indexObserved } from "../lib/compare/observed-index.js";
import { validateDesiredState } from "../lib/model/validate.js";
import { planDraft } from "../lib/plan/planner.js";
import { observe } from "../lib/provider/observe.js";
import type { ObservedState } from "../lib/provider/observed.js";
import { SimulatedTenant } from "../providers/simulated/index.js";

/** Tables of the tenant file that an observation does not read: its bookkeeping, the write log, the request log. */
const NOT_OBSERVED = new Set(["meta", "log", "requests", "sqlite_sequence"]);

/** CPU seconds of `fn`, median of `runs` after one warm-up. */
export function cpuMedian(runs: number, fn: () => unknown): number {
  return cpuMedians(runs, [fn])[0]!;
}

/** Read and JSON.parse the desired-state file. */
export function parseDesiredFloor(file: string): () => unknown {
  return () => JSON.parse(readFileSync(file, "utf8")) as unknown;
}

/** Every row of the tenant's tables, as arrays: no objects, no conversion. */
export function sqliteReadFloor(file: string): () => number {
  return () => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((t) => !NOT_OBSERVED.has(t));
      let rows = 0;
      for (const table of tables) {
        for (const _row of db.prepare(`SELECT * FROM ${table}`).raw().iterate()) rows++;
      }
      return rows;
    } finally {
      db.close();
    }
  };
}

interface DesiredGrants {
  readonly sharedMailboxes: ReadonlyArray<{
    readonly address: string;
    readonly fullAccess?: ReadonlyArray<{ readonly trustee: string }>;
    readonly sendAs?: readonly string[];
    readonly sendOnBehalf?: readonly string[];
  }>;
}

/**
 * A merge-join of the declared grants against the observed ones: both sides
 * walked once in (mailbox, right, trustee) order, counting the grants to add
 * and to revoke. The desired side is sorted per mailbox (a handful of
 * trustees each); the observed grants come sorted from every provider.
 */
export function mergeJoinFloor(desired: DesiredGrants, observed: ObservedState): () => { add: number; revoke: number } {
  const mailboxes = [...desired.sharedMailboxes].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return () => {
    const grants = observed.grants;
    let i = 0;
    let add = 0;
    let revoke = 0;
    for (const m of mailboxes) {
      while (i < grants.length && grants[i]!.mailbox < m.address) i++;
      const want = [
        ...(m.fullAccess ?? []).map((g) => `FullAccess\u0000${g.trustee}`),
        ...(m.sendAs ?? []).map((t) => `SendAs\u0000${t}`),
        ...(m.sendOnBehalf ?? []).map((t) => `SendOnBehalf\u0000${t}`),
      ].sort();
      let w = 0;
      while (i < grants.length && grants[i]!.mailbox === m.address) {
        const have = `${grants[i]!.right}\u0000${grants[i]!.trustee}`;
        while (w < want.length && want[w]! < have) {
          add++;
          w++;
        }
        if (w < want.length && want[w] === have) w++;
        else revoke++;
        i++;
      }
      add += want.length - w;
    }
    return { add, revoke };
  };
}

/**
 * CPU seconds of each of `fns`, medians of `runs` after one warm-up each,
 * their runs interleaved (a, b, a, b...): a figure and its floor measured
 * side by side, so that a machine that speeds up or slows down during the
 * measurement moves both alike.
 */
export function cpuMedians(runs: number, fns: ReadonlyArray<() => unknown>): number[] {
  for (const fn of fns) fn();
  const samples = fns.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      const start = process.cpuUsage();
      fn();
      const used = process.cpuUsage(start);
      samples[k]!.push((used.user + used.system) / 1e6);
    });
  }
  return samples.map((list) => list.sort((a, b) => a - b)[list.length >> 1]!);
}

/** The whole command's floors for one plan's inputs in `dir` (the bench's file names): JSON.parse of the desired state, the raw SQLite read. */
export function planFloors(dir: string, files: { readonly DESIRED: string; readonly TENANT: string }, runs: number): Record<string, number> {
  const parse = cpuMedian(runs, parseDesiredFloor(join(dir, files.DESIRED)));
  const sqlite = cpuMedian(runs, sqliteReadFloor(join(dir, files.TENANT)));
  return { parseDesiredCpuMs: Math.round(parse * 1000), sqliteReadCpuMs: Math.round(sqlite * 1000) };
}

/**
 * The planning step against its floor, and the memory of a read tenant, in
 * one child (bench/run.ts gives it --expose-gc):
 * - planStepCpuMs: planDraft() on the validated desired state and the
 *   tenant as observed, against mergeJoinCpuMs, the merge-join of the same
 *   grants read the same way, both in the same heap, their runs interleaved
 *   (medians of `runs` warmed runs each, CPU);
 * - bytesPerGrant: the heap the tenant's observation (read from its SQLite
 *   file, as `exoform plan` reads it) and the planner's index of it hold,
 *   divided by the number of grants: mailboxes and users count toward it too;
 * - parseDesiredCpuMs and sqliteReadCpuMs: the whole command's floors.
 */
export async function planStepScenario(dir: string, files: { readonly DESIRED: string; readonly TENANT: string; readonly OBSERVED: string }, runs: number): Promise<Record<string, number>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc (bench/run.ts does)");
  const floors = planFloors(dir, files, runs);
  const raw = JSON.parse(readFileSync(join(dir, files.DESIRED), "utf8")) as unknown;
  const state = validateDesiredState(raw, files.DESIRED).state;
  if (state === undefined) throw new Error(`${files.DESIRED}: not a valid desired state`);

  gc();
  const before = process.memoryUsage().heapUsed;
  const tenant = SimulatedTenant.open(join(dir, files.TENANT));
  let observed: ObservedState;
  try {
    observed = await observe(tenant);
  } finally {
    tenant.close();
  }
  const ix = indexObserved(observed);
  gc();
  const held = process.memoryUsage().heapUsed - before;
  const bytesPerGrant = held / observed.grants.length;

  const [mergeJoin, planStep] = cpuMedians(runs, [mergeJoinFloor(raw as DesiredGrants, observed), () => planDraft(state, observed)]);
  const actions = planDraft(state, observed).view.actions.length;
  return { ...floors, mergeJoinCpuMs: Math.round(mergeJoin! * 1000), planStepCpuMs: Math.round(planStep! * 1000), bytesPerGrant: Math.round(bytesPerGrant), grants: observed.grants.length, mailboxes: ix.mailboxes.size, actions };
}
