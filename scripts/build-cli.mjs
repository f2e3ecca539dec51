#!/usr/bin/env node
// Precompiles the exoform CLI into dist/cli.mjs (one ES module; packages stay
// in node_modules) so that `exoform` starts without compiling TypeScript on
// the fly (docs/decisions/0006-performance.md). Run by `npm run build` and by
// npm's `prepare` hook on `npm install` / `npm ci`; scripts/build-package.mjs
// calls bundleCli() too, because the published package runs only this bundle
// (docs/decisions/0012-package.md).
//
// dist/cli.manifest.json lists every source file the bundle was built from
// with its size and mtime; bin/exoform.js uses the bundle in a checkout only
// while all of them are unchanged, and otherwise runs the sources through tsx
// as before, so an edited checkout never runs stale code.
//
// Run as a script it never fails an install: without esbuild (a
// devDependency) or on a build error it prints a warning and the CLI keeps
// running through tsx.
import { mkdirSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

/** Bundle lib/cli/main.ts into dist/cli.mjs and write its manifest; throws on any error. Returns the number of source files. */
export async function bundleCli() {
  const { build } = await import("esbuild");
  mkdirSync(dist, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["lib/cli/main.ts"],
    outfile: "dist/cli.mjs",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs)
    .sort()
    .map((file) => {
      const s = statSync(join(root, file));
      return [file, s.size, s.mtimeMs];
    });
  // each file written aside and renamed into place: a concurrent reader never sees half a file
  const put = (path, contents) => {
    writeFileSync(`${path}.tmp`, contents);
    renameSync(`${path}.tmp`, path);
  };
  for (const out of result.outputFiles) put(out.path, out.contents);
  put(join(dist, "cli.manifest.json"), `${JSON.stringify({ entry: "cli.mjs", inputs })}\n`);
  return inputs.length;
}

// run as a script (not imported by build-package.mjs); import.meta.url is the real path, argv[1] may be a link
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const n = await bundleCli();
    process.stdout.write(`exoform: built dist/cli.mjs from ${n} source files\n`);
  } catch (e) {
    process.stderr.write(`exoform: warning: could not precompile the CLI (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); it will run through tsx, which starts more slowly\n`);
  }
}
