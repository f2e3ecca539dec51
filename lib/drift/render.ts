/**
 * Drift report renderers: text (terminal; grouped by mailbox, severity
 * markers, colour only when asked), markdown (an issue body: summary line,
 * table, details per mailbox) and json (the report itself, canonical).
 * They read only the DriftReport, never the tenant.
 */
import { canonicalJson } from "../private/canonical-json.js";
import { painter, type Paint, type Style } from "../render/glyphs.js";
import { clean, escapeMarkdown } from "../render/sanitize.js";
import { SEVERITIES, type DriftItem, type DriftReport, type DriftSeverity, type DriftValue } from "./types.js";

export type DriftFormat = "text" | "markdown" | "json";
export const DRIFT_FORMATS: readonly DriftFormat[] = ["text", "markdown", "json"];

export interface DriftRenderOptions {
  /** ANSI colour in text output. Default false. */
  readonly color?: boolean;
}

export function renderDrift(report: DriftReport, format: DriftFormat, options: DriftRenderOptions = {}): string {
  switch (format) {
    case "json":
      return `${canonicalJson(report, 2)}\n`;
    case "markdown":
      return renderMarkdown(report);
    case "text":
      return renderText(report, options.color ?? false);
  }
}

const SEVERITY_STYLE: Readonly<Record<DriftSeverity, Style>> = { critical: "boldRed", high: "red", medium: "yellow", low: "dim" };

/** "3 drifted items (1 critical, 2 high) on 2 mailboxes; 2 pending; 1 ignored", or the no-drift line. */
export function driftSummaryLine(report: DriftReport): string {
  const tail = `${report.pending} pending (not drift), ${report.ignored} ignored`;
  if (!report.drifted) return `no drift: the tenant matches the desired state; ${tail}`;
  const bySeverity = SEVERITIES.filter((s) => report.summary[s] > 0).map((s) => `${report.summary[s]} ${s}`);
  const mailboxes = new Set(report.items.map((i) => i.mailbox)).size;
  return `${plural(report.summary.total, "drifted item")} (${bySeverity.join(", ")}) on ${plural(mailboxes, "mailbox", "mailboxes")}; ${tail}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 shared mailboxes in the tenant no stack declares (information, not drift; --unmanaged lists them)", or undefined. */
export function unmanagedLine(report: DriftReport): string | undefined {
  const u = report.unmanaged;
  if (u === undefined) return undefined;
  const list = u.mailboxes !== undefined ? "" : "; exoform drift --unmanaged lists them, exoform export adopts them";
  return `${plural(u.count, "shared mailbox", "shared mailboxes")} in the tenant no stack declares (information, not drift${list})`;
}

function formatValue(v: DriftValue): string {
  if (Array.isArray(v)) return v.length === 0 ? "(none)" : v.join(", ");
  return String(v);
}

/** "fullAccess ann.lee@contoso.com", "license". */
function subject(i: DriftItem): string {
  return i.trustee !== undefined ? `${i.field} ${i.trustee}` : i.field;
}

function groupByMailbox(items: readonly DriftItem[]): Map<string, DriftItem[]> {
  const groups = new Map<string, DriftItem[]>();
  for (const i of items) {
    const list = groups.get(i.mailbox);
    if (list) list.push(i);
    else groups.set(i.mailbox, [i]);
  }
  return groups;
}

function renderText(report: DriftReport, color: boolean): string {
  const paint: Paint = painter(color);
  const lines: string[] = [
    paint(`exoform drift: stack ${clean(report.stack)}, tenant ${clean(report.tenantId)}, observed ${report.observedAt}`, "bold"),
    driftSummaryLine(report),
  ];
  const unmanaged = unmanagedLine(report);
  if (unmanaged !== undefined) lines.push(paint(unmanaged, "dim"));
  for (const [mailbox, items] of groupByMailbox(report.items)) {
    lines.push("", paint(clean(mailbox), "bold"));
    for (const i of items) {
      const marker = paint(`[${i.severity}]`.padEnd(10), SEVERITY_STYLE[i.severity]);
      lines.push(`  ${marker} ${clean(subject(i))}: expected ${clean(formatValue(i.expected))}, actual ${clean(formatValue(i.actual))} (${i.code})`);
      lines.push(`             ${clean(i.message)}`);
    }
  }
  if (report.pendingItems.length > 0) {
    lines.push("", paint("pending (not drift: the next apply does these)", "dim"));
    for (const p of report.pendingItems) lines.push(`  ${clean(p.mailbox)}: ${clean(p.message)}`);
  }
  if (report.unmanaged?.mailboxes !== undefined) {
    lines.push("", paint("unmanaged (no stack declares them; information, not drift)", "dim"));
    for (const address of report.unmanaged.mailboxes) lines.push(`  ${clean(address)}`);
  }
  return `${lines.join("\n")}\n`;
}

const MD_SEVERITY: Readonly<Record<DriftSeverity, string>> = {
  critical: "**critical**",
  high: "**high**",
  medium: "medium",
  low: "low",
};

function renderMarkdown(report: DriftReport): string {
  const md = escapeMarkdown;
  const lines: string[] = [
    `## exoform drift: stack \`${md(report.stack).replace(/`/g, "")}\``,
    "",
    `${report.drifted ? "**Drift found.**" : "**No drift.**"} ${md(driftSummaryLine(report))}.`,
    "",
    `Tenant ${md(report.tenantId)}, observed ${report.observedAt}, desired ${report.desiredDigest.slice(0, 19)}.`,
  ];
  const unmanaged = unmanagedLine(report);
  if (unmanaged !== undefined) lines.push("", `${md(unmanaged)}.`);
  if (report.drifted) {
    lines.push("", "| severity | mailbox | field | trustee | expected | actual | code |", "|---|---|---|---|---|---|---|");
    for (const i of report.items) {
      lines.push(
        `| ${MD_SEVERITY[i.severity]} | ${md(i.mailbox)} | ${i.field} | ${md(i.trustee ?? "")} | ${md(formatValue(i.expected))} | ${md(formatValue(i.actual))} | \`${i.code}\` |`,
      );
    }
    lines.push("", "### What happened and how to fix it");
    for (const [mailbox, items] of groupByMailbox(report.items)) {
      lines.push("", `#### ${md(mailbox)}`, "");
      for (const i of items) lines.push(`- ${MD_SEVERITY[i.severity]} \`${i.code}\` (${md(subject(i))}): ${md(i.message)}`);
    }
  }
  if (report.pendingItems.length > 0) {
    lines.push("", `<details><summary>${report.pending} pending (not drift: the next apply does these)</summary>`, "");
    for (const p of report.pendingItems) lines.push(`- ${md(p.mailbox)}: ${md(p.message)}`);
    lines.push("", "</details>");
  }
  if (report.unmanaged?.mailboxes !== undefined) {
    lines.push("", `<details><summary>${report.unmanaged.count} unmanaged (no stack declares them; information, not drift)</summary>`, "");
    for (const address of report.unmanaged.mailboxes) lines.push(`- ${md(address)}`);
    lines.push("", "</details>");
  }
  return `${lines.join("\n")}\n`;
}
