import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanDocument } from "../../lib/plan/types.js";
import { verifyContentDigest } from "../../lib/plan/document.js";
import { contosoDesired } from "./contoso.js";
import { assertSchemaValid } from "./helpers.js";

const BIN = resolve("bin/exoform.js");
let dir = "";
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("exoform plan", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "exoform-plan-"));
    writeFileSync(join(dir, "desired.json"), JSON.stringify(contosoDesired()));
    const init = run("tenant", "init", "--fixture", "contoso");
    expect(init.status, init.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("plans the contoso example against the simulated tenant, saves the plan, and exits 2 with --detailed-exitcode", () => {
    const r = run("plan", "--desired", "desired.json", "--out", "plan.json", "--detailed-exitcode");
    expect(r.status, r.stderr).toBe(2);
    const doc = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as PlanDocument;
    assertSchemaValid(doc);
    expect(verifyContentDigest(doc)).toBe(true);
    expect(doc.actions.some((a) => a.id === "events-2025@contoso.com:mailbox.delete")).toBe(true);
    expect(r.stdout).toContain("support@contoso.com");
  });

  it("exits 1 and prints every error with its mailbox when the plan has errors", () => {
    const d = contosoDesired();
    writeFileSync(
      join(dir, "bad.json"),
      JSON.stringify({ ...d, sharedMailboxes: d.sharedMailboxes.map((m) => (m.address === "ivy.chen@contoso.com" ? { ...m, origin: "new" } : m.address === "support@contoso.com" ? { ...m, sendAs: ["nobody@contoso.com"] } : m)) }),
    );
    const r = run("plan", "--desired", "bad.json", "--out", "bad-plan.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: ivy.chen@contoso.com: mailbox "ivy.chen@contoso.com" is a person\'s user mailbox');
    expect(r.stderr).toContain('error: support@contoso.com: mailbox "support@contoso.com" grants SendAs to "nobody@contoso.com"');
    expect(() => readFileSync(join(dir, "bad-plan.json"))).toThrow();
  });

  it("writes the markdown plan in comment-sized parts with --parts-dir, removing parts a longer plan left", () => {
    mkdirSync(join(dir, "parts"), { recursive: true });
    writeFileSync(join(dir, "parts", "plan-7.md"), "stale");
    const r = run("plan", "--desired", "desired.json", "--format", "markdown", "--parts-dir", "parts");
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(dir, "parts"))).toEqual(["plan-1.md"]);
    const part = readFileSync(join(dir, "parts", "plan-1.md"), "utf8");
    expect(part).toBe(r.stdout);
    expect(part.length).toBeLessThan(65_000);
  });
});
