/**
 * lib/render: presentation only. Turns a PlanDocument, and nothing else (not
 * the planner's internals, the tenant or the desired state), into what
 * people and pipelines read: terminal text in the manner of `terraform
 * plan`, a pull-request comment in markdown (split into parts under GitHub's
 * comment limit), or the document itself as canonical JSON. Output is
 * deterministic: the same document always renders to the same bytes, and the
 * only time shown is the document's observedAt. Apply and drift reuse the
 * pieces exported here (glyphs, action lines, access tables, diagnostics).
 */
import type { PlanDocument, PlanView } from "../plan/types.js";
import { canonicalJson } from "../private/canonical-json.js";
import { renderMarkdown } from "./markdown.js";
import { renderText } from "./text.js";

export type RenderFormat = "text" | "markdown" | "json";

export interface RenderOptions {
  /** ANSI colour in text output; ignored by markdown and json. */
  readonly color: boolean;
}

/**
 * The plan in one format. Markdown returns the whole document when it fits
 * in one GitHub comment, and otherwise all parts of renderMarkdownParts
 * joined by PART_SEPARATOR ("\n\n---\n\n"), so that a single output file
 * always holds the complete plan; callers that post comments should use
 * renderMarkdownParts and post each part.
 */
export function renderPlan(doc: PlanDocument, format: RenderFormat, options?: RenderOptions): string;
/** Text and markdown show no digest: a plan that is not sealed renders the same (lib/plan/document.ts). */
export function renderPlan(doc: PlanView, format: Exclude<RenderFormat, "json">, options?: RenderOptions): string;
export function renderPlan(doc: PlanView, format: RenderFormat, options: RenderOptions = { color: false }): string {
  switch (format) {
    case "text":
      return renderText(doc, options);
    case "markdown":
      return renderMarkdown(doc);
    case "json":
      return `${canonicalJson(doc, 2)}\n`;
  }
}

export { renderText, groupHeading, LEGEND } from "./text.js";
export { renderMarkdown, renderMarkdownParts, actionDiffLines, GITHUB_COMMENT_LIMIT, MIN_PART_CHARS, PART_SEPARATOR } from "./markdown.js";
export { ACCESS_TABLE_HEADER, accessMarkdownRows, accessTextLines, collectAccessChanges } from "./access.js";
export { ACTION_GLYPHS, DESTRUCTIVE_GLYPH, GLYPH_STYLE, glyphOf, paintGlyph, painter, type Glyph, type Paint, type Style } from "./glyphs.js";
export {
  actionNotes,
  describeAction,
  fallbackDescription,
  formatChange,
  formatValue,
  valueChanges,
  type Note,
  type ValueChange,
} from "./describe.js";
export { diagnosticMarkdown, diagnosticText, renderDiagnostics } from "./diagnostics.js";
export { groupByMailbox, type ActionGroup } from "./group.js";
export { clean, codeFence, codeSpan, escapeHtml, escapeMarkdown } from "./sanitize.js";
export { contextLine, failedLine, NO_CHANGES, summaryLine } from "./summary.js";
