/**
 * How commands talk to people and pipelines: diagnostics on stderr, one per
 * line as `error: <where>: <message>`; results on stdout; JSON when asked.
 *
 * A diagnostic carries input (addresses, display names, file names, the
 * service's messages): control characters and escape sequences in it are
 * shown visibly (`\u{1b}`, lib/render/sanitize.ts), never sent to the
 * terminal. JSON.stringify escapes the C0 controls (ESC included) but not DEL,
 * the C1 controls (U+009B is a one-character CSI) or bidi overrides:
 * printJson escapes those too, which is the same JSON value.
 */
import type { Command } from "commander";
import { formatDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { canonicalJson } from "../private/canonical-json.js";
import { clean } from "../render/sanitize.js";

export function printDiagnostics(diagnostics: readonly Diagnostic[], stream: NodeJS.WritableStream = process.stderr): void {
  for (const d of diagnostics) stream.write(`${clean(formatDiagnostic(d))}\n`);
}

/** Pretty, key-sorted JSON on stdout, with no control character left raw (terminalSafeJson). */
export function printJson(value: unknown): void {
  process.stdout.write(`${terminalSafeJson(canonicalJson(value, 2))}\n`);
}

/**
 * JSON text with DEL, the C1 controls and the bidi controls written as \u escapes, which JSON.stringify
 * leaves raw. They can only stand inside strings, so the text means the same value.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Set from the global --no-color for the command being run (lib/cli/main.ts); NO_COLOR and CI turn colour off too. */
let colorAllowed = true;

export function allowColor(allowed: boolean): void {
  colorAllowed = allowed;
}

/** Whether to colour output on `stream`: a terminal, and neither --no-color, NO_COLOR nor CI. */
export function isTty(stream: NodeJS.WriteStream = process.stdout): boolean {
  return colorAllowed && stream.isTTY === true && process.env["NO_COLOR"] === undefined && process.env["CI"] === undefined;
}

/**
 * Whether a command may ask a question: only a person at a terminal (stdin
 * and stderr both terminals) and never with the global --no-input, so a
 * pipeline never hangs on a prompt nobody sees.
 */
export function canPrompt(command: Command): boolean {
  return command.optsWithGlobals<{ input?: boolean }>().input !== false && process.stdin.isTTY === true && process.stderr.isTTY === true;
}
