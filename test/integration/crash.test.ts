/**
 * Crash after every single write of the contoso plan (41 actions, 38 writes;
 * after commit at every write, before commit at a third of them), then resume: the lock the
 * dead process left is reported, force-unlocked as an operator would, and the
 * resumed apply converges with every planned write committed exactly once.
 *
 * The crash fault SIGKILLs its process, so each crashing apply is a child
 * (scripts/apply-child.ts, the CLI's apply without its start-up cost, bundled
 * once so that none of the ~50 children compiles TypeScript); the resume runs
 * in the test process. Two children at a time (2 cores).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPlan, FileJournal, FileLockStore, journalPath, type JournalState } from "../../lib/apply/index.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { loadFixture, SimulatedTenant, type LogEntry } from "../../providers/simulated/index.js";
import {
  bundleScript,
  CHILD_SCRIPT,
  callKey,
  committedWrites,
  contosoDesired,
  exactlyOnceProblems,
  leftover,
  orderProblems,
  planAgainst,
  planWrites,
  pool,
  startChild,
  tempDir,
  writeOf,
  type ChildOutcome,
} from "./helpers.js";

type Mode = "afterCommit" | "beforeCommit";

interface CrashCase {
  readonly mode: Mode;
  readonly n: number;
  readonly child: ChildOutcome;
  /** The tenant's log of the crashed run, and of the resumed one. */
  readonly crashLog: readonly LogEntry[];
  readonly fullLog: readonly LogEntry[];
  /** The journal the dead process left behind. */
  readonly survived: JournalState;
  readonly lockReport: string;
  readonly resumed: { readonly resumed: boolean; readonly converged: boolean; readonly failed: number; readonly notStarted: number };
  readonly left: { readonly replan: number; readonly drift: number };
}

const root = tempDir("crash");
const desired = contosoDesired();
const fixture = loadFixture("contoso");
let doc: PlanDocument;
let planFile: string;
let writes: number;
let bundle: Awaited<ReturnType<typeof bundleScript>> | undefined;
const cases: CrashCase[] = [];

function header(d: PlanDocument, tenant: SimulatedTenant) {
  return { journal: 1 as const, planId: d.contentDigest, tenantId: d.tenantId, tenantInstance: tenant.instance };
}

/**
 * After commit (the hard mode: the write is on the tenant, its completion
 * lost) crashes at every write; before commit (the write is simply lost, the
 * resume does it) at every third write and the last, to keep this file near
 * 20 s: each crash costs a Node process start.
 */
function beforeCommitSample(n: number): boolean {
  return n % 3 === 1 || n === writes;
}

/** Crash a child after `n` writes, then (in this process) hit the lock, force-unlock it, resume and check convergence. */
async function crashAndResume(mode: Mode, n: number): Promise<CrashCase> {
  const dir = join(root, `${mode}-${n}`);
  mkdirSync(dir);
  const tenantPath = join(dir, "tenant.db");
  const lockPath = `${tenantPath}.lock`;
  const stateDir = join(dir, ".exoform");
  const setup = SimulatedTenant.create(tenantPath, fixture);
  setup.setFaults({ crashAfterWrites: n, crashMode: mode });
  const startSeq = setup.readLog({ limit: 1 })[0]!.seq;
  setup.close();

  const child = await startChild({ tenant: tenantPath, plan: planFile, stateDir, lock: lockPath, parallelism: 4 }, bundle!.file, { execArgv: [] }).done;

  const tenant = SimulatedTenant.open(tenantPath);
  try {
    const crashLog = tenant.readLog({ afterSeq: startSeq });
    const file = journalPath(stateDir, doc.contentDigest, tenant.instance);
    const survived = await new FileJournal(file, header(doc, tenant)).load();
    const locks = new FileLockStore(lockPath);
    // the next apply finds the dead process's lock and says so
    let lockReport = "";
    try {
      await applyPlan(doc, tenant, { journal: new FileJournal(file, header(doc, tenant)), lock: locks });
    } catch (e) {
      if (!UserError.is(e)) throw e;
      lockReport = e.message;
    }
    // the operator's `exoform force-unlock <id>`
    const held = await locks.read();
    if (held !== null) await locks.forceUnlock(held.id);
    const journal = new FileJournal(file, header(doc, tenant));
    const result = await applyPlan(doc, tenant, { journal, lock: locks }).finally(() => journal.close());
    const left = await leftover(tenant, desired);
    return {
      mode,
      n,
      child,
      crashLog,
      fullLog: tenant.readLog({ afterSeq: startSeq }),
      survived,
      lockReport,
      resumed: { resumed: result.resumed, converged: result.converged, failed: result.summary.failed, notStarted: result.summary.notStarted },
      left: { replan: left.replan.length, drift: left.drift.length },
    };
  } finally {
    tenant.close();
  }
}

beforeAll(async () => {
  bundle = await bundleScript(CHILD_SCRIPT);
  const tenant = SimulatedTenant.create(join(root, "plan-tenant.db"), fixture);
  doc = await planAgainst(tenant, desired);
  tenant.close();
  planFile = join(root, "plan.json");
  writeFileSync(planFile, JSON.stringify(doc));
  // how many writes an uninterrupted apply commits: the crash points
  const reference = SimulatedTenant.create(join(root, "reference.db"), fixture);
  await applyPlan(doc, reference, {});
  writes = committedWrites(reference.readLog()).length;
  reference.close();
  expect(writes).toBeGreaterThanOrEqual(planWrites(doc).size);
  const tasks: (() => Promise<CrashCase>)[] = [];
  for (let n = 1; n <= writes; n++) {
    tasks.push(() => crashAndResume("afterCommit", n));
    if (beforeCommitSample(n)) tasks.push(() => crashAndResume("beforeCommit", n));
  }
  cases.push(...(await pool(tasks, 2)));
}, 240_000);

afterAll(() => {
  bundle?.remove();
  rmSync(root, { recursive: true, force: true });
});

/** Whether the journal the crash left records `id` as done. */
function journaledDone(survived: JournalState, id: string): boolean {
  return survived.entries.some((e) => e.t === "done" && e.id === id);
}

describe("an apply killed after any single write, then run again", () => {
  it("covers a plan of at least 30 actions, crashing after every write (after commit) and a third of them (before commit)", () => {
    expect(doc.actions.length).toBeGreaterThanOrEqual(30);
    expect(doc.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const after = cases.filter((c) => c.mode === "afterCommit").map((c) => c.n);
    expect(after).toEqual(Array.from({ length: writes }, (_, i) => i + 1));
    expect(cases.filter((c) => c.mode === "beforeCommit").length).toBeGreaterThanOrEqual(writes / 3);
  });

  it("kills the process with SIGKILL, never a clean exit, after exactly the number of committed writes asked for", () => {
    const problems: string[] = [];
    for (const c of cases) {
      if (c.child.signal !== "SIGKILL") problems.push(`${c.mode} ${c.n}: child ended with ${c.child.signal ?? `exit ${c.child.code}`}: ${c.child.stderr.slice(0, 300)}`);
      // after commit: the nth write is committed (the caller never heard of it); before commit: it is lost
      const committed = committedWrites(c.crashLog).length;
      const want = c.mode === "afterCommit" ? c.n : c.n - 1;
      if (committed !== want) problems.push(`${c.mode} ${c.n}: ${committed} writes committed before the crash, expected ${want}`);
    }
    expect(problems).toEqual([]);
  });

  it("reports the lock the dead process left, naming its pid and the force-unlock to run", () => {
    const problems: string[] = [];
    for (const c of cases) {
      const ok = c.lockReport.includes(`pid ${c.child.pid}`) && c.lockReport.includes("no longer running") && c.lockReport.includes("exoform force-unlock");
      if (!ok) problems.push(`${c.mode} ${c.n}: ${c.lockReport || "no lock reported"}`);
    }
    expect(problems).toEqual([]);
  });

  it("resumes to convergence: re-plan empty, no drift", () => {
    const problems: string[] = [];
    for (const c of cases) {
      const r = c.resumed;
      if (!r.resumed || !r.converged || r.failed > 0 || r.notStarted > 0 || c.left.replan > 0 || c.left.drift > 0) {
        problems.push(`${c.mode} ${c.n}: ${JSON.stringify({ ...r, ...c.left })}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("commits every planned write exactly once across the crash and the resume (a password reset whose completion was lost: twice, see decision 0004)", () => {
    const problems: string[] = [];
    let resetTwice = 0;
    for (const c of cases) {
      const crashed = new Set(committedWrites(c.crashLog).map(callKey));
      const expected = (key: string, action: { id: string; type: string }) => {
        // the one write whose effect cannot be read back: if it reached the tenant but its `done` entry
        // never became durable, the resumed run resets the password again (harmless, docs/decisions/0004)
        if (action.type === "user.resetPassword" && crashed.has(key) && !journaledDone(c.survived, action.id)) {
          resetTwice++;
          return 2;
        }
        return 1;
      };
      problems.push(...exactlyOnceProblems(doc, c.fullLog, expected).map((p) => `${c.mode} ${c.n}: ${p}`));
      problems.push(...orderProblems(doc, c.fullLog).map((p) => `${c.mode} ${c.n}: ${p}`));
    }
    expect(problems).toEqual([]);
    // the exception does occur (the reset's `done` entry rides on a group-commit fsync that the crash can
    // beat, so it happens in many cases, not only a crash right after the reset): the check above is exact
    // about when it is allowed, so this only proves that the exception was exercised
    expect(resetTwice).toBeGreaterThan(0);
  });

  it("never settles an after-commit crash's last write from the journal: the dead process never heard of it", () => {
    const problems: string[] = [];
    for (const c of cases.filter((x) => x.mode === "afterCommit")) {
      const last = committedWrites(c.crashLog).at(-1);
      const action = last && planWrites(doc).get(callKey(last));
      if (action === undefined) problems.push(`${c.n}: last committed write is not in the plan`);
      else if (journaledDone(c.survived, action.id)) problems.push(`${c.n}: ${action.id} journaled done though the crash followed its commit`);
      else if (writeOf(action) === null) problems.push(`${c.n}: ${action.id} is not a write`);
    }
    expect(problems).toEqual([]);
  });
});
