/**
 * bin/exoform.js in an installed package (no TypeScript sources beside it):
 * it runs the compiled dist/cli.mjs, always, and never tsx; a package
 * without its bundle says so and exits 1. The checkout's behaviour (the
 * bundle while fresh, else the sources) is test/bench/build-cli.test.ts.
 * Exercised on a throw-away copy of the layout.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newFolder, removeFolders, ROOT } from "./install.js";

afterAll(removeFolders);

/** An installed package's layout: bin/exoform.js and, unless `bundle` is null, dist/cli.mjs; no node_modules, so tsx cannot load. */
function installedLayout(bundle: string | null): string {
  const root = newFolder("bin");
  mkdirSync(join(root, "bin"));
  copyFileSync(join(ROOT, "bin", "exoform.js"), join(root, "bin", "exoform.js"));
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  if (bundle !== null) {
    mkdirSync(join(root, "dist"));
    writeFileSync(join(root, "dist", "cli.mjs"), bundle);
  }
  return root;
}

const run = (root: string) => spawnSync(process.execPath, [join(root, "bin", "exoform.js"), "plan"], { encoding: "utf8", env: { ...process.env, EXOFORM_NO_BUILD: "1" } });

describe("bin/exoform.js, installed", () => {
  it("runs dist/cli.mjs without a manifest and even with EXOFORM_NO_BUILD, passing argv and the exit code", () => {
    const root = installedLayout('export async function main(argv) { process.stdout.write(`compiled ${argv.slice(2).join(" ")}\\n`); return 2; }\n');
    const r = run(root);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("compiled plan\n");
    expect(r.status).toBe(2);
  });

  it("says the package is incomplete, and exits 1, when dist/cli.mjs is missing", () => {
    const root = installedLayout(null);
    const r = run(root);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`error: ${join(root, "dist", "cli.mjs")}: missing; this exoform package is incomplete: install it again (npm install @exoform/exoform)\n`);
    expect(r.status).toBe(1);
  });
});
