#!/usr/bin/env node
// The exoform command. Runs the precompiled dist/cli.mjs when it was built
// from exactly the sources in this checkout (dist/cli.manifest.json: size and
// mtime of every input; `npm install` / `npm run build` write both), and
// otherwise the TypeScript sources through tsx, so a fresh clone or an edited
// checkout needs no build step and never runs stale code.
// EXOFORM_NO_BUILD=1 always runs the sources. See docs/decisions/0006-performance.md.
import { readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);

function builtEntry() {
  if (process.env.EXOFORM_NO_BUILD === "1") return null;
  try {
    const manifest = JSON.parse(readFileSync(new URL("dist/cli.manifest.json", root), "utf8"));
    for (const [file, size, mtimeMs] of manifest.inputs) {
      const s = statSync(new URL(file, root));
      if (s.size !== size || s.mtimeMs !== mtimeMs) return null;
    }
    return new URL(`dist/${manifest.entry}`, root);
  } catch {
    return null; // not built (or unreadable): run the sources
  }
}

const entry = builtEntry();
let main;
if (entry !== null) {
  if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
  ({ main } = await import(entry.href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../lib/cli/main.ts"));
}
process.exitCode = await main(process.argv);
