/**
 * `exoform plan --previous <desired-state.json>`: the code as it was when the
 * tenant was last applied (in a pull request, the base branch's). Only with
 * it can the plan say what the tenant cannot remember: a mailbox that left
 * the code and is kept, and what a permissionsMode change means.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import { contosoDesired, createTenant, planAgainst, tempDir } from "../integration/helpers.js";
import { exoformInProcess, writeInput } from "./in-process.js";

describe("exoform plan --previous", () => {
  const dir = tempDir("plan-previous");
  const tenant = join(dir, "tenant.db");
  let previous = "";
  let current = "";
  beforeAll(async () => {
    const desired = contosoDesired();
    const t = createTenant(dir);
    await applyPlan(await planAgainst(t, desired), t, { baseBackoffMs: 1, maxBackoffMs: 2 });
    t.close();
    previous = writeInput(dir, "previous.json", desired);
    // legal@ leaves the code (removalPolicy retain), support@ becomes additive
    const doc = JSON.parse(JSON.stringify(desired)) as { sharedMailboxes: Array<{ address: string; permissionsMode?: string }> };
    doc.sharedMailboxes = doc.sharedMailboxes.filter((m) => m.address !== "legal@contoso.com");
    doc.sharedMailboxes.find((m) => m.address === "support@contoso.com")!.permissionsMode = "additive";
    current = writeInput(dir, "current.json", doc);
  });

  it("notes a mailbox that left the code and is kept, and what an additive mailbox keeps", async () => {
    const run = await exoformInProcess("plan", "--desired", current, "--previous", previous, "--tenant", tenant, "--format", "json");
    expect(run.status, run.stderr).toBe(0);
    const notes = (JSON.parse(run.stdout) as { diagnostics: Array<{ severity: string; code: string; target: string }> }).diagnostics.filter((d) => d.severity === "info");
    expect(notes.map((d) => `${d.code} ${d.target}`).sort()).toEqual(["left_code_kept legal@contoso.com", "permissions_mode_changed support@contoso.com"]);
  });

  it("says nothing of either without it: the tenant does not remember the code", async () => {
    const run = await exoformInProcess("plan", "--desired", current, "--tenant", tenant, "--format", "json");
    expect(run.status, run.stderr).toBe(0);
    const notes = (JSON.parse(run.stdout) as { diagnostics: Array<{ severity: string }> }).diagnostics.filter((d) => d.severity === "info");
    expect(notes).toEqual([]);
  });

  it("refuses a previous desired state that is not valid, naming the file", async () => {
    const bad = writeInput(dir, "bad.json", { formatVersion: 1 });
    const run = await exoformInProcess("plan", "--desired", current, "--previous", bad, "--tenant", tenant);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("bad.json");
  });
});
