/**
 * `exoform apply` and `exoform force-unlock` as commands: run in this process (exoformInProcess, in the
 * test's own folder), except where the process itself is the subject (not on a terminal).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import schema from "../../schema/apply-result.schema.json" with { type: "json" };
import type { ApplyResult } from "../../lib/apply/index.js";
import { exoformInProcess } from "../cli/in-process.js";
import { contosoDesired } from "../plan/contoso.js";

const BIN = resolve("bin/exoform.js");
let dir = "";
let previousCwd = "";
const run = (...args: string[]) => exoformInProcess(...args);

describe("exoform apply and force-unlock", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-apply-"));
    // the commands' relative paths and their state folder (.exoform) are the test's own folder
    previousCwd = process.cwd();
    process.chdir(dir);
    writeFileSync(join(dir, "desired.json"), JSON.stringify(contosoDesired()));
    const init = await run("tenant", "init", "--fixture", "contoso", "--tenant", "t.db");
    expect(init.status, init.stderr).toBe(0);
    const plan = await run("plan", "--desired", "desired.json", "--tenant", "t.db", "--out", "plan.json");
    expect(plan.status, plan.stderr).toBe(0);
  });
  afterAll(() => {
    process.chdir(previousCwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to apply without a plan file when not on a terminal and --auto-approve is missing, changing nothing", () => {
    // a process of its own, its stdin and stderr pipes: whether this worker's are a terminal depends on how vitest was started
    const r = spawnSync(process.execPath, [BIN, "apply", "--desired", "desired.json", "--tenant", "t.db"], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", EXOFORM_TENANT: "" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: apply needs approval: not on a terminal, so pass --auto-approve");
    expect(existsSync(join(dir, ".exoform", "journal"))).toBe(false);
  });

  it("refuses a plan file edited after planning", async () => {
    const doc = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { actions: Array<{ destructive: boolean }> };
    doc.actions[0]!.destructive = !doc.actions[0]!.destructive;
    writeFileSync(join(dir, "edited.json"), JSON.stringify(doc));
    const r = await run("apply", "edited.json", "--tenant", "t.db");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: edited.json: the plan was modified after it was written");
  });

  it("names the holder of a lock left by a dead process, and force-unlock releases it by id", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const lock = { id: "9c1e", tenantId: "contoso", planId: "sha256:feed", who: "ann@ci-7", host: hostname(), pid: gone, since: "2026-11-01T08:00:00.000Z" };
    writeFileSync(join(dir, "t.db.lock"), JSON.stringify(lock));
    const locked = await run("apply", "plan.json", "--tenant", "t.db");
    expect(locked.status).toBe(1);
    expect(locked.stderr).toContain('tenant "contoso" is locked by ann@ci-7');
    expect(locked.stderr).toContain("that process is no longer running");
    expect(locked.stderr).toContain("exoform force-unlock 9c1e");
    const unlock = await run("force-unlock", "9c1e", "--tenant", "t.db");
    expect(unlock.status, unlock.stderr).toBe(0);
    expect(unlock.stdout).toContain('released lock 9c1e on tenant "contoso" (held by ann@ci-7');
    expect(existsSync(join(dir, "t.db.lock"))).toBe(false);
  });

  it("applies a saved plan, verifies it by planning again, and prints a result document that matches its schema", async () => {
    const r = await run("apply", "plan.json", "--desired", "desired.json", "--tenant", "t.db", "--json");
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as ApplyResult;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    expect(result.converged).toBe(true);
    expect(result.verification).toEqual({ method: "replan", remaining: [] });
    expect(r.stderr).toMatch(/^\[1\/\d+\] done /m);
    expect((await run("plan", "--desired", "desired.json", "--tenant", "t.db", "--detailed-exitcode")).status).toBe(0);
  });
});
