/**
 * The exoform command line: argv in, exit code out. The single place that
 * catches errors: UserError -> its diagnostics and exit 1; anything else ->
 * a one-line internal error (the stack only with --debug) and exit 1.
 *
 * Each command lives in lib/cli/commands/<name>.ts and exports
 * `register(program)`; the list below is the whole CLI.
 */
import { Command, CommanderError } from "commander";
import { clean } from "../render/sanitize.js";
import { userDiagnostics } from "./errors.js";
import { EXIT } from "./exit.js";
import { allowColor, printDiagnostics } from "./output.js";
import { EXOFORM_VERSION } from "./version.js";
import { resolveClockMode } from "../../providers/simulated/index.js";
import { PROVIDER_OPTION_HELP, resolveProviderKind } from "./provider.js";
// commands (one import per command module)
import { register as registerSynth } from "./commands/synth.js";
import { register as registerValidate } from "./commands/validate.js";
import { register as registerPlan } from "./commands/plan.js";
import { register as registerApply } from "./commands/apply.js";
import { register as registerDrift } from "./commands/drift.js";
import { register as registerExport } from "./commands/export.js";
import { register as registerTenant } from "./commands/tenant.js";
import { register as registerForceUnlock } from "./commands/force-unlock.js";
import { register as registerReconcile } from "./commands/reconcile.js";
import { register as registerDemo } from "./commands/demo.js";
import { register as registerDoctor } from "./commands/doctor.js";
import { register as registerShow } from "./commands/show.js";
import { register as registerImport } from "./commands/import.js";
import { register as registerCompletion } from "./commands/completion.js";
import { register as registerInit } from "./commands/init.js";

const COMMANDS: Array<(program: Command) => void> = [
  registerSynth,
  registerValidate,
  registerPlan,
  registerApply,
  registerDrift,
  registerExport,
  registerTenant,
  registerForceUnlock,
  registerReconcile,
  registerDemo,
  registerDoctor,
  registerInit,
  registerShow,
  registerImport,
  registerCompletion,
];

/** Set by a command to its exit code when it is not plain success. */
export interface CommandResult {
  exitCode: number;
}

export function buildProgram(): Command {
  const program = new Command("exoform")
    .description("Plan and apply Exchange Online shared mailboxes, their members and permission grants, as code")
    .option("--debug", "print stack traces and internal detail on errors")
    .option("--clock <mode>", "the simulated tenant's clock: virtual (waits take no time; the default) or real (for demonstrations); same as EXOFORM_CLOCK")
    .option("--provider <name>", PROVIDER_OPTION_HELP)
    .option("--no-color", "no colour in any output (as NO_COLOR=1)")
    .option("--no-input", "never prompt: what would ask fails instead, naming the option that answers it (as off a terminal)")
    .version(EXOFORM_VERSION, "-V, --version", "print exoform's version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // --clock and --provider are read where tenants are opened (lib/cli/provider.ts), through the environment variables they mirror;
  // --no-color holds for this run only (main runs several times in one process in tests)
  program.hook("preAction", (root) => {
    const { clock, provider, color } = root.opts() as { clock?: string; provider?: string; color?: boolean };
    allowColor(color !== false);
    if (clock !== undefined) process.env["EXOFORM_CLOCK"] = resolveClockMode(clock);
    if (provider !== undefined) process.env["EXOFORM_PROVIDER"] = resolveProviderKind(provider);
  });
  for (const register of COMMANDS) register(program);
  return program;
}

/** Streams whose errors are already ignored (main runs more than once in tests). */
const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * A reader that went away (`exoform apply plan.json | head -3`, a closed
 * terminal) makes writes to stdout or stderr fail with EPIPE, which Node
 * raises as an unhandled 'error' event: a stack trace, and an apply killed
 * part-way with its lock held. Output nobody reads is not a reason to stop:
 * such errors are ignored, the command runs to its end and exits with its own
 * code (an apply finishes, journals and releases the lock; a read command
 * just ends).
 */
export function ignoreClosedOutput(streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on("error", () => {
      // EPIPE, ERR_STREAM_DESTROYED (writes after the pipe closed), EIO on a vanished terminal: nothing can be shown anyway
    });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  ignoreClosedOutput();
  const program = buildProgram();
  const debug = argv.includes("--debug");
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    return reportError(e, debug);
  }
}

/** The lines on stderr for an error that ended a command, and the exit code: the single top-level catch. */
export function reportError(e: unknown, debug: boolean): number {
  if (e instanceof CommanderError) {
    // help and version exit 0; usage errors were already printed by commander
    return e.exitCode === 0 ? EXIT.ok : EXIT.error;
  }
  // bad input, a refusal by the service, a wrong path: the user's to fix, shown as diagnostics (control characters made visible)
  const diagnostics = userDiagnostics(e);
  if (diagnostics !== undefined) {
    printDiagnostics(diagnostics);
    if (debug) process.stderr.write(`${(e as Error).stack ?? ""}\n`);
    return EXIT.error;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`${clean(`error: internal: ${err.message}`)}${debug ? "" : " (run with --debug for the stack trace)"}\n`);
  if (debug) process.stderr.write(`${err.stack ?? ""}\n`);
  return EXIT.error;
}
