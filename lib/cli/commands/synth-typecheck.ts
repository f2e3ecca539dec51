/**
 * `exoform synth` type-checks a TypeScript app before running it, as the
 * cdktf CLI did: tsx (the usual runner) strips types without checking them,
 * so a wrong property type or a misspelt one in an object literal would
 * otherwise synthesize. The app's entry is the first .ts/.tsx/.mts/.cts file
 * named in the app command; it is checked with the tsconfig.json nearest to
 * it (none: no check, the project has not opted into TypeScript settings),
 * through the TypeScript compiler API with noEmit. Every error comes back as
 * a diagnostic located at file:line:column.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve } from "node:path";
import type * as TS from "typescript";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";

const ENTRY = /\.(?:ts|tsx|mts|cts)$/;

/** The TypeScript file an app command runs, or undefined (a JavaScript app, a binary...). */
export function appEntry(app: string, cwd: string): string | undefined {
  for (const token of app.split(/\s+/)) {
    const word = token.replace(/^["']|["']$/g, "");
    if (ENTRY.test(word) && existsSync(resolve(cwd, word))) return resolve(cwd, word);
  }
  return undefined;
}

/** The TypeScript compiler, if it is installed where the app or exoform can load it. */
function loadTypeScript(cwd: string): typeof TS | undefined {
  for (const base of [resolve(cwd, "package.json"), import.meta.url]) {
    try {
      return createRequire(base)("typescript") as typeof TS;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

export interface TypeCheckResult {
  /** Errors found; empty when the app type-checks. */
  readonly diagnostics: Diagnostic[];
  /** Why the app was not checked (no TypeScript entry, no tsconfig, no compiler), or undefined when it was. */
  readonly skipped?: string;
}

/** Type-check the TypeScript app `app` runs, from `cwd`. */
export function typeCheckApp(app: string, cwd: string): TypeCheckResult {
  const entry = appEntry(app, cwd);
  if (entry === undefined) return { diagnostics: [], skipped: "the app command names no TypeScript file" };
  const ts = loadTypeScript(cwd);
  if (ts === undefined) return { diagnostics: [], skipped: "the typescript package is not installed" };
  const config = ts.findConfigFile(dirname(entry), ts.sys.fileExists, "tsconfig.json");
  if (config === undefined) return { diagnostics: [], skipped: `no tsconfig.json beside ${relative(cwd, entry)} or above it` };
  const problems: TS.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(config, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => problems.push(d) });
  if (parsed === undefined) return { diagnostics: problems.map((d) => toDiagnostic(ts, d, cwd)) };
  const program = ts.createProgram({ rootNames: [entry], options: { ...parsed.options, noEmit: true } });
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  return { diagnostics: errors.map((d) => toDiagnostic(ts, d, cwd)) };
}

function toDiagnostic(ts: typeof TS, d: TS.Diagnostic, cwd: string): Diagnostic {
  let location = "<tsconfig>";
  if (d.file !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    location = `${relative(cwd, d.file.fileName) || d.file.fileName}:${line + 1}:${character + 1}`;
  }
  return { severity: "error", code: `ts${d.code}`, target: "", location, message: `${ts.flattenDiagnosticMessageText(d.messageText, "; ")} (TypeScript; fix it, or run with --no-type-check)` };
}
