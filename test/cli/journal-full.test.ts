/**
 * `exoform apply` when the disk under its journal fills up mid-apply: not a
 * bare file-system error, but what was done, what the journal missed, that
 * the lock is released, and the exact command that resumes; exit 1. The
 * journal's appends fail through a mocked node:fs/promises (only files under
 * a journal/ folder opened for appending).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { contosoDesired, createTenant, exactlyOnceProblems, planAgainst } from "../integration/helpers.js";
import { exoformInProcess } from "./in-process.js";

/** Appends to a journal file fail with ENOSPC from this one on (1-based); 0: never. */
const disk = vi.hoisted(() => ({ failFromAppend: 0, appends: 0 }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const open: typeof actual.open = async (path, flags, mode) => {
    const handle = await actual.open(path, flags, mode);
    if (disk.failFromAppend === 0 || flags !== "a" || !/[\\/]journal[\\/][^\\/]+\.jsonl$/.test(String(path))) return handle;
    const writeFile = handle.writeFile.bind(handle);
    handle.writeFile = (async (data: string) => {
      if (++disk.appends >= disk.failFromAppend) {
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" });
      }
      return writeFile(data);
    }) as typeof handle.writeFile;
    return handle;
  };
  return { ...actual, open, default: { ...actual, open } };
});

let dir = "";
afterEach(() => {
  disk.failFromAppend = 0;
  disk.appends = 0;
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
  dir = "";
});

describe("exoform apply with a full disk under its journal", () => {
  it("stops, releases the lock, reports what was done and what the journal missed with the resume command, exits 1; the same apply then resumes", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-full-"));
    const tenantFile = join(dir, "tenant.db");
    const tenant = createTenant(dir);
    const doc = await planAgainst(tenant, contosoDesired());
    tenant.close();
    const planFile = join(dir, "plan.json");
    writeFileSync(planFile, JSON.stringify(doc));

    disk.failFromAppend = 3;
    const run = await exoformInProcess("apply", planFile, "--tenant", tenantFile, "--parallelism", "2");
    expect(run.status).toBe(1);
    expect(run.stderr).not.toContain("error: internal");
    expect(run.stderr).toMatch(/^error: .*[\\/]\.exoform[\\/]journal[\\/][0-9a-f-]+\.jsonl: the apply journal could not be written \(ENOSPC: no space left on the device\); the apply stopped starting actions, let the ones in flight finish and released the tenant lock \[journal_failed\]$/m);
    expect(run.stderr).toMatch(/: this run did \d+ actions? \(their writes happened\): /);
    expect(run.stderr).toMatch(/: the journal could not record /);
    expect(run.stderr).toMatch(/ not started\. To resume: free some space \(or fix the cause\) where the journal is, then run the same apply again/);
    expect(run.stderr).toContain(`error: once the cause is fixed, resume with: exoform apply ${planFile} --tenant ${tenantFile} --parallelism 2 [journal_failed]`);
    expect(existsSync(`${tenantFile}.lock`)).toBe(false);

    disk.failFromAppend = 0;
    const again = await exoformInProcess("apply", planFile, "--tenant", tenantFile);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain("Apply complete (resumed)");
    const after = SimulatedTenant.open(tenantFile);
    try {
      // a password reset the journal missed is made again (it cannot be read back; docs/decisions/0004)
      const problems = exactlyOnceProblems(doc, after.readLog(), (_key, action) => (action.type === "user.resetPassword" ? -1 : 1));
      expect(problems.filter((p) => !/user\.resetPassword: committed [12] times, expected -1/.test(p))).toEqual([]);
    } finally {
      after.close();
    }
  });
});
