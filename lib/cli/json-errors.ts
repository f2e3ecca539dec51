/**
 * Errors as JSON: a command asked for machine output (`--format json`, or
 * its alias `--json`) that fails prints a diagnostics report on stdout
 * (schema/diagnostics.schema.json) instead of nothing, so a pipeline parsing
 * stdout always gets a document. The human lines still go to stderr and the
 * exit code is still 1: the error goes on to the top-level catch.
 *
 * Every command with JSON output wraps its action in withJsonErrors; this is
 * the only place the failure document is built.
 */
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diagnosticsOf } from "./errors.js";
import { printJson } from "./output.js";

/** The version of the diagnostics report (schema/diagnostics.schema.json). */
export const DIAGNOSTICS_FORMAT_VERSION = 1;

/** One document validate checked. */
export interface ValidatedDocument {
  readonly source: string;
  readonly stack?: string;
  readonly sharedMailboxes: number;
  readonly userMailboxes: number;
}

/**
 * What a command asked for JSON prints on stdout when it reports problems
 * instead of its own document; validate adds the documents it checked.
 */
export interface DiagnosticsReport {
  readonly formatVersion: typeof DIAGNOSTICS_FORMAT_VERSION;
  readonly ok: boolean;
  readonly documents?: readonly ValidatedDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The report of an error, as withJsonErrors prints it. */
export function failureReport(e: unknown): DiagnosticsReport {
  return { formatVersion: DIAGNOSTICS_FORMAT_VERSION, ok: false, diagnostics: sortDiagnostics(diagnosticsOf(e)) };
}

/**
 * Run a command's action; when JSON output was asked and it fails, print the
 * failure on stdout as a diagnostics report, then let the error go on to the
 * top-level catch, which prints the human lines on stderr and exits 1.
 * `printed()`: the action already put its own document (with the
 * diagnostics) on stdout, so nothing more is printed (plan's planning errors).
 */
export async function withJsonErrors(json: boolean, action: (printed: () => void) => void | Promise<void>): Promise<void> {
  let done = false;
  try {
    await action(() => (done = true));
  } catch (e) {
    if (json && !done) printJson(failureReport(e));
    throw e;
  }
}
