/**
 * The access-changes view: who gains or loses which right on which mailbox,
 * gathered from every action's `access` list. It comes first in every
 * output because it is what a security reviewer approves (cf. the
 * security-changes table of `cdk diff`).
 */
import type { AccessChange, PlanAction } from "../plan/types.js";
import { compareStrings } from "../private/canonical-json.js";
import { paintGlyph, type Paint } from "./glyphs.js";
import { clean, escapeMarkdown } from "./sanitize.js";

/** Every access change in the plan once, sorted by mailbox, losses first, then principal and right. */
export function collectAccessChanges(actions: readonly PlanAction[]): AccessChange[] {
  const seen = new Map<string, AccessChange>();
  for (const a of actions) {
    for (const c of a.access) seen.set(`${c.mailbox}\n${c.principal}\n${c.right}\n${c.change}`, c);
  }
  const rank = (c: AccessChange) => (c.change === "lose" ? 0 : 1);
  return [...seen.values()].sort(
    (a, b) =>
      compareStrings(a.mailbox, b.mailbox) ||
      rank(a) - rank(b) ||
      compareStrings(a.principal, b.principal) ||
      compareStrings(a.right, b.right),
  );
}

/** Columns wider than this are not padded further; the long value just runs on. */
const MAX_COLUMN = 40;

/**
 * Aligned terminal lines, one per change:
 * `  - gina.rossi@contoso.com  loses  FullAccess    on support@contoso.com`.
 */
export function accessTextLines(changes: readonly AccessChange[], paint: Paint): string[] {
  let principalWidth = 0;
  let rightWidth = 0;
  for (const c of changes) {
    principalWidth = Math.max(principalWidth, Math.min(MAX_COLUMN, c.principal.length));
    rightWidth = Math.max(rightWidth, c.right.length);
  }
  return changes.map((c) => {
    const glyph = paintGlyph(c.change === "gain" ? "+" : "-", paint);
    const verb = c.change === "gain" ? "gains" : paint("loses", "boldRed");
    return `  ${glyph} ${clean(c.principal).padEnd(principalWidth)}  ${verb}  ${c.right.padEnd(rightWidth)}  on ${clean(c.mailbox)}`;
  });
}

export const ACCESS_TABLE_HEADER = ["| Mailbox | Principal | Right | Change |", "| --- | --- | --- | --- |"] as const;

/** One markdown table row per change; pair with ACCESS_TABLE_HEADER. */
export function accessMarkdownRows(changes: readonly AccessChange[]): string[] {
  return changes.map(
    (c) =>
      `| ${escapeMarkdown(c.mailbox)} | ${escapeMarkdown(c.principal)} | ${escapeMarkdown(c.right)} | ${
        c.change === "gain" ? "🟢 gained" : "🔴 **lost**"
      } |`,
  );
}
