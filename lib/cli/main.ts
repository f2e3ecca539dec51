/**
 * The exoform command line: argv in, exit code out. The single place that
 * catches errors: UserError -> its diagnostics and exit 1; anything else ->
 * a one-line internal error (the stack only with --debug) and exit 1.
 *
 * Each command lives in lib/cli/commands/<name>.ts and exports
 * `register(program)`; the list below is the whole CLI.
 */
import { Command, CommanderError } from "commander";
import { UserError } from "../diagnostics/errors.js";
import { ProviderError } from "../provider/errors.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { EXIT } from "./exit.js";
import { printDiagnostics } from "./output.js";
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
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // --clock and --provider are read where tenants are opened (lib/cli/provider.ts), through the environment variables they mirror
  program.hook("preAction", (root) => {
    const { clock, provider } = root.opts() as { clock?: string; provider?: string };
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
    return handleError(e, debug);
  }
}

function handleError(e: unknown, debug: boolean): number {
  if (e instanceof CommanderError) {
    // help and version exit 0; usage errors were already printed by commander
    return e.exitCode === 0 ? EXIT.ok : EXIT.error;
  }
  if (UserError.is(e)) {
    printDiagnostics(e.diagnostics);
    if (debug) process.stderr.write(`${e.stack ?? ""}\n`);
    return EXIT.error;
  }
  if (ProviderError.is(e)) {
    process.stderr.write(`error: ${e.target}: ${e.operation} failed: ${e.code}: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack ?? ""}\n`);
    return EXIT.error;
  }
  const fsError = fileSystemDiagnostic(e);
  if (fsError !== undefined) {
    printDiagnostics([fsError]);
    if (debug) process.stderr.write(`${(e as Error).stack ?? ""}\n`);
    return EXIT.error;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`error: internal: ${err.message}${debug ? "" : " (run with --debug for the stack trace)"}\n`);
  if (debug) process.stderr.write(`${err.stack ?? ""}\n`);
  return EXIT.error;
}

/** Why a file-system call on a path someone gave (--out, --desired, --tenant, --parts-dir...) failed, and what to do. */
const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory; check the path",
  EISDIR: "it is a directory, a file was expected; give a file's path",
  ENOTDIR: "a part of the path is a file, not a directory; check the path",
  EEXIST: "a file of that name is in the way of a directory; choose another path or move the file",
  EACCES: "permission denied; check the permissions of the path",
  EPERM: "operation not permitted; check the permissions of the path",
  EROFS: "the file system is read-only; choose a writable path",
  ENOSPC: "no space left on the device; free some space",
};

/**
 * A Node file-system error (ENOENT, EISDIR, EACCES...) as a diagnostic that
 * names the path and the fix: a wrong path on the command line is the
 * user's to fix, never an "internal" error.
 */
export function fileSystemDiagnostic(e: unknown): Diagnostic | undefined {
  if (!(e instanceof Error)) return undefined;
  const { code, syscall, path } = e as NodeJS.ErrnoException;
  const reason = code !== undefined ? FS_REASONS[code] : undefined;
  if (reason === undefined || syscall === undefined) return undefined;
  return { severity: "error", code: "file_system", target: path ?? "", message: `${syscall} failed: ${reason}` };
}
