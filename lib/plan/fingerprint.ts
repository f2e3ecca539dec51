/**
 * Fingerprints of tenant objects, so that apply can tell whether the tenant
 * has moved since a plan was made. The planner records the fingerprint of
 * every object its actions depend on; apply recomputes them from a fresh
 * read and refuses the plan when any differs ("stale plan: plan again").
 *
 * Keys:
 *   mailbox:<address>  the mailboxes (live and soft-deleted) at that address, without
 *                      readyAt: readiness comes by itself as time passes, and a
 *                      plan waits for it (mailbox.wait), so it makes no plan stale
 *   grants:<address>   all direct grants on that mailbox
 *   user:<upn>         every user object with that UPN (live and soft-deleted)
 *   sku:<part>         the SKU's identity and service plans (seat counts are
 *                      re-checked per action instead: they move with every
 *                      unrelated license change in a large tenant)
 * A missing object fingerprints as "absent", so "was absent, now exists" is
 * detected too.
 *
 * Each action records the objects it DEPENDS on, not only the one it changes:
 * a grant its trustee's user, a hold or archive switched on its anchor's
 * user, a licence removal the mailbox whose needs the tenant re-checks
 * (docs/decisions/0005-plan-fingerprint-scope.md has the table).
 */
import type { ObservedMailbox, ObservedState } from "../provider/observed.js";
import { canonicalJson, sha256Hex } from "../private/canonical-json.js";

export const ABSENT = "absent";

/** An index over one observation, built once, for fingerprinting many keys. */
export class FingerprintIndex {
  private readonly mailboxes = new Map<string, ObservedMailbox[]>();
  private readonly grants = new Map<string, unknown[]>();
  private readonly users = new Map<string, unknown[]>();
  private readonly skus = new Map<string, unknown>();

  constructor(observed: ObservedState) {
    for (const m of observed.mailboxes) {
      const list = this.mailboxes.get(m.address);
      if (list) list.push(m);
      else this.mailboxes.set(m.address, [m]);
    }
    for (const g of observed.grants) {
      const list = this.grants.get(g.mailbox);
      if (list) list.push(g);
      else this.grants.set(g.mailbox, [g]);
    }
    for (const u of observed.users) {
      const list = this.users.get(u.userPrincipalName);
      if (list) list.push(u);
      else this.users.set(u.userPrincipalName, [u]);
    }
    for (const s of observed.skus) {
      this.skus.set(s.skuPartNumber, { skuId: s.skuId, skuPartNumber: s.skuPartNumber, servicePlans: s.servicePlans });
    }
  }

  /** The fingerprint of one key: 16 hex characters of sha256, or "absent". */
  of(key: string): string {
    const colon = key.indexOf(":");
    const kind = key.slice(0, colon);
    const id = key.slice(colon + 1);
    let value: unknown;
    switch (kind) {
      case "mailbox": {
        // one object in the usual case (its fingerprint as it always was); a live and a soft-deleted
        // mailbox at one address are both covered
        const list = this.mailboxes.get(id)?.map((m) => ({ ...m, readyAt: null }));
        value = list === undefined ? undefined : list.length === 1 ? list[0] : sortedByJson(list);
        break;
      }
      case "grants": {
        const list = this.grants.get(id);
        value = list ? sortedByJson(list) : undefined;
        break;
      }
      case "user": {
        const list = this.users.get(id);
        value = list ? sortedByJson(list) : undefined;
        break;
      }
      case "sku":
        value = this.skus.get(id);
        break;
      default:
        throw new Error(`unknown fingerprint key kind "${kind}" in "${key}"`);
    }
    return value === undefined ? ABSENT : sha256Hex(canonicalJson(value)).slice(0, 16);
  }

  /** Fingerprints of `keys`, as a key-sorted record. */
  ofAll(keys: Iterable<string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of [...new Set(keys)].sort()) out[key] = this.of(key);
    return out;
  }
}

function sortedByJson(list: readonly unknown[]): unknown[] {
  return list
    .map((v) => [canonicalJson(v), v] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, v]) => v);
}

/** Keys whose fingerprint differs between what the plan recorded and `current`. */
export function staleKeys(recorded: Readonly<Record<string, string>>, current: FingerprintIndex): string[] {
  return Object.keys(recorded)
    .sort()
    .filter((key) => recorded[key] !== current.of(key));
}
