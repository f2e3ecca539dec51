/**
 * Every file exoform writes says who can read whose mail: plan files, drift
 * reports, exported desired state, synth output (and journals,
 * test/apply/journal-failure.test.ts). Each is written by one helper
 * (lib/private/atomic-file.ts): a temporary file in the same folder, fsync,
 * rename, fsync of the folder; created mode 0600; on failure the temporary
 * file is removed and the destination left as it was.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "../../lib/private/atomic-file.js";
import { contosoDesired, createTenant, REPO } from "../integration/helpers.js";
import { exoformInProcess } from "./in-process.js";

const modeOf = (file: string) => statSync(file).mode & 0o777;

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "exoform-atomic-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("creates the file whole and mode 0600 whatever the umask, leaving no temporary file", async () => {
    const folder = mkdtempSync(join(dir, "helper-"));
    const previous = process.umask(0);
    try {
      writeFileAtomicSync(join(folder, "a.json"), ["{", '"a":', "1", "}\n"]);
      await writeFileAtomic(join(folder, "b.json"), "{}\n");
    } finally {
      process.umask(previous);
    }
    expect(readFileSync(join(folder, "a.json"), "utf8")).toBe('{"a":1}\n');
    expect(modeOf(join(folder, "a.json"))).toBe(0o600);
    expect(modeOf(join(folder, "b.json"))).toBe(0o600);
    expect(readdirSync(folder).sort()).toEqual(["a.json", "b.json"]);
  });

  it("replaces a file readable by others with a 0600 one", () => {
    const folder = mkdtempSync(join(dir, "helper-"));
    const file = join(folder, "plan.json");
    writeFileSync(file, "old\n", { mode: 0o644 });
    writeFileAtomicSync(file, "new\n");
    expect(readFileSync(file, "utf8")).toBe("new\n");
    expect(modeOf(file)).toBe(0o600);
  });

  it("on a failure part-way (a full disk), leaves the old file as it was and no temporary file behind", async () => {
    const folder = mkdtempSync(join(dir, "helper-"));
    const file = join(folder, "plan.json");
    writeFileSync(file, "old\n");
    function* failing(): Generator<string> {
      yield "x".repeat(3 << 20); // more than one write
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    }
    expect(() => writeFileAtomicSync(file, failing())).toThrow(/ENOSPC/);
    await expect(writeFileAtomic(file, failing())).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(file, "utf8")).toBe("old\n");
    expect(readdirSync(folder)).toEqual(["plan.json"]);
  });
});

describe("files the commands write", () => {
  let tenantFile = "";
  let desiredFile = "";
  beforeAll(() => {
    const tenant = createTenant(dir);
    tenantFile = join(dir, "tenant.db");
    tenant.close();
    desiredFile = join(dir, "desired.json");
    writeFileSync(desiredFile, JSON.stringify(contosoDesired()));
  });

  it("plan --out, drift --out, export --out (json and ts): mode 0600, nothing else left in the folder", async () => {
    const out = join(dir, "out");
    const plan = await exoformInProcess("plan", "--desired", desiredFile, "--tenant", tenantFile, "--out", join(out, "plan.json"), "--parts-dir", join(out, "parts"));
    expect(plan.status, plan.stderr).toBe(0);
    const drift = await exoformInProcess("drift", "--desired", desiredFile, "--tenant", tenantFile, "--out", join(out, "drift.md"), "--format", "markdown");
    expect(drift.status, drift.stderr).toBe(2);
    const exported = await exoformInProcess("export", "--tenant", tenantFile, "--out", join(out, "exported.json"));
    expect(exported.status, exported.stderr).toBe(0);
    const program = await exoformInProcess("export", "--tenant", tenantFile, "--format", "ts", "--out", join(out, "main.ts"));
    expect(program.status, program.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["drift.md", "exported.json", "main.ts", "parts", "plan.json"]);
    for (const name of ["plan.json", "drift.md", "exported.json", "main.ts"]) expect(modeOf(join(out, name)), name).toBe(0o600);
    for (const name of readdirSync(join(out, "parts"))) expect(modeOf(join(out, "parts", name)), name).toBe(0o600);
    expect(JSON.parse(readFileSync(join(out, "plan.json"), "utf8"))).toMatchObject({ formatVersion: 1 });
  });

  it("plan --out to a path it cannot write: an error naming it, and no partial or temporary file left behind", async () => {
    const out = join(dir, "blocked");
    mkdirSync(join(out, "plan.json"), { recursive: true }); // a folder where the file should go
    const plan = await exoformInProcess("plan", "--desired", desiredFile, "--tenant", tenantFile, "--out", join(out, "plan.json"));
    expect(plan.status).toBe(1);
    expect(plan.stderr).toMatch(/^error: .*plan\.json: rename failed: it is a directory/m);
    expect(readdirSync(out)).toEqual(["plan.json"]);
    const drift = await exoformInProcess("drift", "--desired", desiredFile, "--tenant", tenantFile, "--out", join(out, "plan.json"));
    expect(drift.status).toBe(1);
    expect(readdirSync(out)).toEqual(["plan.json"]);
  });

  it("synth writes each stack's desired-state.json mode 0600", async () => {
    const out = join(dir, "cdktf.out");
    const previous = process.cwd();
    process.chdir(REPO); // the contoso app of cdktf.json
    try {
      // the file's mode is the subject: type-checking the app (test/synth/typecheck.test.ts) would add 4 s of CPU
      const synth = await exoformInProcess("synth", "--no-type-check", "--output", out);
      expect(synth.status, synth.stderr).toBe(0);
    } finally {
      process.chdir(previous);
    }
    const folder = join(out, "stacks", "contoso");
    expect(modeOf(join(folder, "desired-state.json"))).toBe(0o600);
    expect(readdirSync(folder).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});
