#!/usr/bin/env node
// The exoform command.
// - Installed from the npm package (no TypeScript sources next to it): runs
//   the precompiled dist/cli.mjs, always; the package ships compiled
//   JavaScript only (docs/decisions/0012-package.md).
// - In a checkout: runs dist/cli.mjs when it was built from exactly the
//   sources in this checkout (dist/cli.manifest.json: size and mtime of every
//   input; `npm install` / `npm run build` write both), and otherwise the
//   TypeScript sources through tsx, so a fresh clone or an edited checkout
//   needs no build step and never runs stale code. EXOFORM_NO_BUILD=1 always
//   runs the sources. See docs/decisions/0006-performance.md.
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const bundle = new URL("dist/cli.mjs", root);
const installed = !existsSync(new URL("lib/cli/main.ts", root));

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

let main;
if (installed) {
  if (!existsSync(bundle)) {
    process.stderr.write(`error: ${fileURLToPath(bundle)}: missing; this exoform package is incomplete: install it again (npm install @exoform/exoform)\n`);
    process.exit(1);
  }
  ({ main } = await import(bundle.href));
} else {
  const entry = builtEntry();
  if (entry !== null) {
    if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
    ({ main } = await import(entry.href));
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    ({ main } = await import("../lib/cli/main.ts"));
  }
}
process.exitCode = await main(process.argv);
