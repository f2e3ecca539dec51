/**
 * `exoform validate`: check a desired-state document (--desired <file>) or
 * what the app synthesizes (--app, or cdktf.json) against the schema and the
 * semantic rules, and report every problem at once.
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { UserError } from "../../diagnostics/errors.js";
import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { validateDesiredState } from "../../model/validate.js";
import { readJsonFile, stacksNamed, synthApp } from "../desired.js";
import { EXIT } from "../exit.js";
import { DIAGNOSTICS_FORMAT_VERSION, withJsonErrors, type DiagnosticsReport, type ValidatedDocument } from "../json-errors.js";
import { printDiagnostics, printJson } from "../output.js";
import { formatOf, formatOption, TEXT_OR_JSON, wantsJson, type FormatOptions } from "../options.js";

interface ValidateOptions extends FormatOptions {
  readonly app?: string;
  readonly desired?: string;
  readonly output?: string;
  readonly stack?: string;
}

const FORMATS = TEXT_OR_JSON;

export function register(program: Command): void {
  const command = program
    .command("validate")
    .description("check desired state against the schema and the rules, reporting every problem")
    .option("--desired <file>", "a desired-state JSON document")
    .option("--app <command>", 'the program that synthesizes the stacks (default: "app" in cdktf.json)')
    .option("--output <dir>", 'where the app writes its output (default: "output" in cdktf.json, or cdktf.out)')
    .option("--stack <name>", "validate only this stack of the app")
    .action((options: ValidateOptions) => withJsonErrors(wantsJson(options), () => validate(options)));
  formatOption(command, FORMATS, "text", "output format (json: the result on stdout, diagnostics included)");
}

function validate(options: ValidateOptions, cwd = process.cwd()): void {
  const format = formatOf(options, FORMATS, "a validate output");
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
  if (format === "json") {
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
