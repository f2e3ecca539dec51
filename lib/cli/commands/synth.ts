/**
 * `exoform synth`: run the app as the cdktf CLI would, read every stack back
 * from cdk.tf.json, validate it, write its desired-state document next to it
 * (cdktf.out/stacks/<stack>/desired-state.json, usable with --desired) and
 * summarize what was declared. Any error fails synth, listing all of them.
 */
import { existsSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { UserError } from "../../diagnostics/errors.js";
import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { CanonicalDesiredState } from "../../model/normalize.js";
import { validateDesiredState } from "../../model/validate.js";
import { writeFileAtomicSync } from "../../private/atomic-file.js";
import { canonicalJson } from "../../private/canonical-json.js";
import { readCdktfJson, synthApp } from "../desired.js";
import { EXIT } from "../exit.js";
import { withJsonErrors } from "../json-errors.js";
import { formatOf, formatOption, TEXT_OR_JSON, wantsJson, type FormatOptions } from "../options.js";
import { printDiagnostics, printJson } from "../output.js";
import { typeCheckApp } from "./synth-typecheck.js";

export const DESIRED_STATE_FILE = "desired-state.json";

interface SynthOptions extends FormatOptions {
  readonly app?: string;
  readonly output?: string;
  /** false with --no-type-check. */
  readonly typeCheck?: boolean;
}

const FORMATS = TEXT_OR_JSON;

export function register(program: Command): void {
  const command = program
    .command("synth")
    .description("run the app, validate what it declares and write each stack's desired-state document")
    .option("--app <command>", 'the program that synthesizes the stacks (default: "app" in cdktf.json)')
    .option("--output <dir>", 'where the app writes its output (default: "output" in cdktf.json, or cdktf.out)')
    .option("--no-type-check", "run a TypeScript app without type-checking it first (with its tsconfig.json)")
    .action((options: SynthOptions) => withJsonErrors(wantsJson(options), () => synth(options)));
  formatOption(command, FORMATS, "text", "output format (json: the result on stdout, diagnostics included)");
}

/** What `synth --json` prints. */
export interface SynthReport {
  readonly ok: boolean;
  readonly stacks: readonly StackReport[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface StackReport {
  readonly stack: string;
  /** The cdk.tf.json read, relative to the working directory. */
  readonly file: string;
  /** The desired-state document written, when the stack is valid. */
  readonly desiredStateFile?: string;
  readonly sharedMailboxes?: readonly SharedMailboxSummary[];
  readonly userMailboxes?: readonly UserMailboxSummary[];
}

export interface SharedMailboxSummary {
  readonly address: string;
  readonly origin: "new" | "convert";
  /** Trustees with both FullAccess and SendAs. */
  readonly members: number;
  readonly fullAccess: number;
  readonly sendAs: number;
  readonly sendOnBehalf: number;
  /** The SKUs, joined with "+", or "none". */
  readonly license: string;
  readonly litigationHold: boolean;
  readonly archive: boolean;
  readonly removalPolicy: "retain" | "delete";
}

export interface UserMailboxSummary {
  readonly address: string;
  readonly license: string;
}

function synth(options: SynthOptions, cwd = process.cwd()): void {
  const format = formatOf(options, FORMATS, "a synth output");
  const app = options.app ?? readCdktfJson(cwd).app;
  if (options.typeCheck !== false && app !== undefined) {
    // before the app runs: a type error is reported as one, not as whatever the app then does
    const checked = typeCheckApp(app, cwd);
    if (hasErrors(checked.diagnostics)) throw new UserError(checked.diagnostics);
  }
  const { stacks } = synthApp(options, cwd);
  const diagnostics: Diagnostic[] = [];
  const reports = stacks.map((s): StackReport => {
    const result = validateDesiredState(s.document, s.file);
    diagnostics.push(...result.diagnostics);
    const target = join(dirname(resolve(cwd, s.file)), DESIRED_STATE_FILE);
    if (!result.state) {
      // never leave an earlier run's document behind for --desired to pick up
      if (existsSync(target)) rmSync(target);
      return { stack: s.stack, file: s.file };
    }
    writeFileAtomicSync(target, `${canonicalJson(result.state, 2)}\n`);
    return { stack: s.stack, file: s.file, desiredStateFile: relative(cwd, target), ...summarize(result.state) };
  });
  const ok = !hasErrors(diagnostics);
  if (format === "json") {
    printJson({ ok, stacks: reports, diagnostics } satisfies SynthReport);
    if (!ok) process.exitCode = EXIT.error;
    return;
  }
  if (!ok) throw new UserError(diagnostics);
  printDiagnostics(diagnostics);
  if (reports.length === 0) process.stdout.write("the app synthesized no stacks\n");
  for (const r of reports) process.stdout.write(formatStack(r));
}

/** The per-mailbox summaries of a canonical document. */
export function summarize(state: CanonicalDesiredState): Pick<StackReport, "sharedMailboxes" | "userMailboxes"> {
  return {
    sharedMailboxes: state.sharedMailboxes.map((m) => {
      const sendAs = new Set(m.sendAs);
      return {
        address: m.address,
        origin: m.origin,
        members: m.fullAccess.filter((g) => sendAs.has(g.trustee)).length,
        fullAccess: m.fullAccess.length,
        sendAs: m.sendAs.length,
        sendOnBehalf: m.sendOnBehalf.length,
        license: m.licenses.length > 0 ? m.licenses.join("+") : "none",
        litigationHold: m.litigationHold,
        archive: m.archive,
        removalPolicy: m.removalPolicy,
      };
    }),
    userMailboxes: state.userMailboxes.map((m) => ({ address: m.address, license: m.license })),
  };
}

/** A stack as people read it: one aligned line per mailbox. */
export function formatStack(r: StackReport): string {
  const shared = r.sharedMailboxes ?? [];
  const users = r.userMailboxes ?? [];
  const rows: string[][] = [
    ...shared.map((m) => [
      "shared",
      m.address,
      m.origin,
      `members ${m.members}`,
      `fullAccess ${m.fullAccess}`,
      `sendAs ${m.sendAs}`,
      `sendOnBehalf ${m.sendOnBehalf}`,
      `license ${m.license}`,
      `hold ${m.litigationHold ? "on" : "off"}`,
      `archive ${m.archive ? "on" : "off"}`,
      `removal ${m.removalPolicy}`,
    ]),
    ...users.map((m) => ["user", m.address, "", "", "", "", "", `license ${m.license}`]),
  ];
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const lines = [
    `stack ${r.stack}: ${plural(shared.length, "shared mailbox", "shared mailboxes")}, ${plural(users.length, "user mailbox", "user mailboxes")} (${r.file})`,
    ...rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd()}`),
    `  desired state: ${r.desiredStateFile ?? "(not written)"}`,
  ];
  return `${lines.join("\n")}\n`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
