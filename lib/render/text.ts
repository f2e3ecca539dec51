/**
 * The terminal rendering of a plan, in the manner of `terraform plan`:
 * access changes first, destructive steps and diagnostics next, then every
 * action grouped by mailbox with its reason and ordering, and the summary
 * line last. ANSI colour only when asked for.
 */
import type { PlanAction, PlanView } from "../plan/types.js";
import { accessTextLines, collectAccessChanges } from "./access.js";
import { actionNotes, describeAction, formatChange, valueChanges } from "./describe.js";
import { renderDiagnostics } from "./diagnostics.js";
import { DESTRUCTIVE_GLYPH, paintGlyph, painter, type Paint } from "./glyphs.js";
import { groupByMailbox, type ActionGroup } from "./group.js";
import { clean } from "./sanitize.js";
import { contextLine, errorCount, failedLine, NO_CHANGES, summaryLine } from "./summary.js";

export const LEGEND = "Symbols: + create, grant, assign   ~ change in place   - revoke, remove, delete   ! destructive";

export function renderText(doc: PlanView, options: { color: boolean }): string {
  const paint = painter(options.color);
  const out: string[] = [`${paint("exoform plan", "bold")}: ${contextLine(doc)}`, ""];
  const diagnostics = renderDiagnostics(doc.diagnostics, "text", options);
  const errors = errorCount(doc);

  if (errors > 0) {
    out.push(diagnostics, "", paint(failedLine(errors), "boldRed"));
    return finish(out);
  }
  if (doc.actions.length === 0) {
    if (diagnostics !== "") out.push(diagnostics, "");
    out.push(paint(NO_CHANGES, "bold"));
    return finish(out);
  }

  out.push(paint(LEGEND, "dim"), "");
  const access = collectAccessChanges(doc.actions);
  if (access.length > 0) {
    // a loop, not push(...lines): a spread of a few hundred thousand lines overflows the stack
    out.push(paint("Access changes:", "bold"));
    for (const line of accessTextLines(access, paint)) out.push(line);
    out.push("");
  }
  else out.push(`${paint("Access changes:", "bold")} none`, "");

  const destructive = doc.actions.filter((a) => a.destructive);
  if (destructive.length > 0) {
    out.push(paint("Destructive steps (a revoked grant can be granted again; a deleted mailbox's mail is gone once its restore window ends):", "boldRed"));
    for (const a of destructive) out.push(`  ${paint(DESTRUCTIVE_GLYPH, "boldRed")} ${clean(a.description)}`, `      id: ${clean(a.id)}`);
    out.push("");
  }
  if (diagnostics !== "") out.push(diagnostics, "");

  out.push(paint("Actions by mailbox, in execution order within each mailbox:", "bold"));
  for (const group of groupByMailbox(doc.actions)) {
    out.push("", groupHeading(group, paint));
    for (const action of group.actions) pushAction(out, action, paint, options.color);
  }
  out.push("", paint(summaryLine(doc.summary), "bold"));
  return finish(out);
}

/** `~ support@contoso.com "Contoso Support"  (update, 4 actions, 1 destructive)` */
export function groupHeading(group: ActionGroup, paint: Paint): string {
  const name = group.displayName !== undefined ? ` ${clean(JSON.stringify(group.displayName))}` : "";
  const what = group.kind === "user" ? "user " : "";
  const destructive = group.destructive > 0 ? `, ${group.destructive} destructive` : "";
  const count = `${group.actions.length} action${group.actions.length === 1 ? "" : "s"}`;
  return `${paintGlyph(group.glyph, paint)} ${what}${paint(clean(group.address), "bold")}${name}  (${group.verb}, ${count}${destructive})`;
}

function pushAction(out: string[], action: PlanAction, paint: Paint, color: boolean): void {
  out.push(`    ${describeAction(action, paint)}`);
  for (const c of valueChanges(action)) out.push(`        ${clean(c.field)}: ${formatChange(c.from, c.to, paint, color)}`);
  for (const note of actionNotes(action)) out.push(paint(`        ${`${note.label}:`.padEnd(8)}${note.value}`, "dim"));
}

function finish(lines: string[]): string {
  return `${lines.join("\n")}\n`;
}
