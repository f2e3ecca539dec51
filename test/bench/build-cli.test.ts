/**
 * bin/exoform.js runs the precompiled dist/cli.mjs only while every source it
 * was built from is unchanged (scripts/build-cli.mjs writes the manifest).
 * Exercised on a throw-away copy of the layout, never on this checkout's dist/.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = mkdtempSync(join(tmpdir(), "exoform-build-"));
const source = join(root, "lib", "cli", "main.ts");
const SOURCE = 'export async function main(): Promise<number> {\n  process.stdout.write("sources\\n");\n  return 0;\n}\n';

const run = (env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(root, "bin", "exoform.js")], { encoding: "utf8", env: { ...process.env, ...env } });
const build = () => spawnSync(process.execPath, [join(root, "scripts", "build-cli.mjs")], { encoding: "utf8" });

beforeAll(() => {
  for (const d of ["bin", "scripts", join("lib", "cli")]) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(resolve("bin/exoform.js"), join(root, "bin", "exoform.js"));
  copyFileSync(resolve("scripts/build-cli.mjs"), join(root, "scripts", "build-cli.mjs"));
  symlinkSync(resolve("node_modules"), join(root, "node_modules"), "dir");
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  writeFileSync(source, SOURCE);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the precompiled CLI", () => {
  it("runs the sources through tsx when nothing was built", () => {
    expect(run().stdout).toBe("sources\n");
  });

  it("builds dist/cli.mjs with a manifest of its sources and runs the build while they are unchanged", () => {
    const b = build();
    expect(b.status, b.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, "dist", "cli.manifest.json"), "utf8")) as { inputs: Array<[string, number, number]> };
    expect(manifest.inputs.map(([file]) => file)).toEqual(["lib/cli/main.ts"]);
    // mark the bundle so the test can tell which one ran
    const bundle = join(root, "dist", "cli.mjs");
    writeFileSync(bundle, readFileSync(bundle, "utf8").replace('"sources\\n"', '"built\\n"'));
    expect(run().stdout).toBe("built\n");
    expect(run({ EXOFORM_NO_BUILD: "1" }).stdout).toBe("sources\n");
  });

  it("falls back to the sources as soon as one of them changes, so an edited checkout never runs stale code", () => {
    writeFileSync(source, `${SOURCE}// edited\n`);
    expect(run().stdout).toBe("sources\n");
    expect(build().status).toBe(0);
    expect(run().stdout).toBe("sources\n"); // the rebuilt bundle, fresh again (unmarked)
    rmSync(join(root, "dist", "cli.manifest.json"));
    expect(run().stdout).toBe("sources\n");
  });
});
