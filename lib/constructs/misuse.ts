/**
 * How constructs reject misuse: one error listing every problem found, each
 * line a formatted Diagnostic naming the construct path and the mailbox, so
 * `exoform synth` can lift the lines out of the app's stderr.
 */
import { formatDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Problem } from "../model/validate.js";

const MISUSE = Symbol.for("exoform.ConstructMisuseError");

export class ConstructMisuseError extends Error {
  static is(x: unknown): x is ConstructMisuseError {
    return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[MISUSE] === true;
  }

  declare readonly diagnostics: readonly Diagnostic[];

  constructor(what: string, diagnostics: readonly Diagnostic[]) {
    super(`${what}:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n")}`);
    Object.defineProperty(this, MISUSE, { value: true });
    // not enumerable: Node prints an uncaught error's own enumerable fields
    Object.defineProperty(this, "diagnostics", { value: diagnostics, enumerable: false });
    this.name = "ConstructMisuseError";
  }
}

/** Throw when `diagnostics` holds any error. */
export function throwIfErrors(what: string, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.some((d) => d.severity === "error")) throw new ConstructMisuseError(what, diagnostics);
}

/** A problem found by a construct, as a Diagnostic located at its path. */
export function problemAt(path: string, target: string, p: Problem): Diagnostic {
  return { severity: "error", code: p.code, target, location: path, message: p.message };
}
