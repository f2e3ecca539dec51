/**
 * The pull-request comment rendering of a plan: the summary line first, the
 * access-changes table before anything else, destructive steps in a GitHub
 * warning alert, diagnostics, then one collapsed `<details>` block per
 * mailbox holding a ```diff block. Long plans are split into parts under
 * GitHub's comment limit at block boundaries only: a table split across
 * parts repeats its header, and a `<details>` or code block is never cut.
 */
import type { PlanAction, PlanView } from "../plan/types.js";
import { ACCESS_TABLE_HEADER, accessByMailbox, DELETED_ACCESS_HEADER, deletedAccessRows, endsWithMailboxLine, groupedAccessMarkdownRows } from "./access.js";
import { actionNotes, describeAction, formatValue, valueChanges } from "./describe.js";
import { bySeverity, diagnosticMarkdown, plural, SEVERITY_TITLE } from "./diagnostics.js";
import { DESTRUCTIVE_GLYPH } from "./glyphs.js";
import { groupByMailbox, type ActionGroup } from "./group.js";
import { clean, codeFence, codeSpan, escapeHtml, escapeMarkdown } from "./sanitize.js";
import { errorCount, failedLine, NO_CHANGES, summaryLine } from "./summary.js";

/** GitHub rejects comments of 65,536 characters or more; keep a margin. */
export const GITHUB_COMMENT_LIMIT = 65000;

/** Below this a part could not hold one mailbox block of ordinary size. */
export const MIN_PART_CHARS = 10000;

/** How renderPlan(doc, "markdown") joins parts when the plan does not fit in one comment. */
export const PART_SEPARATOR = "\n\n---\n\n";

/**
 * A run of markdown that may be split between its items: `head`, then the
 * items separated by `sep`. When the items continue in the next part, that
 * part starts with `continued` instead of `head`, so tables get their header
 * row again and alerts their marker.
 */
interface Section {
  readonly head: string;
  readonly continued: string;
  readonly sep: string;
  readonly items: readonly string[];
}

function section(head: string, items: readonly string[] = [], sep = "\n", continued = head): Section {
  return { head, continued, sep, items };
}

/** What the comment shows besides the plan document. */
export interface MarkdownOptions {
  /**
   * The policy verdict (one markdown line, lib/policy/render.ts), shown at the
   * top next to the summary: whether the plan may be applied is the first
   * thing a reviewer reads.
   */
  readonly verdict?: string;
}

/**
 * The plan as pull-request comments, each shorter than `maxChars`
 * characters (UTF-16 code units, which never undercount GitHub's limit).
 * One part when the whole plan fits; otherwise every part starts with
 * "part i of n".
 */
export function renderMarkdownParts(doc: PlanView, maxChars = GITHUB_COMMENT_LIMIT, options: MarkdownOptions = {}): string[] {
  if (!Number.isInteger(maxChars) || maxChars < MIN_PART_CHARS) {
    throw new RangeError(`markdown parts must allow at least ${MIN_PART_CHARS} characters, got ${maxChars}`);
  }
  const sections = buildSections(doc, Math.floor(maxChars / 2), options);
  if (wholeLength(sections) < maxChars) return [`${sections.map((s) => [s.head, ...s.items].join(s.sep)).join("\n\n")}\n`];

  const stack = escapeMarkdown(doc.stack);
  const partHeader = (i: number | string, n: number | string) => `_exoform plan for stack ${stack}: part ${i} of ${n}_`;
  const reserve = partHeader("999999", "999999").length + 2 + 1; // header, blank line, final newline
  const parts = pack(sections, maxChars - 1 - reserve);
  return parts.map((blocks, i) => `${[partHeader(i + 1, parts.length), ...blocks].join("\n\n")}\n`);
}

/** The whole plan as one markdown document: parts joined by a horizontal rule when it needs several. */
export function renderMarkdown(doc: PlanView, options: MarkdownOptions = {}): string {
  const parts = renderMarkdownParts(doc, GITHUB_COMMENT_LIMIT, options);
  if (parts.length === 1) return parts[0] ?? "";
  return `${parts.map((p) => p.slice(0, -1)).join(PART_SEPARATOR)}\n`;
}

/** The length of the unsplit document, without building it. */
function wholeLength(sections: readonly Section[]): number {
  let length = 2 * (sections.length - 1) + 1;
  for (const s of sections) {
    length += s.head.length + s.sep.length * s.items.length;
    for (const item of s.items) length += item.length;
  }
  return length;
}

/** Greedy packing of sections into parts of at most `budget` characters each (blocks joined by a blank line). */
function pack(sections: readonly Section[], budget: number): string[][] {
  const parts: string[][] = [];
  let blocks: string[] = [];
  let used = 0;
  const room = () => budget - used - (blocks.length > 0 ? 2 : 0);
  const addBlock = (text: string) => {
    used += (blocks.length > 0 ? 2 : 0) + text.length;
    blocks.push(text);
  };
  const newPart = () => {
    if (blocks.length > 0) parts.push(blocks);
    blocks = [];
    used = 0;
  };
  const tooBig = (what: string) =>
    new RangeError(`a markdown block of ${what.length} characters does not fit in a part of ${budget} characters`);

  for (const s of sections) {
    if (s.items.length === 0) {
      if (s.head.length > room()) newPart();
      if (s.head.length > room()) throw tooBig(s.head);
      addBlock(s.head);
      continue;
    }
    let pieces: string[] = [];
    let length = 0;
    let hasItems = false;
    const start = (head: string) => {
      pieces = [head];
      length = head.length;
      hasItems = false;
    };
    start(s.head);
    for (const item of s.items) {
      const extra = s.sep.length + item.length;
      if (length + extra <= room()) {
        pieces.push(s.sep, item);
        length += extra;
        hasItems = true;
        continue;
      }
      if (hasItems) addBlock(pieces.join(""));
      newPart();
      start(hasItems ? s.continued : s.head);
      if (length + extra > room()) throw tooBig(item);
      pieces.push(s.sep, item);
      length += extra;
      hasItems = true;
    }
    addBlock(pieces.join(""));
  }
  newPart();
  return parts;
}

function buildSections(doc: PlanView, maxBlock: number, options: MarkdownOptions): Section[] {
  const context = `exoform plan for stack ${escapeMarkdown(doc.stack)} · tenant ${escapeMarkdown(doc.tenantId)} · observed ${escapeMarkdown(doc.observedAt)}`;
  const targets = doc.targets !== undefined ? ` · restricted to ${doc.targets.map(escapeMarkdown).join(", ")}` : "";
  const errors = errorCount(doc);
  const sections: Section[] = [];
  const verdict = options.verdict !== undefined ? [section(options.verdict)] : [];

  if (errors > 0) {
    sections.push(section(`**${failedLine(errors)}**`), ...verdict, section(`${context}${targets}`));
    pushDiagnostics(sections, doc);
    return sections;
  }
  if (doc.actions.length === 0) {
    sections.push(section(`**${NO_CHANGES}**`), ...verdict, section(`${context}${targets}`));
    pushDiagnostics(sections, doc);
    return sections;
  }

  sections.push(section(`**${summaryLine(doc.summary)}**`), ...verdict, section(`${context}${targets} · ${plural(doc.actions.length, "action")}`));
  pushAccess(sections, doc, maxBlock);

  const destructive = doc.actions.filter((a) => a.destructive);
  if (destructive.length > 0) {
    const items = destructive.map((a) => `> - ${escapeMarkdown(a.description)} ${codeSpan(a.id)}`);
    sections.push(section(destructiveHead(destructive), items, "\n", "> [!WARNING]\n> **Destructive steps (continued)**\n>"));
  }

  pushDiagnostics(sections, doc);

  const blocks = groupByMailbox(doc.actions).flatMap((g) => detailsBlocks(g, maxBlock));
  sections.push(section("#### Changes by mailbox", blocks, "\n\n", "#### Changes by mailbox (continued)"));
  return sections;
}

/**
 * The access changes grouped by mailbox with counts (access.ts); the grants
 * that end with a deleted mailbox are one row in the table and listed in a
 * collapsed block after it, so a single real revocation is never buried.
 */
function pushAccess(sections: Section[], doc: PlanView, maxBlock: number): void {
  const groups = accessByMailbox(doc.actions);
  if (groups.length === 0) {
    sections.push(section("#### Access changes\n\nNo one gains or loses access."));
    return;
  }
  const head = ["#### Access changes", "", ...ACCESS_TABLE_HEADER].join("\n");
  const continued = ["#### Access changes (continued)", "", ...ACCESS_TABLE_HEADER].join("\n");
  sections.push(section(head, groupedAccessMarkdownRows(groups), "\n", continued));
  const ending = groups.filter((g) => g.deleted && g.gained === 0).flatMap((g) => {
    const title = `${endsWithMailboxLine(g.lost)} ${escapeHtml(g.mailbox)} (deleted)`;
    return chunks(deletedAccessRows(g), maxBlock - 1000).map((rows, i, all) =>
      [`<details><summary>${title}${all.length > 1 ? ` · ${i + 1} of ${all.length}` : ""}</summary>`, "", ...DELETED_ACCESS_HEADER, ...rows, "", "</details>"].join("\n"),
    );
  });
  if (ending.length > 0) sections.push(section(ending[0]!, ending.slice(1), "\n\n"));
}

/** Consecutive runs of `lines` of at most `budget` characters each (a line longer than that is a run of its own). */
function chunks(lines: readonly string[], budget: number): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (run.length > 0 && size + line.length + 1 > budget) {
      runs.push(run);
      run = [];
      size = 0;
    }
    run.push(line);
    size += line.length + 1;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * The warning over destructive steps, saying what is true of each kind: a
 * revoked grant can be granted again; what re-applying cannot undo is a
 * deleted mailbox's mail once its restore window has passed.
 */
function destructiveHead(destructive: readonly PlanAction[]): string {
  const deletes = destructive.filter((a) => a.type === "mailbox.delete").length;
  const revokes = destructive.filter((a) => a.type === "permission.revoke").length;
  const lines = ["> [!WARNING]", `> **${plural(destructive.length, "destructive step")}**: review ${destructive.length === 1 ? "it" : "each"} before approving.`];
  if (deletes > 0) {
    lines.push(
      `> ${deletes === 1 ? "The deleted mailbox" : "A deleted mailbox"} can be restored with its mail only within the service's restore window (30 days); after that the mail is gone, and re-applying the desired state cannot bring it back.`,
    );
  }
  if (revokes > 0) lines.push(`> A revoked grant ends at once for whoever relies on it, but it is not lost: declaring it again grants it again.`);
  return `${lines.join("\n")}\n>`;
}

function pushDiagnostics(sections: Section[], doc: PlanView): void {
  for (const severity of ["error", "warning", "info"] as const) {
    const list = bySeverity(doc.diagnostics, severity);
    if (list.length === 0) continue;
    const title = SEVERITY_TITLE[severity];
    sections.push(section(`#### ${title} (${list.length})\n`, list.map(diagnosticMarkdown), "\n", `#### ${title} (continued)\n`));
  }
}

/** The ```diff lines of one action. */
export function actionDiffLines(action: PlanAction): string[] {
  const lines = [describeAction(action)];
  for (const c of valueChanges(action)) {
    lines.push(`-     ${clean(c.field)}: ${formatValue(c.from)}`, `+     ${clean(c.field)}: ${formatValue(c.to)}`);
  }
  for (const note of actionNotes(action)) lines.push(`    ${`${note.label}:`.padEnd(8)}${note.value}`);
  return lines;
}

/**
 * One `<details>` block per mailbox, or several when its actions would not
 * fit in `maxBlock` characters ("actions 1-250 of 3000").
 */
function detailsBlocks(group: ActionGroup, maxBlock: number): string[] {
  const entries = group.actions.map((a) => actionDiffLines(a).join("\n"));
  const chunks: { from: number; to: number }[] = [];
  let from = 0;
  let size = 0;
  entries.forEach((entry, i) => {
    if (i > from && size + entry.length + 1 > maxBlock - 1000) {
      chunks.push({ from, to: i });
      from = i;
      size = 0;
    }
    size += entry.length + 1;
  });
  chunks.push({ from, to: entries.length });

  return chunks.map(({ from: start, to: end }) => {
    const range = chunks.length > 1 ? ` · actions ${start + 1}-${end} of ${entries.length}` : "";
    const body = entries.slice(start, end).join("\n");
    const fence = codeFence(body);
    return [`<details><summary>${summaryHtml(group)}${range}</summary>`, "", `${fence}diff`, body, fence, "", "</details>"].join("\n");
  });
}

function summaryHtml(group: ActionGroup): string {
  const name = group.displayName !== undefined ? ` “${escapeHtml(group.displayName)}”` : "";
  const who = group.kind === "user" ? "user " : "";
  const destructive = group.destructive > 0 ? ` · <b>${DESTRUCTIVE_GLYPH} ${group.destructive} destructive</b>` : "";
  return `<code>${group.glyph}</code> ${who}<b>${escapeHtml(group.address)}</b>${name} · ${group.verb} · ${plural(group.actions.length, "action")}${destructive}`;
}
