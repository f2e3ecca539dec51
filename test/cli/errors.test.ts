/**
 * Error UX at the command line: a wrong path is the user's to fix, so it is
 * reported as `error: <path>: ...` with the fix, never as an internal error
 * with a hint to --debug.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fileSystemDiagnostic } from "../../lib/cli/errors.js";
import { exoformInProcess } from "./in-process.js";
import { contosoDesired } from "../plan/contoso.js";

let dir = "";

const exoform = exoformInProcess;

describe("errors on paths name the path and the fix", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-errors-"));
    mkdirSync(join(dir, "folder"));
    writeFileSync(join(dir, "a-file"), "not a folder");
    writeFileSync(join(dir, "desired.json"), JSON.stringify(contosoDesired()));
    expect((await exoform("tenant", "init", "--fixture", "contoso", "--tenant", join(dir, "t.db"))).status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it("says a directory given as --desired, a plan file or --policy is a directory, naming it, instead of an internal error", async () => {
    const folder = join(dir, "folder");
    const runs = [
      await exoform("validate", "--desired", folder),
      await exoform("apply", folder, "--tenant", join(dir, "t.db")),
      await exoform("plan", "--desired", join(dir, "desired.json"), "--tenant", join(dir, "t.db"), "--policy", folder),
    ];
    for (const r of runs) {
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error: ${folder.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: is a directory \\(expected .+\\); give the file's path \\[file_is_directory\\]$`, "m"));
      expect(r.stderr).not.toContain("internal");
    }
  });

  it("reports a file in the way of an output folder as a file-system error naming the path, not an internal one", async () => {
    const blocked = join(dir, "a-file", "parts");
    const r = await exoform("plan", "--desired", join(dir, "desired.json"), "--tenant", join(dir, "t.db"), "--parts-dir", blocked);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: ${blocked}: mkdir failed: a part of the path is a file, not a directory; check the path [file_system]`);
    expect(r.stderr).not.toContain("internal");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("writes drift --out into a folder it creates, as plan --out and export --out do", async () => {
    const out = join(dir, "reports", "drift.md");
    const r = await exoform("drift", "--desired", join(dir, "desired.json"), "--tenant", join(dir, "t.db"), "--format", "markdown", "--out", out);
    expect(r.status, r.stderr).toBe(2);
    expect(readFileSync(out, "utf8")).toContain("## exoform drift");
  });

  it("leaves errors that are not about a path to the internal-error handler", () => {
    expect(fileSystemDiagnostic(new Error("boom"))).toBeUndefined();
    expect(fileSystemDiagnostic(Object.assign(new Error("x"), { code: "SQLITE_BUSY" }))).toBeUndefined();
    expect(fileSystemDiagnostic(Object.assign(new Error("x"), { code: "EACCES", syscall: "open", path: "/etc/x" }))).toEqual({
      severity: "error",
      code: "file_system",
      target: "/etc/x",
      message: "open failed: permission denied; check the permissions of the path",
    });
  });
});
