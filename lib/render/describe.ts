/**
 * One action as words: the line every output shows for it (glyph, the
 * planner's description, a destructive marker), the notes under it (id,
 * reason, what it runs after) and the field-by-field value changes of a
 * mailbox.update, with changed words highlighted.
 */
import { diffWordsWithSpace } from "diff";
import type { PlanAction } from "../plan/types.js";
import { canonicalJson, compareStrings } from "../private/canonical-json.js";
import { DESTRUCTIVE_GLYPH, glyphOf, paintGlyph, type Paint } from "./glyphs.js";
import { clean } from "./sanitize.js";

/** How many dependsOn ids a note lists before it says "and N more". */
export const MAX_AFTER_IDS = 10;

/** `+ <description>` with `! destructive` appended for destructive steps; printable as one line. */
export function describeAction(action: PlanAction, paint: Paint = (t) => t): string {
  const text = clean(action.description !== "" ? action.description : fallbackDescription(action));
  const marker = action.destructive ? `  ${paint(`${DESTRUCTIVE_GLYPH} destructive`, "boldRed")}` : "";
  return `${paintGlyph(glyphOf(action), paint)} ${text}${marker}`;
}

/** A description built from type, target and params, for actions the planner left undescribed. */
export function fallbackDescription(a: PlanAction): string {
  const p = a.params;
  switch (a.type) {
    case "user.restore":
      return `restore user ${a.target} from the recycle bin`;
    case "user.assignLicense":
      return `assign license ${p.sku ?? "?"} to ${a.target}${p.temporary === true ? " (temporary)" : ""}`;
    case "user.removeLicense":
      return `remove license ${p.sku ?? "?"} from ${a.target}`;
    case "user.resetPassword":
      return `reset the password of ${a.target}`;
    case "user.blockSignIn":
      return `block sign-in for ${a.target}`;
    case "user.allowSignIn":
      return `allow sign-in for ${a.target}`;
    case "user.rename":
      return `rename the account ${p.from ?? "?"} to ${a.target}`;
    case "mailbox.rename":
      return `rename mailbox ${p.from ?? "?"} to ${a.target}, keeping ${p.from ?? "the old address"} as an extra address`;
    case "user.revokeSessions":
      return `end every session of ${a.target} (revoke its refresh tokens)`;
    case "mailbox.create":
      return `create shared mailbox ${a.target}`;
    case "mailbox.convert":
      return `convert ${a.target} to a ${p.to === "regular" ? "user" : "shared"} mailbox`;
    case "mailbox.update":
      return `update ${a.target}: ${Object.keys(p.changes ?? {}).sort(compareStrings).join(", ")}`;
    case "mailbox.wait":
      return `wait up to ${p.minutes ?? "?"} min until ${a.target} is ${p.for ?? "ready"}`;
    case "mailbox.delete":
      return `delete mailbox ${a.target}`;
    case "permission.grant":
      return `grant ${p.right ?? "?"} on ${a.target} to ${p.trustee ?? "?"}`;
    case "permission.revoke":
      return `revoke ${p.right ?? "?"} on ${a.target} from ${p.trustee ?? "?"}`;
  }
}

export interface Note {
  readonly label: "id" | "reason" | "after";
  readonly value: string;
}

/** The notes shown under an action, in this order: id, reason, after (omitted when it runs first). */
export function actionNotes(action: PlanAction): Note[] {
  const notes: Note[] = [
    { label: "id", value: clean(action.id) },
    { label: "reason", value: clean(action.reason) },
  ];
  if (action.dependsOn.length > 0) notes.push({ label: "after", value: clean(listIds(action.dependsOn)) });
  return notes;
}

function listIds(ids: readonly string[]): string {
  if (ids.length <= MAX_AFTER_IDS) return ids.join(", ");
  return `${ids.slice(0, MAX_AFTER_IDS).join(", ")} and ${ids.length - MAX_AFTER_IDS} more`;
}

export interface ValueChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** A mailbox.update's changes, sorted by field. Empty for every other action. */
export function valueChanges(action: PlanAction): ValueChange[] {
  const changes = action.params.changes;
  if (changes === undefined) return [];
  return Object.keys(changes)
    .sort(compareStrings)
    .map((field) => ({ field, from: changes[field]?.from, to: changes[field]?.to }));
}

/** A value as the plan would write it in JSON; `(none)` for absent. */
export function formatValue(value: unknown): string {
  return value === undefined ? "(none)" : clean(canonicalJson(value) ?? "null");
}

/** Longer strings are shown whole, without word highlighting. */
const MAX_WORD_DIFF = 1000;

/**
 * `"Harry Wells" -> "Harry Wells{+ (departed)+}"`: both values, with the
 * words only in the old value marked `[-...-]` and the words only in the new
 * one marked `{+...+}` (in colour: red and green instead of marks). Words are
 * highlighted only when the two strings share some: otherwise the marks
 * would cover everything and tell nothing.
 */
export function formatChange(from: unknown, to: unknown, paint: Paint, color: boolean): string {
  if (typeof from !== "string" || typeof to !== "string" || from.length > MAX_WORD_DIFF || to.length > MAX_WORD_DIFF) {
    return `${formatValue(from)} -> ${formatValue(to)}`;
  }
  const parts = diffWordsWithSpace(from, to);
  if (!parts.some((p) => !p.added && !p.removed && p.value.trim() !== "")) {
    return `${formatValue(from)} -> ${formatValue(to)}`;
  }
  const quote = (s: string) => clean(JSON.stringify(s).slice(1, -1));
  const before: string[] = [];
  const after: string[] = [];
  for (const p of parts) {
    const text = quote(p.value);
    if (p.removed) before.push(color ? paint(text, "red") : `[-${text}-]`);
    else if (p.added) after.push(color ? paint(text, "green") : `{+${text}+}`);
    else {
      before.push(text);
      after.push(text);
    }
  }
  return `"${before.join("")}" -> "${after.join("")}"`;
}
