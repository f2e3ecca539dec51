/**
 * Plans apply must refuse, through the real CLI (`exoform apply <plan>`) on
 * the simulated contoso tenant: a stale plan (an admin changed an object the
 * plan touches after planning), a tampered plan (an action's params edited in
 * the JSON), and a second apply while another process holds the tenant lock.
 * Each is refused with exit 1 and a message naming the object or the holder,
 * and leaves the tenant exactly as it was.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PlanDocument } from "../../lib/plan/types.js";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { committedWrites, contosoDesired, createTenant, exactlyOnceProblems, leftover, planAgainst, runCli, startChild, tempDir } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A contoso tenant and its plan saved to plan.json; the tenant is closed (the CLI opens it). */
async function setup(): Promise<{ dir: string; tenantPath: string; planFile: string; doc: PlanDocument }> {
  const dir = tempDir("refuse");
  dirs.push(dir);
  const tenant = createTenant(dir);
  const doc = await planAgainst(tenant, contosoDesired());
  tenant.close();
  const planFile = join(dir, "plan.json");
  writeFileSync(planFile, JSON.stringify(doc, null, 2));
  return { dir, tenantPath: join(dir, "tenant.db"), planFile, doc };
}

/** The tenant's whole state and log, to show that a refused apply changed nothing. */
function snapshot(tenantPath: string): { state: unknown; log: number } {
  const t = SimulatedTenant.open(tenantPath);
  try {
    return { state: t.exportFixture(), log: t.readLog().length };
  } finally {
    t.close();
  }
}

describe("apply refuses what it must not run, and touches nothing", () => {
  it("refuses a plan made stale by an out-of-band edit, naming the mailbox that changed", async () => {
    const { tenantPath, planFile } = await setup();
    const admin = SimulatedTenant.open(tenantPath);
    // support@ is a target of the plan (grants added and revoked there)
    admin.adminAddGrant("support@contoso.com", "SendAs", "carla.diaz@contoso.com");
    admin.close();
    const before = snapshot(tenantPath);

    const run = await runCli(["apply", planFile, "--tenant", tenantPath]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/stale plan: .*support@contoso\.com.* changed since the plan was made/);
    expect(run.stderr).toContain("run exoform plan again");
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(snapshot(tenantPath)).toEqual(before);
    expect(existsSync(`${tenantPath}.lock`)).toBe(false);
  });

  it("refuses a plan whose action params were edited after planning, and writes nothing", async () => {
    const { tenantPath, planFile } = await setup();
    const doc = JSON.parse(readFileSync(planFile, "utf8")) as { actions: Array<{ type: string; params: Record<string, unknown> }> };
    const grant = doc.actions.find((a) => a.type === "permission.grant" && a.params["right"] === "FullAccess")!;
    grant.params["trustee"] = "harry.wells@contoso.com"; // someone slipping themselves access after review
    writeFileSync(planFile, JSON.stringify(doc, null, 2));
    const before = snapshot(tenantPath);

    const run = await runCli(["apply", planFile, "--tenant", tenantPath]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the plan was modified after it was written");
    expect(run.stderr).toContain(planFile);
    expect(snapshot(tenantPath)).toEqual(before);
  });

  it("fails a second apply while another process holds the lock, naming the holder, and leaves the tenant to the first", async () => {
    const { dir, tenantPath, planFile, doc } = await setup();
    const startSeq = snapshot(tenantPath).log;
    const first = startChild({ tenant: tenantPath, plan: planFile, stateDir: join(dir, ".exoform"), lock: `${tenantPath}.lock`, pauseBeforeFirstWrite: true });
    try {
      // the first apply holds the lock, has read the tenant, and is about to write
      await first.printed("paused");
      const held = snapshot(tenantPath);

      const second = await runCli(["apply", planFile, "--tenant", tenantPath]);

      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`tenant "contoso" is locked by`);
      expect(second.stderr).toContain(`(pid ${first.pid})`);
      expect(second.stderr).toContain("exoform force-unlock");
      expect(snapshot(tenantPath)).toEqual(held);
      expect(JSON.parse(readFileSync(`${tenantPath}.lock`, "utf8"))).toMatchObject({ pid: first.pid, planId: doc.contentDigest });
    } finally {
      first.send("go");
    }
    const outcome = await first.done;
    expect(outcome.code).toBe(0);
    expect(existsSync(`${tenantPath}.lock`)).toBe(false);
    const tenant = SimulatedTenant.open(tenantPath);
    try {
      const log = tenant.readLog().slice(startSeq);
      // only the first apply wrote: each planned write once
      expect(committedWrites(log).length).toBeGreaterThan(0);
      expect(exactlyOnceProblems(doc, log)).toEqual([]);
      const left = await leftover(tenant, contosoDesired());
      expect(left.replan).toEqual([]);
    } finally {
      tenant.close();
    }
  });
});
