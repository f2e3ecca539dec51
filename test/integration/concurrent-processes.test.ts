/**
 * Many `exoform` processes on one simulated tenant file at once, as a busy
 * GitOps runner pool and an admin in the portal produce them: several applies
 * of the same saved plan, drift and `tenant show` reading while they write,
 * and portal edits (`tenant set`) writing beside them.
 *
 * Before readers stopped writing and writers took BEGIN IMMEDIATE, this is
 * where `database is locked` came from: in 2 of 20 simultaneous applies the
 * lock winner itself died part-way, and readers failed while an apply wrote.
 * What must hold: one apply wins the tenant lock and converges; every other
 * apply is refused with a named reason (the lock, or a plan the winner has
 * already made stale) before any write; readers and portal edits never fail;
 * every planned write is committed exactly once.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliOutcome } from "../cli/cli-child.js";
import { contosoDesired, createTenant, exactlyOnceProblems, leftover, planAgainst, tempDir } from "./helpers.js";
import type { ApplyResult } from "../../lib/apply/index.js";
import type { PlanDocument } from "../../lib/plan/index.js";
import { SimulatedTenant } from "../../providers/simulated/index.js";

const APPLIES = 6;

interface Run {
  readonly args: readonly string[];
  readonly outcome: CliOutcome;
}

describe("many processes on one tenant at once", () => {
  const dir = tempDir("concurrent");
  const tenantPath = join(dir, "tenant.db");
  let doc: PlanDocument;
  let applies: Run[] = [];
  let readers: Run[] = [];
  let portal: Run[] = [];

  beforeAll(async () => {
    const desired = contosoDesired();
    const tenant = createTenant(dir);
    doc = await planAgainst(tenant, desired);
    tenant.close();
    writeFileSync(join(dir, "plan.json"), JSON.stringify(doc));
    writeFileSync(join(dir, "desired.json"), JSON.stringify(desired));

    const run = (args: readonly string[]) => startCli([...args, "--tenant", tenantPath], { cwd: dir }).done.then((outcome) => ({ args, outcome }));
    const started = {
      applies: Array.from({ length: APPLIES }, () => run(["apply", "plan.json", "--auto-approve", "--json"])),
      readers: [run(["drift", "--desired", "desired.json"]), run(["tenant", "show"])],
      // a person the plan does not touch: these edits cannot make the plan stale, so the winner must converge
      portal: [run(["tenant", "set", "sign-in", "frank.moss@contoso.com", "disable"]), run(["tenant", "set", "size", "frank.moss@contoso.com", "7"])],
    };
    [applies, readers, portal] = await Promise.all([Promise.all(started.applies), Promise.all(started.readers), Promise.all(started.portal)]);
  }, 120_000);

  const describeRun = (r: Run) => `exoform ${r.args.join(" ")} -> ${r.outcome.signal ?? r.outcome.code}\n${r.outcome.stderr}`;

  /** An apply that wrote: converged, with at least one action done by this run (not settled from the journal). */
  const wrote = (r: Run) => r.outcome.code === 0 && (JSON.parse(r.outcome.stdout) as ApplyResult).actions.some((a) => a.status === "done" && a.settledBy === undefined);

  it("lets exactly one apply make the plan's writes and converge", () => {
    expect(applies.filter(wrote).map(describeRun)).toHaveLength(1);
  });

  it("answers every other apply before it writes: refused for the lock (exit 1), or a no-op on a plan its journal records as done (exit 0)", () => {
    for (const r of applies.filter((a) => !wrote(a))) {
      if (r.outcome.code === 0) {
        const result = JSON.parse(r.outcome.stdout) as ApplyResult;
        expect(result.actions.every((a) => a.settledBy === "journal"), describeRun(r)).toBe(true);
      } else {
        expect(r.outcome.code, describeRun(r)).toBe(1);
        expect(r.outcome.stderr, describeRun(r)).toMatch(/is locked by/);
      }
    }
  });

  it("never reports a busy database, an internal error or a stack trace from any process", () => {
    for (const r of [...applies, ...readers, ...portal]) {
      expect(r.outcome.stderr, describeRun(r)).not.toMatch(/database is locked|internal:|\n\s+at /);
      expect(r.outcome.signal, describeRun(r)).toBeNull();
    }
  });

  it("answers every reader while the apply writes: drift exits 0 or 2, tenant show exits 0", () => {
    for (const r of readers) expect([0, 2], describeRun(r)).toContain(r.outcome.code);
  });

  it("carries out every portal edit beside the apply", () => {
    for (const r of portal) expect(r.outcome.code, describeRun(r)).toBe(0);
    const tenant = SimulatedTenant.open(tenantPath);
    try {
      const edits = tenant
        .readLog()
        .filter((e) => e.operation.startsWith("admin.") && e.target === "frank.moss@contoso.com" && e.outcome === "ok")
        .map((e) => `${e.operation} ${e.target}`)
        .sort();
      expect(edits).toEqual(["admin.setAccountEnabled frank.moss@contoso.com", "admin.setMailboxSize frank.moss@contoso.com"]);
    } finally {
      tenant.close();
    }
  });

  it("commits every planned write exactly once across all the applies, and leaves the tenant converged", async () => {
    const tenant = SimulatedTenant.open(tenantPath);
    try {
      expect(exactlyOnceProblems(doc, tenant.readLog())).toEqual([]);
      const left = await leftover(tenant, contosoDesired());
      expect(left.replan).toEqual([]);
      expect(left.drift).toEqual([]);
    } finally {
      tenant.close();
    }
  });
});
