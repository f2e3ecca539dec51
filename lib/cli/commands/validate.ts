/**
 * `exoform validate`: check a desired-state document (--desired <file>) or
 * what the app synthesizes (--app, or cdktf.json) against the schema and the
 * semantic rules, and report every problem at once.
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { UserError } from "../../diagnostics/errors.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { validateDesiredState } from "../../model/validate.js";
import { ProviderError } from "../../provider/errors.js";
import { readJsonFile, stacksNamed, synthApp } from "../desired.js";
import { EXIT } from "../exit.js";
import { fileSystemDiagnostic } from "../main.js";
import { printDiagnostics, printJson } from "../output.js";

interface ValidateOptions {
  readonly app?: string;
  readonly desired?: string;
  readonly output?: string;
  readonly stack?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  program
    .command("validate")
    .description("check desired state against the schema and the rules, reporting every problem")
    .option("--desired <file>", "a desired-state JSON document")
    .option("--app <command>", 'the program that synthesizes the stacks (default: "app" in cdktf.json)')
    .option("--output <dir>", 'where the app writes its output (default: "output" in cdktf.json, or cdktf.out)')
    .option("--stack <name>", "validate only this stack of the app")
    .option("--json", "print the result as JSON on stdout, diagnostics included")
    .action((options: ValidateOptions) => withJsonErrors(options.json === true, () => validate(options)));
}

// ------------------------------------------------------------------ errors as JSON

/** The version of the diagnostics report (schema/diagnostics.schema.json). */
export const DIAGNOSTICS_FORMAT_VERSION = 1;

/**
 * What a command asked for JSON prints on stdout when it reports problems
 * instead of its own document (schema/diagnostics.schema.json); validate adds
 * the documents it checked.
 */
export interface DiagnosticsReport {
  readonly formatVersion: typeof DIAGNOSTICS_FORMAT_VERSION;
  readonly ok: boolean;
  readonly documents?: readonly ValidatedDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The diagnostics of anything a command may throw, worded as the top-level catch words them on stderr (lib/cli/main.ts). */
export function diagnosticsOf(e: unknown): Diagnostic[] {
  if (UserError.is(e)) return [...e.diagnostics];
  if (ProviderError.is(e)) return [{ severity: "error", code: e.code, target: e.target, message: `${e.operation} failed: ${e.code}: ${e.message}` }];
  const fs = fileSystemDiagnostic(e);
  if (fs !== undefined) return [fs];
  return [{ severity: "error", code: "internal", target: "", message: `internal: ${e instanceof Error ? e.message : String(e)}` }];
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
    if (json && !done) printJson({ formatVersion: DIAGNOSTICS_FORMAT_VERSION, ok: false, diagnostics: sortDiagnostics(diagnosticsOf(e)) } satisfies DiagnosticsReport);
    throw e;
  }
}

/** One document checked. */
export interface ValidatedDocument {
  readonly source: string;
  readonly stack?: string;
  readonly sharedMailboxes: number;
  readonly userMailboxes: number;
}

function validate(options: ValidateOptions, cwd = process.cwd()): void {
  if (options.desired !== undefined && options.app !== undefined) {
    throw new UserError("pass either --desired <file> or --app <command>, not both", "usage");
  }
  const inputs: Array<{ source: string; stack?: string; document: unknown }> = [];
  if (options.desired !== undefined) {
    inputs.push({ source: options.desired, document: readJsonFile(resolve(cwd, options.desired), "a desired-state JSON document") });
  } else {
    const { stacks } = synthApp(options, cwd);
    for (const s of stacksNamed(stacks, options.stack)) inputs.push({ source: s.file, stack: s.stack, document: s.document });
  }

  const diagnostics: Diagnostic[] = [];
  const documents: ValidatedDocument[] = [];
  for (const input of inputs) {
    const result = validateDesiredState(input.document, input.source);
    diagnostics.push(...result.diagnostics);
    if (result.state) {
      documents.push({
        source: input.source,
        ...(input.stack !== undefined ? { stack: input.stack } : {}),
        sharedMailboxes: result.state.sharedMailboxes.length,
        userMailboxes: result.state.userMailboxes.length,
      });
    }
  }
  const ok = !hasErrors(diagnostics);
  if (options.json === true) {
    printJson({ formatVersion: DIAGNOSTICS_FORMAT_VERSION, ok, documents, diagnostics } satisfies DiagnosticsReport);
    printDiagnostics(diagnostics); // the human lines, on stderr
    if (!ok) process.exitCode = EXIT.error;
    return;
  }
  if (!ok) throw new UserError(diagnostics);
  printDiagnostics(diagnostics);
  for (const d of documents) {
    const counts = `ok: ${d.sharedMailboxes} shared mailboxes, ${d.userMailboxes} user mailboxes`;
    process.stdout.write(documents.length > 1 ? `${counts} (stack ${d.stack ?? d.source})\n` : `${counts}\n`);
  }
}
