/**
 * The service's time windows and limits (shared/docs/exchange-online-rules.md),
 * stated once, so that the simulated tenant that enforces them and the planner,
 * drift and export that respect them cannot disagree. Licensing figures are in
 * licensing.ts.
 */

export const DAY_MS = 86_400_000;

/** Soft-deleted users and their mailboxes are restorable for 30 days and purged after (R2.3, R7.3). */
export const RECYCLE_BIN_DAYS = 30;

/** An unlicensed user mailbox is disconnected after 30 days (R1.12, R2.6). */
export const UNLICENSED_GRACE_DAYS = 30;

/** At most 500 FullAccess entries on one mailbox (R3.9). */
export const MAX_FULL_ACCESS_ENTRIES = 500;

/** About 25 concurrent users of one shared mailbox are supported; more cause connection failures (R3.9). */
export const SUPPORTED_CONCURRENT_USERS = 25;

// ------------------------------------------------------------------ names (R5.1)
//
// The one statement of what Exchange Online accepts as an alias and as a
// display name. The validator (lib/model/validate.ts) reports what breaks
// them before anything is planned; the simulated tenant (providers/simulated/
// rules.ts) refuses the same values with InvalidAlias / InvalidDisplayName.
// schema/desired-state.schema.json repeats ALIAS_PATTERN and MAX_ALIAS_LENGTH
// for people reading the schema; test/model/service-rules.test.ts keeps them equal.

/** An alias has at most 64 characters. */
export const MAX_ALIAS_LENGTH = 64;

/**
 * R5.1: ASCII letters, digits and !#%*+-/=?^_~, with periods only between
 * other characters (never first, last or doubled). No other character: no
 * letters outside ASCII, no spaces (visible or not), no quotes, no <>, no
 * control characters.
 */
export const ALIAS_PATTERN = /^[A-Za-z0-9!#%*+\-/=?^_~]+(\.[A-Za-z0-9!#%*+\-/=?^_~]+)*$/;

/** In words, for messages. */
export const ALIAS_RULE = `at most ${MAX_ALIAS_LENGTH} of letters (A-Z, a-z), digits and !#%*+-/=?^_~, with periods only between other characters (R5.1)`;

export function isValidAlias(alias: string): boolean {
  return alias.length > 0 && alias.length <= MAX_ALIAS_LENGTH && ALIAS_PATTERN.test(alias);
}

/** The alias Exchange Online gives a new mailbox created without one: the address's local part. */
export function derivedAlias(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? address : address.slice(0, at);
}

/**
 * A valid alias made from `text` (characters R5.1 does not allow dropped,
 * periods tidied, cut to 64), for a message's suggested fix; "" when nothing
 * is left.
 */
export function suggestAlias(text: string): string {
  const kept = text
    .replace(/[^A-Za-z0-9!#%*+\-/=?^_~.]/g, "")
    .replace(/\.{2,}/g, ".")
    .replace(/^\.+|\.+$/g, "")
    .slice(0, MAX_ALIAS_LENGTH)
    .replace(/\.+$/, "");
  return isValidAlias(kept) ? kept : "";
}

/** A display name has at most 256 characters (UTF-16 code units, as the service counts them). */
export const MAX_DISPLAY_NAME_LENGTH = 256;

/** In words, for messages. */
export const DISPLAY_NAME_RULE = `1 to ${MAX_DISPLAY_NAME_LENGTH} characters, not all of them spaces (R5.1)`;

/** R5.1: not blank (whitespace only counts as blank) and at most 256 UTF-16 code units. */
export function isValidDisplayName(name: string): boolean {
  return name.trim().length > 0 && name.length <= MAX_DISPLAY_NAME_LENGTH;
}
