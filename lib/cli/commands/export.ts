/**
 * `exoform export`: adopt an existing tenant. Reads the tenant and writes a
 * desired-state document (json, canonical) or a constructs program (ts) that
 * plans to no change against it, so a team with hundreds of shared mailboxes
 * starts from what it has instead of typing it in.
 *
 * What cannot be declared as it is comes out as notes on stderr (warnings,
 * see lib/export/from-observed.ts). The one change a plan of a fresh export
 * may still hold is deliberate: a shared mailbox whose account can sign in is
 * exported as it is and the plan blocks sign-in (R4.1). A desired-state
 * document cannot declare "sign-in enabled", and exporting around it would
 * hide an open door, so export reports it and leaves the fix to the plan.
 */
import type { Command } from "commander";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { hasErrors, sortDiagnostics } from "../../diagnostics/diagnostic.js";
import { UserError } from "../../diagnostics/errors.js";
import { DEFAULT_IMPORT_FROM, desiredToTypeScript, exportDesired, stackNameFor, type ExportResult } from "../../export/index.js";
import type { CanonicalDesiredState } from "../../model/normalize.js";
import { validateDesiredState } from "../../model/validate.js";
import { writeFileAtomicSync } from "../../private/atomic-file.js";
import { canonicalJson } from "../../private/canonical-json.js";
import schema from "../../../schema/desired-state.schema.json" with { type: "json" };

import { withJsonErrors } from "../json-errors.js";
import { printDiagnostics, terminalSafeJson } from "../output.js";
import { TENANT_OPTION_HELP, observeOrFail } from "../tenant.js";
import { openProvider, reportCost } from "../provider.js";
import { collect, formatOf, formatOption, wantsJson, type FormatOptions } from "../options.js";

const FORMATS = ["json", "ts"] as const;

interface ExportCliOptions extends FormatOptions {
  readonly mailbox: string[];
  readonly stack?: string;
  readonly tenant?: string;
  readonly out?: string;
}

const HELP_AFTER = `
The output plans to no change against the tenant it was read from, except:
  - a shared mailbox whose account can sign in is exported as it is, and the
    plan blocks sign-in (R4.1): a document cannot declare "sign-in enabled",
    so this is a finding to apply, not to hide; export notes it on stderr.
Also noted on stderr (warnings), and never hidden:
  - grants to deleted users or people outside the tenant are left out, and that
    mailbox is exported with permissionsMode "additive" so nothing is revoked;
  - an account holding several licenses: the strongest is exported, the plan
    removes the others;
  - mailboxes the plan would refuse (over 500 FullAccess entries, sign-in
    enabled on a directory-synced account, a license that does not cover the
    mailbox) are left out: undeclared, they are retained and untouched.
Not exported: user mailboxes and soft-deleted mailboxes.

Examples:
  $ exoform export --out exoform/desired-state.json
  $ exoform export --format ts --out examples/adopted/main.ts
  $ exoform export --mailbox support@contoso.com --mailbox legal@contoso.com`;

export function register(program: Command): void {
  const command = program
    .command("export")
    .description("write the tenant's shared mailboxes as desired state (json) or a constructs program (ts) that plans to no change")
    .option("--mailbox <address>", "export only this shared mailbox; repeatable", collect, [])
    .option("--stack <name>", "the stack name (scopes removalPolicy \"delete\" tags; default: the tenant id, made a valid stack name)")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .option("--out <file>", "write to this file instead of stdout")
    .addHelpText("after", HELP_AFTER)
    // errors as JSON only when --format json or --json is given: the default is json, and its output is often redirected to a file
    .action((options: ExportCliOptions, command: Command) => withJsonErrors(wantsJson(options, command), () => exportCommand(options)));
  formatOption(command, FORMATS, "json");
}

/** Read the tenant and write what it holds as desired state or a program (an error of any kind is JSON too with --format json). */
async function exportCommand(options: ExportCliOptions): Promise<void> {
  const format = formatOf(options, FORMATS, "an export");
  const { result, stack } = await exportTenant(options, options.mailbox);
  printDiagnostics(sortDiagnostics(result.diagnostics));

  const out = options.out !== undefined ? resolve(options.out) : undefined;
  const text = format === "json" ? `${canonicalJson(result.desired, 2)}\n` : desiredToTypeScript(result.desired, { importFrom: importFromFor(out) });
  if (out !== undefined) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileAtomicSync(out, text);
  } else {
    process.stdout.write(format === "json" ? terminalSafeJson(text) : text);
  }
  process.stderr.write(`${summary(result.desired, stack, result.diagnostics.length, options.out)}\n`);
}

/**
 * Read the tenant and export its shared mailboxes (or only `mailboxes`) as a
 * valid desired-state document; what cannot be exported as asked is an
 * error. Its notes (warnings) are the caller's to print. Shared by export and import.
 */
export async function exportTenant(options: { readonly tenant?: string; readonly stack?: string }, mailboxes: readonly string[]): Promise<{ result: ExportResult; stack: string }> {
  if (options.stack !== undefined && !new RegExp(schema.properties.stack.pattern).test(options.stack)) {
    throw new UserError(`--stack ${options.stack} is not a valid stack name: letters, digits, - and _, at most 64, starting with a letter or digit`, "usage");
  }
  const opened = await openProvider(options);
  let observed;
  try {
    await opened.prepare(null);
    observed = await observeOrFail(opened.provider, "nothing was exported", "export");
  } finally {
    await opened.close();
  }
  reportCost(opened);
  const stack = options.stack ?? stackNameFor(observed.tenant.id);
  const result = exportDesired(observed, { stack, ...(mailboxes.length > 0 ? { mailboxes } : {}) });
  if (hasErrors(result.diagnostics)) throw new UserError(sortDiagnostics(result.diagnostics).filter((d) => d.severity === "error"));
  // A safety net, not a user check: the export must always be a valid document.
  const check = validateDesiredState(result.desired, "<export>");
  if (check.state === undefined) {
    throw new Error(`the exported document does not validate: ${check.diagnostics.map((d) => `${d.target}: ${d.message}`).join("; ")}`);
  }
  return { result, stack };
}

function summary(desired: CanonicalDesiredState, stack: string, notes: number, out: string | undefined): string {
  let grants = 0;
  for (const m of desired.sharedMailboxes) grants += m.fullAccess.length + m.sendAs.length + m.sendOnBehalf.length;
  const n = desired.sharedMailboxes.length;
  return (
    `exported ${n} shared mailbox${n === 1 ? "" : "es"} and ${grants} grant${grants === 1 ? "" : "s"} of tenant "${desired.tenant.id}" as stack "${stack}"` +
    `${out !== undefined ? ` to ${out}` : ""}` +
    `${notes > 0 ? `; ${notes} note${notes === 1 ? "" : "s"} above` : ""}`
  );
}

/**
 * The import specifier of exoform's library in a generated program, wherever
 * it is written (`out`): the package's name, as a repository that installed
 * exoform (`exoform init`) imports it (docs/decisions/0012-package.md).
 */
export function importFromFor(_out: string | undefined): string {
  return DEFAULT_IMPORT_FROM;
}
