/**
 * `exoform synth` type-checks a TypeScript app before running it
 * (lib/cli/commands/synth-typecheck.ts): errors come back as diagnostics at
 * file:line:column, and an app without a tsconfig.json, or not written in
 * TypeScript, is run as it is.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { appEntry, typeCheckApp } from "../../lib/cli/commands/synth-typecheck.js";

const root = mkdtempSync(join(tmpdir(), "exoform-typecheck-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A project folder with `files` (path -> text) written into it. */
function project(files: Record<string, string>): string {
  const dir = join(root, String(++n));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", types: [], skipLibCheck: true } });

describe("synth type-checks a TypeScript app", () => {
  it("reports every type error at file:line:column, before the app runs", () => {
    const dir = project({
      "tsconfig.json": TSCONFIG,
      "app/main.ts": 'import { props } from "./props.js";\nconst count: number = "three";\nexport const x = props.hiddenFromAdressLists;\n',
      "app/props.ts": "export const props = { hiddenFromAddressLists: true };\n",
    });
    const { diagnostics, skipped } = typeCheckApp("npx tsx app/main.ts", dir);
    expect(skipped).toBeUndefined();
    expect(diagnostics.map((d) => [d.severity, d.code, d.location])).toEqual([
      ["error", "ts2322", "app/main.ts:2:7"],
      ["error", "ts2551", "app/main.ts:3:24"],
    ]);
    expect(diagnostics[1]!.message).toContain("Did you mean 'hiddenFromAddressLists'?");
  });

  it("passes an app that type-checks", () => {
    const dir = project({ "tsconfig.json": TSCONFIG, "main.ts": "export const n: number = 3;\n" });
    expect(typeCheckApp("npx tsx main.ts", dir)).toEqual({ diagnostics: [] });
  });

  it("runs an app without a tsconfig.json unchecked, and says why", () => {
    const dir = project({ "main.ts": 'const n: number = "x";\n' });
    const result = typeCheckApp("npx tsx main.ts", dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.skipped).toContain("no tsconfig.json");
  });

  it("finds the TypeScript entry in the app command, and none in a JavaScript app's", () => {
    const dir = project({ "src/app.mts": "", "app.js": "" });
    expect(appEntry('npx tsx "src/app.mts" --flag', dir)).toBe(join(dir, "src/app.mts"));
    expect(appEntry("node app.js", dir)).toBeUndefined();
    expect(typeCheckApp("node app.js", dir).skipped).toContain("no TypeScript file");
  });
});
