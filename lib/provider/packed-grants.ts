/**
 * Grants a mailbox at a time, as one JSON text each: the form a provider may
 * hand its grant read over in (listGrantsByMailbox), so that a consumer can
 * compare a mailbox's grants with what it expects as a whole and make grant
 * objects only for the mailboxes that differ. At a million grants and 5%
 * drift, 95% of the objects listGrants would make are never needed (issue 15).
 *
 * The text of one mailbox: [right, trustee, autoMapping] triples in (right,
 * trustee) order, trustees lower-case, autoMapping 1 or 0 for FullAccess
 * (null when unreadable) and null for the other rights, no white space (what
 * JSON.stringify and SQLite's json_group_array write):
 *
 *   [["FullAccess","ann@contoso.com",1],["SendAs","ben@contoso.com",null]]
 *
 * An ObservedState read this way is still the plain ObservedState: its
 * `grants` list is made from the texts when first read (JSON, a spread, drift,
 * a plan file's fingerprints), and the texts stay beside it (grantsByMailboxOf).
 */
import type { ObservedGrant, ObservedState, Right } from "./observed.js";

export interface GrantsByMailbox {
  /** Mailbox addresses, lower-case, ascending, each once; a mailbox with no grants is not listed. */
  readonly mailboxes: readonly string[];
  /** Beside each mailbox (same position), its grants as one JSON text. */
  readonly texts: readonly string[];
}

/** One string per right, whatever text it was read from. */
const RIGHTS: Readonly<Record<string, Right>> = { FullAccess: "FullAccess", SendAs: "SendAs", SendOnBehalf: "SendOnBehalf" };

/** Makes the grant objects of mailbox texts, one string per distinct trustee across all of them. */
export class GrantTexts {
  private readonly trustees = new Map<string, string>();

  /** The grants of `mailbox` from its text; a text that is not this form throws (a provider's fault). */
  unpack(mailbox: string, text: string): ObservedGrant[] {
    const cells = JSON.parse(text) as unknown;
    if (!Array.isArray(cells)) throw new TypeError(`grants of ${mailbox}: expected a JSON array of [right, trustee, autoMapping], got ${text.slice(0, 80)}`);
    const out: ObservedGrant[] = [];
    for (const cell of cells as unknown[]) {
      const [right, name, autoMapping] = Array.isArray(cell) ? (cell as unknown[]) : [];
      const known = typeof right === "string" ? RIGHTS[right] : undefined;
      if (known === undefined || typeof name !== "string") throw new TypeError(`grants of ${mailbox}: ${JSON.stringify(cell)} is not [right, trustee, autoMapping]`);
      let trustee = this.trustees.get(name);
      if (trustee === undefined) this.trustees.set(name, (trustee = name));
      // autoMapping as FullAccess carries it; null (unreadable) leaves it out, as ObservedGrant says
      out.push(known === "FullAccess" && autoMapping !== null ? { mailbox, right: known, trustee, autoMapping: autoMapping === 1 } : { mailbox, right: known, trustee });
    }
    return out;
  }

  /** Every grant of `all`, mailbox by mailbox: what listGrants returns for the same read. */
  unpackAll(all: GrantsByMailbox): ObservedGrant[] {
    const out: ObservedGrant[] = [];
    all.mailboxes.forEach((mailbox, i) => {
      for (const g of this.unpack(mailbox, all.texts[i]!)) out.push(g);
    });
    return out;
  }
}

/**
 * Whether `text` holds exactly these grants: the declared lists in (right,
 * trustee) order, each list sorted. Read in place, nothing built: one pass
 * of the text per mailbox. Any other text (another order, a trustee the
 * text escapes, an unreadable autoMapping written null) answers false, and
 * the caller compares grant objects instead; so true is only ever said of a
 * text that JSON-decodes to exactly these grants.
 */
export function textHoldsExactly(
  text: string,
  fullAccess: ReadonlyArray<{ readonly trustee: string; readonly autoMapping: boolean }>,
  sendAs: readonly string[],
  sendOnBehalf: readonly string[],
): boolean {
  if (text.charCodeAt(0) !== OPEN) return false;
  let at = 1;
  for (const g of fullAccess) if ((at = cellAt(text, at, FULL_ACCESS, g.trustee, g.autoMapping ? MAPPED : NOT_MAPPED)) < 0) return false;
  for (const t of sendAs) if ((at = cellAt(text, at, SEND_AS, t, NO_MAPPING)) < 0) return false;
  for (const t of sendOnBehalf) if ((at = cellAt(text, at, SEND_ON_BEHALF, t, NO_MAPPING)) < 0) return false;
  return at === text.length - 1 && text.charCodeAt(at) === CLOSE;
}

/**
 * Where the cell `open` + trustee + `end` that starts at `at` (after a comma,
 * unless it is the first) ends in `text`, or -1 when it is not there.
 * Compared a character at a time: a million grants, no call per piece.
 */
function cellAt(text: string, at: number, open: string, trustee: string, end: string): number {
  if (at > 1 && text.charCodeAt(at++) !== COMMA) return -1;
  if ((at = piece(text, at, open)) < 0) return -1;
  if (at + trustee.length > text.length) return -1;
  for (let i = 0; i < trustee.length; i++) {
    const c = trustee.charCodeAt(i);
    // a trustee JSON would escape is written differently in the text: never a match (a quote could even end the string early)
    if (c === QUOTE || c === BACKSLASH || text.charCodeAt(at + i) !== c) return -1;
  }
  return piece(text, at + trustee.length, end);
}

/** Where `s` ends when `text` holds it at `at`, or -1. */
function piece(text: string, at: number, s: string): number {
  if (at + s.length > text.length) return -1;
  for (let i = 0; i < s.length; i++) if (text.charCodeAt(at + i) !== s.charCodeAt(i)) return -1;
  return at + s.length;
}

const FULL_ACCESS = '["FullAccess","';
const SEND_AS = '["SendAs","';
const SEND_ON_BEHALF = '["SendOnBehalf","';
const MAPPED = '",1]';
const NOT_MAPPED = '",0]';
const NO_MAPPING = '",null]';
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const COMMA = 0x2c; // ,
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // backslash

/** The texts an observation's grants were read as, beside the observation (not part of it). */
const TEXTS = new WeakMap<ObservedState, GrantsByMailbox>();

/** The grants of `observed` as the provider read them, a text per mailbox; undefined when it read them as a list. */
export function grantsByMailboxOf(observed: ObservedState): GrantsByMailbox | undefined {
  return TEXTS.get(observed);
}

/**
 * An ObservedState whose grants were read a mailbox at a time: `grants` is
 * made from `byMailbox` when first read (then kept), and the texts stay
 * beside it for grantsByMailboxOf.
 */
export function observedWithGrantTexts(fields: Omit<ObservedState, "grants" | "groups">, byMailbox: GrantsByMailbox, groups: ObservedState["groups"]): ObservedState {
  let grants: readonly ObservedGrant[] | undefined;
  // the keys in the order observe() gives them, so a saved observation reads the same either way
  const state: ObservedState = {
    tenant: fields.tenant,
    observedAt: fields.observedAt,
    skus: fields.skus,
    users: fields.users,
    mailboxes: fields.mailboxes,
    get grants() {
      return (grants ??= new GrantTexts().unpackAll(byMailbox));
    },
    ...(groups !== undefined ? { groups } : {}),
  };
  TEXTS.set(state, byMailbox);
  return state;
}
