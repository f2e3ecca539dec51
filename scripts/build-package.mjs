#!/usr/bin/env node
// Builds what the published package runs (docs/decisions/0012-package.md), so
// an installed exoform never compiles TypeScript:
// - dist/cli.mjs, the CLI bundled by esbuild (scripts/build-cli.mjs), which
//   bin/exoform.js runs in an installed package;
// - dist/lib/** and dist/schema/**, the library behind the package's
//   `exports` ("." and "./testing") as JavaScript with .d.ts files, compiled
//   by tsc with tsconfig.build.json.
// npm runs it before `npm pack` and `npm publish` (the `prepack` script).
// Unlike `prepare`, it fails on any error: a package without its compiled
// files must not be produced.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleCli } from "./build-cli.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const sources = await bundleCli();
// the library's folders are emptied first, so a deleted source never lingers in the package
for (const dir of ["lib", "schema"]) rmSync(join(root, "dist", dir), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
if (compiled.status !== 0) {
  process.stderr.write(`exoform: error: tsc -p tsconfig.build.json failed (exit ${compiled.status ?? compiled.signal}); the package was not built\n`);
  process.exit(1);
}
process.stderr.write(`exoform: built dist/cli.mjs from ${sources} source files and the library (dist/lib, dist/schema)\n`);
