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

/** The access changes of one mailbox. */
export interface MailboxAccess {
  readonly mailbox: string;
  readonly gained: number;
  readonly lost: number;
  /**
   * The plan deletes the mailbox: its losses are grants that end with it,
   * not revocations anyone has to weigh one by one.
   */
  readonly deleted: boolean;
  /** Losses first, as collectAccessChanges sorts them. */
  readonly changes: readonly AccessChange[];
}

/** collectAccessChanges grouped by mailbox (in address order), with counts, and whether the plan deletes the mailbox. */
export function accessByMailbox(actions: readonly PlanAction[]): MailboxAccess[] {
  const deleted = new Set(actions.filter((a) => a.type === "mailbox.delete").map((a) => a.target));
  const byMailbox = new Map<string, AccessChange[]>();
  for (const c of collectAccessChanges(actions)) {
    const list = byMailbox.get(c.mailbox);
    if (list) list.push(c);
    else byMailbox.set(c.mailbox, [c]);
  }
  return [...byMailbox].map(([mailbox, changes]) => ({
    mailbox,
    gained: changes.filter((c) => c.change === "gain").length,
    lost: changes.filter((c) => c.change === "lose").length,
    deleted: deleted.has(mailbox),
    changes,
  }));
}

/** "13 grants end with the mailbox": the one row that stands for a deleted mailbox's losses. */
export function endsWithMailboxLine(lost: number): string {
  return `${lost} grant${lost === 1 ? "" : "s"} end${lost === 1 ? "s" : ""} with the mailbox`;
}

/**
 * The grouped access table's rows: per mailbox, a heading row with its
 * counts, then one row per change, losses first, so a single real
 * revocation stands out. A mailbox the plan deletes gets one row
 * ("13 grants end with the mailbox"), its grants listed apart
 * (deletedAccessRows), so they cannot bury a revocation elsewhere.
 */
export function groupedAccessMarkdownRows(groups: readonly MailboxAccess[]): string[] {
  const rows: string[] = [];
  for (const g of groups) {
    const mailbox = escapeMarkdown(g.mailbox);
    if (g.deleted && g.gained === 0) {
      const rights = [...new Set(g.changes.map((c) => c.right))].sort().join(", ");
      rows.push(`| **${mailbox}** | ${endsWithMailboxLine(g.lost)} (listed below) | ${escapeMarkdown(rights)} | 🗑️ mailbox deleted |`);
      continue;
    }
    const counts = [...(g.lost > 0 ? [`**${g.lost} lost**`] : []), ...(g.gained > 0 ? [`${g.gained} gained`] : [])].join(", ");
    rows.push(`| **${mailbox}** | _${counts}_ | | |`, ...accessMarkdownRows(g.changes));
  }
  return rows;
}

/** The header of a deleted mailbox's grant list; pair with deletedAccessRows. */
export const DELETED_ACCESS_HEADER = ["| Principal | Right |", "| --- | --- |"] as const;

/** One row per grant that ends with a deleted mailbox. */
export function deletedAccessRows(group: MailboxAccess): string[] {
  return group.changes.map((c) => `| ${escapeMarkdown(c.principal)} | ${escapeMarkdown(c.right)} |`);
}
