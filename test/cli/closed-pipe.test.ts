/**
 * A reader that goes away (`exoform plan | head -3`, a closed terminal):
 * writes to stdout or stderr then fail with EPIPE. Read commands exit quietly
 * with their own code (no stack trace), and an apply never stops for it: it
 * finishes, journals, releases the lock and exits with the apply's code.
 * Each command runs in a child process whose stdout (or stderr) the test
 * closes, at once or after the first chunk, as `head` does.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanDocument } from "../../lib/plan/types.js";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { generateScenario } from "../../scripts/gen/generate.js";
import { contosoDesired, createTenant, exactlyOnceProblems, planAgainst } from "../integration/helpers.js";
import { runCli, type CliOutcome } from "./cli-child.js";

/** What Node prints for an unhandled EPIPE: none of it may appear. */
function expectQuiet(out: CliOutcome): void {
  expect(out.stderr).not.toMatch(/EPIPE|Unhandled 'error' event|^\s+at /m);
  expect(out.stderr).not.toContain("error: internal");
  expect(out.signal).toBeNull();
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "exoform-closed-pipe-"));
  // 400 mailboxes, all of them different from the desired state: plan and tenant show --json print well over a pipe's
  // 64 KiB, so closing after the first chunk leaves them writing; the others are closed before they write
  const scenario = generateScenario({ mailboxes: 400, grantsPerMailbox: 3, drift: 1, seed: 3 });
  SimulatedTenant.create(join(dir, "big.db"), scenario.fixture).close();
  writeFileSync(join(dir, "desired.json"), JSON.stringify(scenario.desired));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("read commands whose reader went away", () => {
  const cases: Array<{ args: string[]; code: number; close: "at-start" | "after-first-chunk" }> = [
    { args: ["plan", "--desired", "desired.json", "--tenant", "big.db"], code: 0, close: "after-first-chunk" },
    { args: ["plan", "--desired", "desired.json", "--tenant", "big.db", "--detailed-exitcode"], code: 2, close: "after-first-chunk" },
    { args: ["drift", "--desired", "desired.json", "--tenant", "big.db"], code: 2, close: "at-start" },
    { args: ["export", "--tenant", "big.db"], code: 0, close: "at-start" },
    { args: ["tenant", "show", "--tenant", "big.db", "--json"], code: 0, close: "after-first-chunk" },
    { args: ["tenant", "show", "--tenant", "big.db"], code: 0, close: "at-start" },
    { args: ["tenant", "log", "--tenant", "big.db"], code: 0, close: "at-start" },
    { args: ["validate", "--desired", "desired.json"], code: 0, close: "at-start" },
  ];
  for (const c of cases) {
    it(`exoform ${c.args.join(" ")} | head (stdout closed ${c.close.replace(/-/g, " ")}): exits ${c.code}, no stack trace`, async () => {
      const out = await runCli(c.args, { cwd: dir, closeStdout: c.close });
      expectQuiet(out);
      expect(out.code, out.stderr).toBe(c.code);
    });
  }

  it("plan --out still saves the whole plan, mode 0600, when its stdout is closed", async () => {
    const out = await runCli(["plan", "--desired", "desired.json", "--tenant", "big.db", "--out", "saved/plan.json"], { cwd: dir, closeStdout: "after-first-chunk" });
    expectQuiet(out);
    expect(out.code, out.stderr).toBe(0);
    const file = join(dir, "saved", "plan.json");
    expect((JSON.parse(readFileSync(file, "utf8")) as PlanDocument).actions.length).toBeGreaterThan(700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe("an apply whose output nobody reads", () => {
  /** A contoso tenant, its desired state and saved plan in a folder of their own. */
  async function contosoSetup(): Promise<{ cwd: string; doc: PlanDocument }> {
    const cwd = mkdtempSync(join(dir, "apply-"));
    const tenant = createTenant(cwd);
    const doc = await planAgainst(tenant, contosoDesired());
    tenant.close();
    writeFileSync(join(cwd, "plan.json"), JSON.stringify(doc));
    writeFileSync(join(cwd, "desired.json"), JSON.stringify(contosoDesired()));
    return { cwd, doc };
  }

  function expectAppliedOnce(cwd: string, doc: PlanDocument): void {
    expect(existsSync(join(cwd, "tenant.db.lock"))).toBe(false);
    const tenant = SimulatedTenant.open(join(cwd, "tenant.db"));
    try {
      expect(exactlyOnceProblems(doc, tenant.readLog())).toEqual([]);
    } finally {
      tenant.close();
    }
  }

  it("exoform apply plan.json 2>&1 | head -3 (stdout and stderr closed): finishes every action, releases the lock, exits 0", async () => {
    const { cwd, doc } = await contosoSetup();
    const out = await runCli(["apply", "plan.json", "--tenant", "tenant.db"], { cwd, closeStdout: "at-start", closeStderr: "at-start" });
    expect(out.signal).toBeNull();
    expect(out.code).toBe(0);
    expectAppliedOnce(cwd, doc);
  });

  it("exoform apply --auto-approve | head -3 (stdout closed after the plan's first chunk): applies, verifies, releases the lock, exits 0", async () => {
    const { cwd, doc } = await contosoSetup();
    const out = await runCli(["apply", "--desired", "desired.json", "--tenant", "tenant.db", "--auto-approve"], { cwd, closeStdout: "after-first-chunk" });
    expectQuiet(out);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(new RegExp(`^\\[${doc.actions.length}/${doc.actions.length}\\] done `, "m")); // the last action's line
    // the apply plans again from the same desired state: the same plan
    expectAppliedOnce(cwd, doc);
  });
});
