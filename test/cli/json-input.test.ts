/**
 * JSON files people hand to exoform (desired state, plan files) that are not
 * quite what JSON.parse expects: nested far too deep (a clear error naming the
 * file and the limit, not "internal: Maximum call stack size exceeded"), with
 * a UTF-8 byte-order mark (accepted), or in UTF-16 (named as such).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonDepth, MAX_JSON_DEPTH } from "../../lib/cli/desired.js";
import { contosoDesired, createTenant } from "../integration/helpers.js";
import { exoformInProcess } from "./in-process.js";

let dir = "";
let tenantFile = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "exoform-json-input-"));
  createTenant(dir).close();
  tenantFile = join(dir, "tenant.db");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const BOM = "\uFEFF";

describe("JSON input", () => {
  it("a desired state nested 20,000 levels deep: an error naming the file and the nesting limit", async () => {
    const file = join(dir, "deep.json");
    writeFileSync(file, deep(20_000));
    for (const command of [["validate", "--desired", file], ["plan", "--desired", file, "--tenant", tenantFile]]) {
      const run = await exoformInProcess(...command);
      expect(run.status).toBe(1);
      expect(run.stderr).not.toContain("internal");
      expect(run.stderr).toBe(
        `error: ${file}: arrays and objects are nested more than ${MAX_JSON_DEPTH} levels deep, the limit exoform reads (expected a desired-state JSON document, which nests about 6 levels); check that this is the right file [json_too_deep]\n`,
      );
    }
  });

  it("a plan file nested 20,000 levels deep (arrays): the same error, naming the plan file", async () => {
    const file = join(dir, "deep-plan.json");
    writeFileSync(file, `${"[".repeat(20_000)}${"]".repeat(20_000)}`);
    const run = await exoformInProcess("apply", file, "--tenant", tenantFile);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: arrays and objects are nested more than 64 levels deep.*\\(expected a plan document from exoform plan --out, .*\\[json_too_deep\\]$`, "m"));
  });

  it("counts nesting outside strings only, and stops counting past the limit", () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonDepth('["\\"[[["]')).toBe(1);
    expect(jsonDepth(deep(1000), 64)).toBe(65);
  });

  it("counts as a reader going character by character does, for any text of brackets, quotes and backslashes", () => {
    /** The reference: every character read, a backslash in a string skipping the next. */
    const byCharacter = (text: string): number => {
      let depth = 0;
      let deepest = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === "\\") i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
        else if (c === "]" || c === "}") depth--;
      }
      return deepest;
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("[", "]", "{", "}", '"', "\\", "a", ","), maxLength: 40 }), (text) => {
        expect(jsonDepth(text)).toBe(byCharacter(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts a desired state and a plan file that start with a UTF-8 byte-order mark", async () => {
    const desired = join(dir, "bom-desired.json");
    writeFileSync(desired, `${BOM}${JSON.stringify(contosoDesired(), null, 2)}`);
    const valid = await exoformInProcess("validate", "--desired", desired);
    expect(valid.status, valid.stderr).toBe(0);
    const plan = join(dir, "plan.json");
    const planned = await exoformInProcess("plan", "--desired", desired, "--tenant", tenantFile, "--out", plan);
    expect(planned.status, planned.stderr).toBe(0);
    const bomPlan = join(dir, "bom-plan.json");
    writeFileSync(bomPlan, `${BOM}${readFileSync(plan, "utf8")}`);
    const applied = await exoformInProcess("apply", bomPlan, "--tenant", tenantFile, "--desired", desired);
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Converged");
  });

  it("names a UTF-16 file as such", async () => {
    const file = join(dir, "utf16.json");
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(contosoDesired()), "utf16le")]));
    const run = await exoformInProcess("validate", "--desired", file);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error: ${file}: the file is UTF-16 (it starts with a UTF-16 byte-order mark); JSON is read as UTF-8: save it as UTF-8`);
  });
});
