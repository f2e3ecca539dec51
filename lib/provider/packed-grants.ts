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
const RIGHTS: ReadonlyMap<string, Right> = new Map<string, Right>([
  ["FullAccess", "FullAccess"],
  ["SendAs", "SendAs"],
  ["SendOnBehalf", "SendOnBehalf"],
]);

/** Makes the grant objects of mailbox texts, one string per distinct trustee across all of them. */
export class GrantTexts {
  private readonly trustees = new Map<string, string>();

  /** The grants of `mailbox` from its text; a text that is not this form throws (a provider's fault). */
  unpack(mailbox: string, text: string): ObservedGrant[] {
    const out: ObservedGrant[] = [];
    this.unpackInto(out, mailbox, text);
    return out;
  }

  private unpackInto(out: ObservedGrant[], mailbox: string, text: string): void {
    const cells = JSON.parse(text) as unknown;
    if (!Array.isArray(cells)) throw new TypeError(`grants of ${mailbox}: expected a JSON array of [right, trustee, autoMapping], got ${text.slice(0, 80)}`);
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as unknown;
      const right = Array.isArray(cell) && typeof cell[0] === "string" ? RIGHTS.get(cell[0]) : undefined;
      const name = right !== undefined ? (cell as unknown[])[1] : undefined;
      if (typeof name !== "string") throw new TypeError(`grants of ${mailbox}: ${JSON.stringify(cell)} is not [right, trustee, autoMapping]`);
      const autoMapping = (cell as unknown[])[2];
      let trustee = this.trustees.get(name);
      if (trustee === undefined) this.trustees.set(name, (trustee = name));
      // autoMapping as FullAccess carries it; null (unreadable) leaves it out, as ObservedGrant says
      out.push(right === "FullAccess" && autoMapping !== null ? { mailbox, right, trustee, autoMapping: autoMapping === 1 } : { mailbox, right: right!, trustee });
    }
  }

  /** Every grant of `all`, mailbox by mailbox: what listGrants returns for the same read. */
  unpackAll(all: GrantsByMailbox): ObservedGrant[] {
    const out: ObservedGrant[] = [];
    for (let i = 0; i < all.mailboxes.length; i++) this.unpackInto(out, all.mailboxes[i]!, all.texts[i]!);
    return out;
  }
}

/**
 * Whether `text` holds exactly these grants: the declared lists in (right,
 * trustee) order, each list sorted. The text these grants would have is
 * written out and compared whole (at a million grants, faster than reading
 * the text in place). Any other text (another order, an unreadable
 * autoMapping written null) answers false, and so does a trustee JSON would
 * escape (a quote could even end the string early), so true is only ever said
 * of a text that JSON-decodes to exactly these grants; the caller compares
 * grant objects for the rest.
 */
export function textHoldsExactly(
  text: string,
  fullAccess: ReadonlyArray<{ readonly trustee: string; readonly autoMapping: boolean }>,
  sendAs: readonly string[],
  sendOnBehalf: readonly string[],
): boolean {
  let expected = "[";
  for (const g of fullAccess) {
    if (escaped(g.trustee)) return false;
    expected += (expected.length > 1 ? NEXT_FULL_ACCESS : FULL_ACCESS) + g.trustee + (g.autoMapping ? MAPPED : NOT_MAPPED);
  }
  for (const t of sendAs) {
    if (escaped(t)) return false;
    expected += (expected.length > 1 ? NEXT_SEND_AS : SEND_AS) + t + NO_MAPPING;
  }
  for (const t of sendOnBehalf) {
    if (escaped(t)) return false;
    expected += (expected.length > 1 ? NEXT_SEND_ON_BEHALF : SEND_ON_BEHALF) + t + NO_MAPPING;
  }
  return expected.length + 1 === text.length && `${expected}]` === text;
}

/** Whether JSON would write `s` otherwise than as it is (a control character it would escape too, but a text never holds one raw, so never matches). */
function escaped(s: string): boolean {
  return s.includes('"') || s.includes("\\");
}

const FULL_ACCESS = '["FullAccess","';
const SEND_AS = '["SendAs","';
const SEND_ON_BEHALF = '["SendOnBehalf","';
const NEXT_FULL_ACCESS = `,${FULL_ACCESS}`;
const NEXT_SEND_AS = `,${SEND_AS}`;
const NEXT_SEND_ON_BEHALF = `,${SEND_ON_BEHALF}`;
const MAPPED = '",1]';
const NOT_MAPPED = '",0]';
const NO_MAPPING = '",null]';

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
