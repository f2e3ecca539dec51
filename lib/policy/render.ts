/**
 * Policy results for people and pipelines: text (terminal), markdown (the
 * plan comment on a pull request) and json. Mandatory failures come first and
 * are impossible to miss in every format.
 */
import { canonicalJson } from "../private/canonical-json.js";
import { painter } from "../render/glyphs.js";
import { clean, escapeMarkdown } from "../render/sanitize.js";
import { mandatoryFailed } from "./evaluate.js";
import { POLICY_FORMAT_VERSION, type PolicyResult } from "./types.js";

export type PolicyFormat = "text" | "markdown" | "json";

export interface PolicyRenderOptions {
  /** ANSI colour in text output. Default false. */
  readonly color?: boolean;
}

/** The JSON form: { formatVersion, passed, mandatoryFailed, advisoryFailed, results }. */
export interface PolicyReport {
  readonly formatVersion: typeof POLICY_FORMAT_VERSION;
  /** False when any mandatory rule failed. */
  readonly passed: boolean;
  readonly mandatoryFailed: number;
  readonly advisoryFailed: number;
  readonly results: readonly PolicyResult[];
}

export function policyReport(results: readonly PolicyResult[]): PolicyReport {
  const failed = (level: PolicyResult["level"]) => results.filter((r) => r.level === level && !r.passed).length;
  return { formatVersion: POLICY_FORMAT_VERSION, passed: !mandatoryFailed(results), mandatoryFailed: failed("mandatory"), advisoryFailed: failed("advisory"), results };
}

/** "policy: 4 rules, 1 mandatory failed, 1 advisory failed: the plan must not be applied". */
export function policySummaryLine(results: readonly PolicyResult[]): string {
  const r = policyReport(results);
  const rules = `${results.length} rule${results.length === 1 ? "" : "s"}`;
  if (r.mandatoryFailed === 0 && r.advisoryFailed === 0) return `policy: ${rules}, all passed`;
  const verdict = r.passed ? "advisory only, the plan may be applied" : "the plan must not be applied";
  return `policy: ${rules}, ${r.mandatoryFailed} mandatory failed, ${r.advisoryFailed} advisory failed: ${verdict}`;
}

/** Failed mandatory first, then failed advisory, then passed; file order within each. */
function ordered(results: readonly PolicyResult[]): PolicyResult[] {
  const rank = (r: PolicyResult) => (r.passed ? 2 : r.level === "mandatory" ? 0 : 1);
  return results.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
}

const STATUS = (r: PolicyResult): string => (r.passed ? "pass" : r.level === "mandatory" ? "FAIL" : "warn");

export function renderPolicyResults(results: readonly PolicyResult[], format: PolicyFormat, options: PolicyRenderOptions = {}): string {
  if (format === "json") return `${canonicalJson(policyReport(results), 2)}\n`;
  if (format === "markdown") return renderMarkdown(results);
  const paint = painter(options.color ?? false);
  const lines = [paint(policySummaryLine(results), mandatoryFailed(results) ? "boldRed" : "bold")];
  for (const r of ordered(results)) {
    const status = STATUS(r);
    const marker = paint(`[${status} ${r.level}]`, status === "FAIL" ? "boldRed" : status === "warn" ? "yellow" : "green");
    lines.push(`  ${marker} ${clean(r.ruleId)}: ${clean(r.description)}`);
    for (const v of r.violations) lines.push(`      ${clean(v.target)}: ${clean(v.message)}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The verdict as one markdown line (":x: **policy: ... the plan must not be
 * applied**"): heads the policy section, and the plan comment shows it at the
 * top next to the plan's summary.
 */
export function policyVerdictMarkdown(results: readonly PolicyResult[]): string {
  const line = escapeMarkdown(policySummaryLine(results));
  const report = policyReport(results);
  if (!report.passed) return `:x: **${line}**`;
  return report.advisoryFailed > 0 ? `:warning: **${line}**` : `:white_check_mark: ${line}`;
}

function renderMarkdown(results: readonly PolicyResult[]): string {
  const md = escapeMarkdown;
  const lines = ["### Policy", "", policyVerdictMarkdown(results)];
  if (results.length > 0) {
    lines.push("", "| rule | level | result | violations | description |", "|---|---|---|---|---|");
    for (const r of ordered(results)) {
      const status = r.passed ? "pass" : r.level === "mandatory" ? "**FAIL**" : "warn";
      lines.push(`| \`${md(r.ruleId).replace(/`/g, "")}\` | ${r.level} | ${status} | ${r.violations.length} | ${md(r.description)} |`);
    }
  }
  const failed = ordered(results).filter((r) => !r.passed);
  for (const r of failed) {
    lines.push("", `**${md(r.ruleId)}** (${r.level}):`, "");
    for (const v of r.violations) lines.push(`- ${md(v.target)}: ${md(v.message)}`);
  }
  return `${lines.join("\n")}\n`;
}
