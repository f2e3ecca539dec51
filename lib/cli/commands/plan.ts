/**
 * `exoform plan`: load the desired state, observe the tenant, plan, and show
 * the plan (text, markdown or json); --out saves the plan document for
 * `exoform apply`. Exit 1 when the plan has errors (it then has no actions
 * and is not saved); with --detailed-exitcode, 0 means no changes and 2
 * means changes are present. With EXOFORM_PLAN_KEY set, the plan saved with
 * --out is signed (lib/plan/document.ts), so apply can refuse an edited one;
 * the key itself is never printed or written.
 */
import type { Command } from "commander";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "../../diagnostics/errors.js";
import type { CanonicalDesiredState } from "../../model/normalize.js";
import { planKeyFrom } from "../../apply/check-plan.js";
import { planKeyId, signPlan, type DraftPlan } from "../../plan/document.js";
import { planDraft } from "../../plan/planner.js";
import type { PlanOptions, PlanView } from "../../plan/types.js";
import { writeFileAtomicSync } from "../../private/atomic-file.js";
import { canonicalJsonChunks } from "../../private/canonical-json.js";
import type { ObservedState } from "../../provider/observed.js";
import {
  evaluatePolicy,
  loadPolicy,
  mandatoryFailed,
  policyContextFromDesired,
  policyContextFromObserved,
  policyDiagnostics,
  renderPolicyResults,
  type PolicyResult,
} from "../../policy/index.js";
import type { ITenantProvider } from "../../provider/provider.js";
import { GITHUB_COMMENT_LIMIT, renderMarkdown, renderMarkdownParts, renderPlan, type RenderFormat } from "../../render/index.js";
import type { MarkdownOptions } from "../../render/markdown.js";
import { policyVerdictMarkdown } from "../../policy/render.js";

import { loadDesired, readJsonFile, validatedOrThrow } from "../desired.js";
import { EXIT } from "../exit.js";
import { isTty, printDiagnostics, terminalSafeJson } from "../output.js";
import { TENANT_OPTION_HELP, observeFor } from "../tenant.js";
import { openProvider, reportCost } from "../provider.js";
import { collect, formatOf, formatOption, wantsJson, type FormatOptions } from "../options.js";
import { withJsonErrors } from "../json-errors.js";

const FORMATS: readonly RenderFormat[] = ["text", "markdown", "json"];

interface PlanCliOptions extends FormatOptions {
  readonly app?: string;
  readonly desired?: string;
  readonly stack?: string;
  readonly tenant?: string;
  readonly out?: string;
  readonly detailedExitcode?: boolean;
  readonly target: string[];
  readonly policy?: string;
  readonly partsDir?: string;
  readonly previous?: string;
}

export function register(program: Command): void {
  const command = program
    .command("plan")
    .description("show what apply would change in the tenant (exit 1 on errors; with --detailed-exitcode 0: no changes, 2: changes)")
    .option("--desired <file>", "a desired-state JSON document")
    .option("--app <command>", 'the program that synthesizes the stacks (default: "app" in cdktf.json)')
    .option("--stack <name>", "the stack to plan, when the app synthesizes several")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .option("--out <file>", "save the plan document (canonical JSON) for exoform apply")
    .option("--detailed-exitcode", "exit 0 when there are no changes and 2 when there are")
    .option("--target <address>", "plan only this mailbox (and the accounts it touches); repeatable", collect, [])
    .option("--parts-dir <dir>", "also write the markdown plan as plan-1.md, plan-2.md... each under 65,000 characters (one pull-request comment each)")
    .option("--previous <file>", "the desired state the tenant was last applied from (in a pull request: the base branch's desired-state.json); the plan then notes mailboxes that left the code and are kept, and permissionsMode changes")
    .option("--policy <file>", "check the plan against a policy file (schema/policy.schema.json); a failed mandatory rule exits 1 and saves nothing")
    // with --format json, an error that stops it before planning comes out on stdout too (a diagnostics report)
    .action((options: PlanCliOptions) => withJsonErrors(wantsJson(options), (printed) => planCommand(options, printed)));
  formatOption(command, FORMATS, "text");
}

async function planCommand(options: PlanCliOptions, printed: () => void): Promise<void> {
  const format = formatOf(options, FORMATS, "a plan");
  // --out signs the saved plan when EXOFORM_PLAN_KEY is set (read first: a key too short fails before the tenant is read)
  const key = options.out !== undefined ? planKeyFrom(process.env) : undefined;
  const loaded = loadDesired(options);
  printDiagnostics(loaded.diagnostics);
  const previous = options.previous !== undefined ? validatedOrThrow(readJsonFile(resolve(options.previous), "a desired-state JSON document"), options.previous).state : undefined;
  const policy = options.policy !== undefined ? loadPolicy(resolve(options.policy)) : undefined;
  const opened = await openProvider(options);
  let draft: DraftPlan;
  let observed: ObservedState;
  try {
    await opened.prepare(loaded.state);
    const planOptions = { ...(options.target.length > 0 ? { targets: options.target } : {}), ...(previous !== undefined ? { previous } : {}) };
    ({ draft, observed } = await planAgainst(opened.provider, loaded.state, planOptions));
  } finally {
    await opened.close();
  }
  reportCost(opened);
  // digests and fingerprints are computed only for what shows or keeps them: --out and JSON (lib/plan/document.ts)
  const doc = draft.view;
  const failed = doc.diagnostics.filter((d) => d.severity === "error");
  if (failed.length > 0) {
    // A pipeline asking for json still gets the document (with its diagnostics); nothing is saved.
    if (format === "json") {
      process.stdout.write(terminalSafeJson(renderPlan(draft.seal(), "json", { color: false })));
      printed();
    }
    if (options.partsDir !== undefined) writeMarkdownParts(options.partsDir, doc, "");
    throw new UserError(doc.diagnostics);
  }
  const results: PolicyResult[] = policy ? evaluatePolicy(doc, policy, { ...policyContextFromObserved(observed), ...policyContextFromDesired(loaded.state) }) : [];
  const refused = mandatoryFailed(results);
  printDiagnostics(policyDiagnostics(results)); // stderr: visible whatever the --format
  // the policy verdict heads the comment, next to the summary; the full policy section ends it
  const markdown = results.length > 0 ? { verdict: policyVerdictMarkdown(results) } : {};
  if (options.partsDir !== undefined) {
    const policyMarkdown = results.length > 0 ? `\n${renderPolicyResults(results, "markdown", { color: false })}` : "";
    writeMarkdownParts(options.partsDir, doc, policyMarkdown, markdown);
  }
  if (options.out !== undefined && !refused) {
    const file = resolve(options.out);
    mkdirSync(dirname(file), { recursive: true });
    writeJsonFile(file, key !== undefined ? signPlan(draft.seal(), key) : draft.seal());
  }
  // JSON keeps input as it is, but DEL, C1 and bidi controls are escaped so they never reach a terminal raw
  const rendered = format === "json" ? renderPlan(draft.seal(), "json") : format === "markdown" ? renderMarkdown(doc, markdown) : renderPlan(doc, "text", { color: isTty() });
  process.stdout.write(format === "json" ? terminalSafeJson(rendered) : rendered);
  if (results.length > 0 && format !== "json") {
    process.stdout.write(`\n${renderPolicyResults(results, format, { color: format === "text" && isTty() })}`);
  }
  if (refused) {
    process.exitCode = EXIT.error;
    return;
  }
  if (options.out !== undefined && format !== "json") {
    const signed = key !== undefined ? ` (signed with key ${planKeyId(key)})` : "";
    process.stdout.write(`\nplan saved to ${options.out}${signed}; run: exoform apply ${options.out}\n`);
  }
  if (options.detailedExitcode === true && doc.actions.length > 0) process.exitCode = EXIT.changes;
}

/** Observe `provider` and plan `desired` against it (a draft: sealed when it is saved or shown as JSON). A failed read is an error: nothing is planned from a partial picture. */
export async function planAgainst(
  provider: ITenantProvider,
  desired: CanonicalDesiredState,
  options: PlanOptions = {},
): Promise<{ draft: DraftPlan; observed: ObservedState }> {
  const observed = await observeFor(provider, desired, "nothing was planned", "plan");
  return { draft: planDraft(desired, observed, options), observed };
}

/**
 * Write `doc` as canonical JSON, piece by piece (a plan of hundreds of
 * thousands of actions is more than one string can hold), atomically and
 * mode 0600 (lib/private/atomic-file.ts): a reader never sees half a plan.
 */
function writeJsonFile(file: string, doc: unknown): void {
  writeFileAtomicSync(file, (function* () {
    yield* canonicalJsonChunks(doc, 2);
    yield "\n";
  })());
}

/**
 * The markdown plan as plan-1.md .. plan-N.md in `dir`, each small enough for
 * one pull-request comment; `tail` (the policy section) ends the last part.
 * Parts left from an earlier, longer plan are removed.
 */
function writeMarkdownParts(dir: string, doc: PlanView, tail: string, options: MarkdownOptions = {}): void {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  for (const name of readdirSync(folder)) if (/^plan-\d+\.md$/.test(name)) rmSync(join(folder, name));
  const parts = renderMarkdownParts(doc, GITHUB_COMMENT_LIMIT - tail.length, options);
  parts.forEach((part, i) => {
    const text = i === parts.length - 1 ? `${part}${tail}` : part;
    writeFileAtomicSync(join(folder, `plan-${i + 1}.md`), text.endsWith("\n") ? text : `${text}\n`);
  });
  process.stderr.write(`wrote the markdown plan in ${parts.length} part${parts.length === 1 ? "" : "s"} to ${dir}\n`);
}
