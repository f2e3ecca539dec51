/**
 * How commands talk to people and pipelines: diagnostics on stderr, one per
 * line as `error: <where>: <message>`; results on stdout; JSON when asked.
 */
import { formatDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { canonicalJson } from "../private/canonical-json.js";

export function printDiagnostics(diagnostics: readonly Diagnostic[], stream: NodeJS.WritableStream = process.stderr): void {
  for (const d of diagnostics) stream.write(`${formatDiagnostic(d)}\n`);
}

/** Pretty, key-sorted JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${canonicalJson(value, 2)}\n`);
}

export function isTty(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && process.env["NO_COLOR"] === undefined && process.env["CI"] === undefined;
}
