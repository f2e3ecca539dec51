import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateDesiredState } from "../../lib/model/validate.js";
import { loadFixture } from "../../providers/simulated/index.js";
import { generateScenario, writeJsonFile } from "../../scripts/gen/index.js";

const dir = mkdtempSync(join(tmpdir(), "exoform-gen-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gen = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", resolve("scripts/gen-fixture.ts"), ...args], { encoding: "utf8" });

describe("npm run gen (scripts/gen-fixture.ts)", () => {
  it("writes a loadable tenant fixture and a valid desired state, byte-identical for the same arguments", () => {
    const args = ["--mailboxes", "60", "--grants-per-mailbox", "4", "--drift", "0.1", "--seed", "9"];
    const first = gen(...args, "--out-dir", join(dir, "a"));
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("the plan should hold");
    expect(gen(...args, "--out-dir", join(dir, "b")).status).toBe(0);
    for (const file of ["tenant-fixture.json", "desired-state.json"]) {
      expect(readFileSync(join(dir, "b", file), "utf8")).toBe(readFileSync(join(dir, "a", file), "utf8"));
    }
    expect(loadFixture(join(dir, "a", "tenant-fixture.json")).mailboxes.length).toBeGreaterThan(0);
    const desired = JSON.parse(readFileSync(join(dir, "a", "desired-state.json"), "utf8")) as unknown;
    expect(validateDesiredState(desired, "desired-state.json").state?.sharedMailboxes).toHaveLength(60);
  });

  it("exits 1 and names the flag when a required one is missing", () => {
    const r = gen("--drift", "0.1", "--out-dir", join(dir, "c"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("--mailboxes is required");
  });
});

describe("writeJsonFile", () => {
  it("writes JSON that parses back to the same document, one array element per line", () => {
    const { fixture } = generateScenario({ mailboxes: 20, grantsPerMailbox: 2, drift: 0.2, seed: 1 });
    const file = join(dir, "fixture.json");
    writeJsonFile(file, { ...fixture, empty: [], nested: { a: [1, 2] } });
    const text = readFileSync(file, "utf8");
    expect(JSON.parse(text)).toEqual({ ...fixture, empty: [], nested: { a: [1, 2] } });
    expect(text.split("\n").filter((l) => l.startsWith('    {"mailbox"'))).toHaveLength(fixture.grants.length);
  });
});
