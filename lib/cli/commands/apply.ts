/**
 * `exoform apply [plan.json]`: execute a plan against the tenant.
 *
 * - With a saved plan: apply exactly that plan (it was reviewed; no prompt).
 *   It is verified by re-reading every action's effect, and, when --desired
 *   or --app is given (it must be the desired state the plan was made from),
 *   by planning again: "converged" means the new plan is empty.
 * - Without: plan now (only the --target mailboxes, if given), show the
 *   plan, ask y/N on a terminal; elsewhere, or with --no-input, --auto-approve
 *   is required. Verified by planning again.
 * - The tenant lock held by another apply fails it at once, or after
 *   --lock-timeout of waiting (saying for whom it waits).
 *
 * Exit: 0 applied and converged; 1 an error, a refused plan or a failed
 * action (the output says exactly what was done); 2 applied, but differences
 * remain (plan and apply again); 130, 143, 129 stopped by SIGINT, SIGTERM,
 * SIGHUP after the writes in flight finished (lib/cli/interrupt.ts; the
 * summary names the command that resumes).
 */
import type { Command } from "commander";
import { createInterface } from "node:readline/promises";
import {
  applyPlan,
  checkPlanDocument,
  FileJournal,
  FileLockStore,
  journalPath,
  PlainProgress,
  TtyProgress,
  verifyByReplanning,
  type ActionResult,
  type ApplyResult,
  type ProgressReporter,
} from "../../apply/index.js";
import { UserError } from "../../diagnostics/errors.js";
import type { CanonicalDesiredState } from "../../model/normalize.js";
import { plan as makePlan } from "../../plan/index.js";
import type { PlanDocument } from "../../plan/types.js";
import { digestOf } from "../../private/canonical-json.js";
import { observe } from "../../provider/observe.js";
import type { ITenantProvider } from "../../provider/provider.js";
import { renderPlan } from "../../render/index.js";
import { clean } from "../../render/sanitize.js";
import { loadDesired } from "../desired.js";
import { readPlanFile } from "../plan-file.js";
import { EXIT } from "../exit.js";
import { canPrompt, isTty, printDiagnostics, printJson } from "../output.js";
import { withJsonErrors } from "../json-errors.js";
import { collect, formatOf, formatOption, TEXT_OR_JSON, parseDuration, wantsJson, type FormatOptions } from "../options.js";
import { formatWait, type LockInfo } from "../../apply/lock.js";
import { TENANT_OPTION_HELP } from "../tenant.js";
import { openProvider, reportCost, type OpenedProvider } from "../provider.js";
import { exitAfterInterruption, interruptOnSignals, shellCommand, SIGNAL_EXIT_CODES, type ApplyInterruption, type StopSignal } from "../interrupt.js";

interface ApplyCliOptions extends FormatOptions {
  readonly desired?: string;
  readonly app?: string;
  readonly stack?: string;
  readonly tenant?: string;
  readonly autoApprove?: boolean;
  readonly parallelism?: string;
  readonly stateDir?: string;
  readonly target: string[];
  readonly lockTimeout: string;
}

const FORMATS = TEXT_OR_JSON;

function parseParallelism(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new UserError(`--parallelism ${value} is not valid; give a whole number from 1 to 64 (default 64: apply adapts below it to the service's pace)`, "usage");
  }
  return n;
}

export function register(program: Command): void {
  const command = program
    .command("apply")
    .description("apply a saved plan, or plan and apply after approval (exit 0: converged, 1: error or failure, 2: differences remain)")
    .argument("[plan]", "a saved plan from exoform plan --out <file>; without it, plan now and ask")
    .option("--desired <file>", "a desired-state JSON document")
    .option("--app <command>", 'the program that synthesizes the stacks (default: "app" in cdktf.json)')
    .option("--stack <name>", "the stack to apply, when the app synthesizes several")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .option("--auto-approve", "apply without asking (required when not on a terminal or with --no-input)")
    .option("--parallelism <n>", "most writes at once (default 64; apply adapts below it to the service's pace); actions on one mailbox always run one at a time")
    .option("--state-dir <dir>", "where apply journals are kept (default: the .exoform folder of the tenant)")
    .option("--target <address>", "without a saved plan: plan and apply only this mailbox (and the accounts it touches); repeatable", collect, [])
    .option("--lock-timeout <duration>", "wait this long for another apply's tenant lock (e.g. 30s, 5m) instead of failing at once", "0s")
    .action((planFile: string | undefined, options: ApplyCliOptions, command: Command) =>
      withJsonErrors(wantsJson(options), () => applyCommand(planFile, options, command)),
    );
  formatOption(command, FORMATS, "text", "output format (json: the result document, schema/apply-result.schema.json, on stdout)");
}

/** Apply a saved plan, or plan now and apply after approval; see the head of this file. */
async function applyCommand(planFile: string | undefined, options: ApplyCliOptions, command: Command): Promise<void> {
  const json = formatOf(options, FORMATS, "an apply output") === "json";
  const parallelism = options.parallelism === undefined ? undefined : parseParallelism(options.parallelism);
  const lockTimeoutMs = parseDuration(options.lockTimeout, "--lock-timeout");
  if (planFile !== undefined && options.target.length > 0) {
    throw new UserError(
      `--target cannot narrow a saved plan (${planFile}): it is applied exactly as reviewed; make a targeted plan with exoform plan --target <address> --out <file>, or apply without a plan file; nothing was changed`,
      "usage",
    );
  }
  const interactive = canPrompt(command);
  if (planFile === undefined && !options.autoApprove && !interactive) {
    throw new UserError(
      "apply needs approval: not on a terminal, so pass --auto-approve to apply without asking (with --no-input nothing is ever asked), or apply a reviewed plan file (exoform plan --out plan.json, then exoform apply plan.json); nothing was changed",
      "approval_required",
    );
  }
  const saved = planFile !== undefined ? readPlanFile(planFile) : null;
  const wantsDesired = planFile === undefined || options.desired !== undefined || options.app !== undefined;
  const desired = wantsDesired ? loadDesiredState(options) : null;
  if (saved !== null && desired !== null && digestOf(desired) !== saved.desiredDigest) {
    throw new UserError(
      `${planFile}: the desired state given (${options.desired ?? options.app ?? "cdktf.json app"}) is not the one this plan was made from (desiredDigest differs); pass the same desired state to verify against, or none to verify the plan's own effects; nothing was changed`,
      "desired_mismatch",
    );
  }

  const opened = await openProvider(options);
  const tenant = opened.provider;
  let interruption: ApplyInterruption | null = null;
  try {
    // a saved plan says where its tag goes (tenant.managementAttribute, when not the default)
    await opened.prepare(desired ?? preparedBy(saved!));
    const doc = saved ?? (await planNow(tenant, desired!, { json, autoApprove: options.autoApprove === true, targets: options.target }, interactive));
    const journal = new FileJournal(
      journalPath(opened.stateDir, doc.contentDigest, tenant.instance),
      { journal: 1, planId: doc.contentDigest, tenantId: doc.tenantId, tenantInstance: tenant.instance },
    );
    const progress: ProgressReporter = process.stderr.isTTY === true ? new TtyProgress(process.stderr) : new PlainProgress(process.stderr);
    // SIGINT, SIGTERM, SIGHUP: no new action starts, the writes in flight finish, the journal is flushed and
    // the lock released, then the summary and exit 130/143/129; a third signal exits at once (lib/cli/interrupt.ts)
    const resumeCommand = resumeCommandOf(command);
    interruption = interruptOnSignals({ resumeCommand, flushJournalNow: () => journal.flushNowSync() });
    let result: ApplyResult;
    try {
      result = await applyPlan(doc, tenant, {
        ...(parallelism !== undefined ? { parallelism } : {}),
        journal,
        lock: new FileLockStore(opened.lockPath, undefined, {
          timeoutMs: lockTimeoutMs,
          signal: interruption.signal,
          onWait: (held, waitedMs) => process.stderr.write(`${clean(lockWaitLine(held, waitedMs, lockTimeoutMs))}\n`),
        }),
        // the signal handler has said what an interruption does (and that a second signal does not kill)
        onEvent: (e) => e.type !== "interrupted" && progress.onEvent(e),
        signal: interruption.signal,
      });
    } catch (e) {
      throw withResumeCommand(e, resumeCommand);
    } finally {
      progress.close?.();
      await journal.close();
    }
    if (desired !== null) {
      result = await verifyByReplanning(result, tenant, desired, doc, {
        onUnreadable: (e) => process.stderr.write(`${clean(`warning: the tenant could not be read to verify the apply (${e.operation}: ${e.code}: ${e.message}); run exoform plan to check it`)}\n`),
      });
    }
    const cost = opened.cost();
    if (cost !== null) result = { ...result, cost };
    if (json) printJson(result);
    else process.stdout.write(renderResult(result));
    process.exitCode = result.summary.failed > 0 || result.summary.notStarted > 0 ? EXIT.error : result.converged ? EXIT.ok : EXIT.changes;
    if (interruption.received !== null) {
      process.stderr.write(interruptedSummary(result, interruption.received, resumeCommand));
      exitAfterInterruption(SIGNAL_EXIT_CODES[interruption.received]);
    }
  } finally {
    interruption?.dispose();
    await opened.close();
  }
  if (!json) reportCost(opened);
}

/** What a waiting apply says while another holds the tenant lock. */
function lockWaitLine(held: LockInfo, waitedMs: number, timeoutMs: number): string {
  return `waiting for the tenant lock held by ${held.who} (pid ${held.pid}, applying plan ${held.planId} since ${held.since}): ${formatWait(waitedMs)} of ${formatWait(timeoutMs)} waited`;
}

/** The command line this apply was started with, to run again to resume it. */
function resumeCommandOf(command: Command): string {
  let root: Command = command;
  while (root.parent !== null) root = root.parent;
  const raw = (root as unknown as { rawArgs?: readonly string[] }).rawArgs ?? [];
  return shellCommand(["exoform", ...(raw.length > 2 ? raw.slice(2) : process.argv.slice(2))]);
}

/** An apply stopped by a signal: which one, that the lock is released, and the exact command that resumes. */
function interruptedSummary(result: ApplyResult, signal: StopSignal, resumeCommand: string): string {
  const s = result.summary;
  if (s.notStarted === 0 && s.failed === 0) {
    return `stopped by ${signal} after every action had run: nothing is left to resume; the tenant lock is released\n`;
  }
  return (
    `apply stopped by ${signal}: ${s.done + s.skipped} of ${s.total} actions done, ${s.failed} failed, ${s.notStarted} not started; ` +
    `the writes that were in flight finished, the journal keeps what is done and the tenant lock is released.\n` +
    `To resume, run: ${resumeCommand}\n`
  );
}

/** A journal that could not be written stops the apply: its report ends with the exact command that resumes. */
function withResumeCommand(e: unknown, resumeCommand: string): unknown {
  if (!UserError.is(e) || !e.diagnostics.some((d) => d.code === "journal_failed")) return e;
  return new UserError([...e.diagnostics, { severity: "error", code: "journal_failed", target: "", message: `once the cause is fixed, resume with: ${resumeCommand}` }]);
}

function loadDesiredState(options: ApplyCliOptions): CanonicalDesiredState {
  const loaded = loadDesired(options);
  printDiagnostics(loaded.diagnostics);
  return loaded.state;
}

/** Plan against the tenant now, show the plan, and get approval (y/N on a terminal, or --auto-approve). */
async function planNow(
  tenant: ITenantProvider,
  desired: CanonicalDesiredState,
  options: { readonly json: boolean; readonly autoApprove: boolean; readonly targets: readonly string[] },
  interactive: boolean,
): Promise<PlanDocument> {
  const doc = makePlan(desired, await observe(tenant), options.targets.length > 0 ? { targets: options.targets } : {});
  // stdout carries the result document with --json: the plan goes to stderr then
  const out = options.json ? process.stderr : process.stdout;
  out.write(renderPlan(doc, "text", { color: isTty(out as NodeJS.WriteStream) }));
  checkPlanDocument(doc);
  if (doc.actions.length === 0 || options.autoApprove) return doc;
  if (!interactive) throw new UserError("apply needs approval: not on a terminal (or --no-input given), so pass --auto-approve; nothing was changed", "approval_required");
  const destructive = doc.summary.destructive > 0 ? `, ${doc.summary.destructive} destructive` : "";
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  let answer: string;
  try {
    answer = await rl.question(`\nApply ${doc.actions.length} actions${destructive} to tenant "${doc.tenantId}"? [y/N] `);
  } finally {
    rl.close();
  }
  if (!/^y(es)?$/i.test(answer.trim())) throw new UserError("apply cancelled: nothing was changed", "apply_cancelled");
  return doc;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The human summary: what was done, what failed (with the service's words), what was not started, and convergence.
 * Ids, targets, descriptions and the service's messages are input: each line shows control characters visibly.
 */
export function renderResult(result: ApplyResult): string {
  const s = result.summary;
  const lines: string[] = [];
  const byStatus = (status: ActionResult["status"]) => result.actions.filter((a) => a.status === status);
  const counts = `${s.done} done, ${s.skipped} already in effect, ${s.failed} failed, ${s.notStarted} not started (${plural(s.total, "action")}, ${(s.durationMs / 1000).toFixed(1)} s)`;
  if (s.failed > 0 || s.notStarted > 0) {
    lines.push(`${s.failed > 0 ? "Apply failed" : "Apply interrupted"}: ${counts}.`);
    const failed = byStatus("failed");
    if (failed.length > 0) lines.push("", "Failed:");
    for (const a of failed) lines.push(`  ${a.id}: ${a.error?.code ?? "error"}: ${a.error?.message ?? ""}`);
    const notStarted = byStatus("not_started");
    if (notStarted.length > 0) {
      lines.push("", "Not started:");
      for (const a of notStarted) lines.push(`  ${a.id}`);
    }
    lines.push("", `Everything done is journaled: ${s.failed > 0 ? "fix the cause, then " : ""}run the same apply again to resume where it stopped.`);
  } else {
    lines.push(`Apply complete${result.resumed ? " (resumed)" : ""}: ${counts}.`);
    if (result.verification.method === "none") lines.push("Not verified.");
    else if (result.converged) lines.push(`Converged: the tenant matches the ${result.verification.method === "replan" ? "desired state" : "plan"}.`);
    else {
      lines.push(`Not converged: ${plural(result.verification.remaining.length, "difference")} remain; run exoform plan to review them:`);
      for (const d of result.verification.remaining) lines.push(`  ${d.type} ${d.target}: ${d.description}`);
    }
  }
  return `${lines.map(clean).join("\n")}\n`;
}

/** What a saved plan tells the provider before apply: the tenant, where the management tag goes, the mailboxes it touches. */
function preparedBy(saved: PlanDocument): Parameters<OpenedProvider["prepare"]>[0] {
  const tenant = { id: saved.tenantId, ...(saved.managementAttribute !== undefined ? { managementAttribute: saved.managementAttribute } : {}) };
  return { tenant, sharedMailboxes: saved.actions.map((a) => ({ address: a.target })) };
}
