/**
 * `exoform drift`: read the tenant, compare it with the desired state, and
 * report what moved. Exit 0: no drift; 2: drift found; 1: an error, and
 * then NOTHING is concluded. A failed read is an error, never "absent":
 * observe() rejects on any failed bulk read, so a hiccup can never make
 * mailboxes or grants look deleted (M365DSC#6770, #6771, #6774).
 */
import type { Command } from "commander";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "../../diagnostics/errors.js";
import { detectDrift } from "../../drift/detect.js";
import { writeFileAtomicSync } from "../../private/atomic-file.js";
import { parseIgnoreRules, unknownIgnoreFields } from "../../drift/ignore.js";
import { DRIFT_FORMATS, driftSummaryLine, renderDrift } from "../../drift/render.js";
import type { DriftReport } from "../../drift/types.js";
import type { CanonicalDesiredState } from "../../model/normalize.js";
import type { ITenantProvider } from "../../provider/provider.js";

import { loadDesired } from "../desired.js";
import { EXIT } from "../exit.js";
import { withJsonErrors } from "../json-errors.js";
import { isTty, printDiagnostics, terminalSafeJson } from "../output.js";
import { TENANT_OPTION_HELP, observeFor } from "../tenant.js";
import { openProvider, reportCost } from "../provider.js";
import { collect, formatOf, formatOption, wantsJson, type FormatOptions } from "../options.js";

interface DriftCliOptions extends FormatOptions {
  readonly app?: string;
  readonly desired?: string;
  readonly stack?: string;
  readonly tenant?: string;
  readonly ignore: string[];
  readonly out?: string;
  readonly unmanaged?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("drift")
    .description("compare the tenant with the desired state and report drift (exit 0: none, 2: drift, 1: error)")
    .option("--desired <file>", "a desired-state JSON document")
    .option("--app <command>", 'the program that synthesizes the stacks (default: "app" in cdktf.json)')
    .option("--stack <name>", "the stack to check, when the app synthesizes several")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .option("--ignore <rule>", "do not report <mailbox|*>[:<field>]; repeatable", collect, [])
    .option("--out <file>", "write the report to this file instead of stdout (a one-line summary goes to stdout)")
    .option("--unmanaged", "list the tenant's shared mailboxes no stack declares (always counted; information, never drift)")
    .action((options: DriftCliOptions) => withJsonErrors(wantsJson(options), () => driftCommand(options)));
  formatOption(command, DRIFT_FORMATS, "text", "report format");
}

async function driftCommand(options: DriftCliOptions): Promise<void> {
  const format = formatOf(options, DRIFT_FORMATS, "a drift report");
  const { rules, diagnostics } = parseIgnoreRules(options.ignore);
  if (diagnostics.length > 0) throw new UserError(diagnostics);
  const loaded = loadDesired(options);
  printDiagnostics([...loaded.diagnostics, ...unknownIgnoreFields(loaded.state.ignore ?? [], loaded.source)]);
  const opened = await openProvider(options);
  let report: DriftReport;
  try {
    await opened.prepare(loaded.state);
    report = await checkDrift(opened.provider, loaded.state, { ignore: rules, listUnmanaged: options.unmanaged === true });
  } finally {
    await opened.close();
  }
  reportCost(opened);
  const color = format === "text" && options.out === undefined && isTty();
  const rendered = renderDrift(report, format, { color });
  if (options.out !== undefined) {
    const file = resolve(options.out);
    mkdirSync(dirname(file), { recursive: true }); // as plan --out and export --out do
    writeFileAtomicSync(file, rendered);
    process.stdout.write(`${driftSummaryLine(report)} (report written to ${options.out})\n`);
  } else process.stdout.write(format === "json" ? terminalSafeJson(rendered) : rendered);
  if (report.drifted) process.exitCode = EXIT.changes;
}

/**
 * Observe the tenant and detect drift. Any failed read becomes a UserError
 * that says so: drift was not checked, and nothing is reported absent.
 */
export async function checkDrift(
  provider: ITenantProvider,
  desired: CanonicalDesiredState,
  options: Parameters<typeof detectDrift>[2] = {},
): Promise<DriftReport> {
  const observed = await observeFor(
    provider,
    desired,
    "drift was NOT checked and nothing is concluded: no mailbox or grant is reported missing on a failed read",
    "drift",
  );
  return detectDrift(desired, observed, options);
}
