/**
 * Diagnostics as every output shows them: errors first, then warnings, then
 * notes (severity "info"), in
 * the stable order of sortDiagnostics, in the CLI's `error: <where>:
 * <message> [code]` form for terminals and as list items for markdown.
 */
import { formatDiagnostic, SEVERITY_ORDER, sortDiagnostics, type Diagnostic, type Severity } from "../diagnostics/diagnostic.js";
import { painter, type Paint, type Style } from "./glyphs.js";
import { clean, codeSpan, escapeMarkdown } from "./sanitize.js";

const STYLE: Readonly<Record<Severity, Style>> = { error: "boldRed", warning: "boldYellow", info: "bold" };

/** The heading of each severity's block. */
export const SEVERITY_TITLE: Readonly<Record<Severity, string>> = { error: "Errors", warning: "Warnings", info: "Notes" };

export function diagnosticText(d: Diagnostic, paint: Paint): string {
  return `${paint(d.severity, STYLE[d.severity])}${clean(formatDiagnostic(d).slice(d.severity.length))}`;
}

export function diagnosticMarkdown(d: Diagnostic): string {
  const where = [d.target !== "" ? escapeMarkdown(d.target) : "", d.location !== undefined && d.location !== "" ? codeSpan(d.location) : ""].filter((s) => s !== "");
  const label = d.severity === "info" ? "note" : `**${d.severity}**`;
  return `- ${label}${where.length > 0 ? ` ${where.join(" · ")}` : ""}: ${escapeMarkdown(d.message)} ${codeSpan(d.code)}`;
}

export function bySeverity(diagnostics: readonly Diagnostic[], severity: Severity): Diagnostic[] {
  return sortDiagnostics(diagnostics).filter((d) => d.severity === severity);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * The diagnostics block of a plan: `Errors:`, `Warnings:` and `Notes:`
 * sections (text), or `#### Errors` / `#### Warnings` / `#### Notes` lists
 * (markdown). Empty string when there are none.
 */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  format: "text" | "markdown",
  options: { color: boolean } = { color: false },
): string {
  const paint = painter(options.color);
  const blocks: string[] = [];
  for (const severity of SEVERITY_ORDER) {
    const list = bySeverity(diagnostics, severity);
    if (list.length === 0) continue;
    const title = `${SEVERITY_TITLE[severity]} (${list.length})`;
    if (format === "text") {
      blocks.push([paint(`${title}:`, "bold"), ...list.map((d) => `  ${diagnosticText(d, paint)}`)].join("\n"));
    } else {
      blocks.push([`#### ${title}`, "", ...list.map(diagnosticMarkdown)].join("\n"));
    }
  }
  return blocks.join("\n\n");
}
