/**
 * Grants compared per right and per trustee (R3.1-R3.10): which declared
 * trustees lack the right, which FullAccess grants have another autoMapping
 * (R3.5), and which holders the code does not list, split by the mailbox's
 * permissionsMode into revoked ("authoritative") and kept ("additive").
 * The planner turns these into grants and revokes, drift into grant_removed,
 * automapping_changed and grant_added items.
 */
import type { CanonicalSharedMailbox } from "../model/normalize.js";
import { compareStrings } from "../private/canonical-json.js";
import type { ObservedGrant, Right } from "../provider/observed.js";
import { textHoldsExactly } from "../provider/packed-grants.js";
import { heldGrants, type HeldGrants } from "./observed-index.js";
import type { DriftField } from "./vocabulary.js";

export const RIGHTS: readonly Right[] = ["FullAccess", "SendAs", "SendOnBehalf"];

/** The desired-state list of each right: the drift item's field. */
export const RIGHT_FIELD: Readonly<Record<Right, DriftField>> = {
  FullAccess: "fullAccess",
  SendAs: "sendAs",
  SendOnBehalf: "sendOnBehalf",
};

export interface RightComparison {
  readonly right: Right;
  /** Declared trustees; FullAccess: with their autoMapping (true for the other rights). */
  readonly want: ReadonlyMap<string, boolean>;
  /** Current holders. */
  readonly have: ReadonlyMap<string, ObservedGrant>;
  /** Declared, not held. */
  readonly missing: readonly string[];
  /** FullAccess held with a readable autoMapping other than the declared one (an unreadable one is never a difference). */
  readonly remapped: readonly string[];
  /** Held, not declared, sorted: revoked when the mailbox is authoritative. */
  readonly extra: readonly string[];
}

export interface GrantComparison {
  readonly rights: readonly RightComparison[];
  readonly authoritative: boolean;
  /** No grant to add, re-map or revoke. */
  readonly same: boolean;
}

function desiredOf(spec: CanonicalSharedMailbox, right: Right): Map<string, boolean> {
  switch (right) {
    case "FullAccess":
      return new Map(spec.fullAccess.map((g) => [g.trustee, g.autoMapping]));
    case "SendAs":
      return new Map(spec.sendAs.map((t) => [t, true]));
    case "SendOnBehalf":
      return new Map(spec.sendOnBehalf.map((t) => [t, true]));
  }
}

const EMPTY: readonly string[] = [];

/**
 * `spec`'s grants against `grants`, those on its mailbox as indexObserved
 * gives them: a list lower-cased, and the provider's text when it read one.
 * A mailbox whose text or list is exactly the declared grants takes the short
 * way (the common case at scale); only the others' grant objects are read.
 */
export function compareGrants(spec: CanonicalSharedMailbox, grants: HeldGrants | readonly ObservedGrant[]): GrantComparison {
  const held = "text" in grants ? grants : heldGrants(grants);
  if (held.text !== undefined && textHoldsExactly(held.text, spec.fullAccess, spec.sendAs, spec.sendOnBehalf)) return new GrantsAsDeclared(spec, held);
  const current = held.list;
  if (heldExactly(spec, current)) return new GrantsAsDeclared(spec, held);
  const byRight = new Map<Right, Map<string, ObservedGrant>>(RIGHTS.map((r) => [r, new Map()]));
  for (const g of current) byRight.get(g.right)?.set(g.trustee, g);
  let same = true;
  const rights = RIGHTS.map((right): RightComparison => {
    const want = desiredOf(spec, right);
    const have = byRight.get(right)!;
    let missing: string[] | undefined;
    let remapped: string[] | undefined;
    for (const [trustee, autoMapping] of want) {
      const held = have.get(trustee);
      if (held === undefined) (missing ??= []).push(trustee);
      else if (right === "FullAccess" && held.autoMapping !== undefined && held.autoMapping !== autoMapping) (remapped ??= []).push(trustee);
    }
    let extra: string[] | undefined;
    // the common case at scale is every holder declared: test that before building anything
    if (have.size > want.size - (missing?.length ?? 0)) {
      for (const trustee of have.keys()) if (!want.has(trustee)) (extra ??= []).push(trustee);
      extra?.sort(compareStrings);
    }
    if (missing || remapped || (extra && spec.permissionsMode === "authoritative")) same = false;
    return { right, want, have, missing: missing ?? EMPTY, remapped: remapped ?? EMPTY, extra: extra ?? EMPTY };
  });
  return { rights, authoritative: spec.permissionsMode === "authoritative", same };
}

/**
 * Whether `current` is exactly the declared grants, in the order both come
 * in (right, then trustee: canonical lists are sorted, providers list grants
 * sorted): the common case at scale, told by one walk of both lists with
 * nothing built (issue 15). Any other order or content answers false and is
 * compared in full, so this can only ever take the short way for a mailbox
 * that has nothing to change.
 */
function heldExactly(spec: CanonicalSharedMailbox, current: readonly ObservedGrant[]): boolean {
  if (current.length !== spec.fullAccess.length + spec.sendAs.length + spec.sendOnBehalf.length) return false;
  let i = 0;
  for (const g of spec.fullAccess) {
    const c = current[i++]!;
    // an unreadable autoMapping is never a difference (RightComparison.remapped)
    if (c.right !== "FullAccess" || c.trustee !== g.trustee || (c.autoMapping !== undefined && c.autoMapping !== g.autoMapping)) return false;
  }
  for (const t of spec.sendAs) {
    const c = current[i++]!;
    if (c.right !== "SendAs" || c.trustee !== t) return false;
  }
  for (const t of spec.sendOnBehalf) {
    const c = current[i++]!;
    if (c.right !== "SendOnBehalf" || c.trustee !== t) return false;
  }
  return true;
}

/** The comparison of a mailbox whose grants are exactly the declared ones: one object, its rights built only when read (drift reads them; the planner does not). */
class GrantsAsDeclared implements GrantComparison {
  readonly same = true;
  #rights: readonly RightComparison[] | undefined;

  constructor(
    private readonly spec: CanonicalSharedMailbox,
    private readonly held: HeldGrants,
  ) {}

  get authoritative(): boolean {
    return this.spec.permissionsMode === "authoritative";
  }

  get rights(): readonly RightComparison[] {
    return (this.#rights ??= RIGHTS.map((right) => new HeldAsDeclared(this.spec, this.held, right)));
  }
}

/** One right held exactly as declared: nothing missing, re-mapped or extra; its maps are built only when read. */
class HeldAsDeclared implements RightComparison {
  readonly missing = EMPTY;
  readonly remapped = EMPTY;
  readonly extra = EMPTY;
  #want: Map<string, boolean> | undefined;
  #have: Map<string, ObservedGrant> | undefined;

  constructor(
    private readonly spec: CanonicalSharedMailbox,
    private readonly held: HeldGrants,
    readonly right: Right,
  ) {}

  get want(): ReadonlyMap<string, boolean> {
    return (this.#want ??= desiredOf(this.spec, this.right));
  }

  get have(): ReadonlyMap<string, ObservedGrant> {
    return (this.#have ??= new Map(this.held.list.filter((g) => g.right === this.right).map((g) => [g.trustee, g])));
  }
}
