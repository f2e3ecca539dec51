/**
 * Action glyphs and terminal colour, shared by plan, apply and drift output:
 * `+` brings something into being or gives access (create, grant, assign,
 * restore), `~` changes something in place (update, convert, wait, sign-in,
 * password), `-` takes something away (revoke, remove license, delete), and
 * `!` marks a destructive step.
 */
import type { ActionType, PlanAction } from "../plan/types.js";

export type Glyph = "+" | "~" | "-";

export const ACTION_GLYPHS: Readonly<Record<ActionType, Glyph>> = {
  "user.restore": "+",
  "user.assignLicense": "+",
  "user.removeLicense": "-",
  "user.resetPassword": "~",
  "user.blockSignIn": "~",
  "user.allowSignIn": "~",
  "user.revokeSessions": "~",
  "user.rename": "~",
  "mailbox.rename": "~",
  "mailbox.create": "+",
  "mailbox.convert": "~",
  "mailbox.update": "~",
  "mailbox.wait": "~",
  "mailbox.delete": "-",
  "permission.grant": "+",
  "permission.revoke": "-",
};

export const DESTRUCTIVE_GLYPH = "!";

export function glyphOf(action: Pick<PlanAction, "type">): Glyph {
  return ACTION_GLYPHS[action.type];
}

export type Style = "green" | "yellow" | "red" | "bold" | "dim" | "boldRed" | "boldYellow";

const ANSI: Readonly<Record<Style, string>> = {
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  red: "\u001b[31m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  boldRed: "\u001b[1;31m",
  boldYellow: "\u001b[1;33m",
};
const RESET = "\u001b[0m";

/** A painter: wraps text in an ANSI style when colour is on, returns it unchanged when off. */
export type Paint = (text: string, style: Style) => string;

export function painter(color: boolean): Paint {
  return color ? (text, style) => (text === "" ? text : `${ANSI[style]}${text}${RESET}`) : (text) => text;
}

export const GLYPH_STYLE: Readonly<Record<Glyph, Style>> = { "+": "green", "~": "yellow", "-": "red" };

/** The glyph, coloured when colour is on. */
export function paintGlyph(glyph: Glyph, paint: Paint): string {
  return paint(glyph, GLYPH_STYLE[glyph]);
}
