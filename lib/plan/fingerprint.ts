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
import { grantsOn, indexObserved, type ObservedIndex } from "../compare/observed-index.js";
import type { ObservedState } from "../provider/observed.js";
import { canonicalJson, sha256Hex } from "../private/canonical-json.js";

export const ABSENT = "absent";

/**
 * Fingerprints over one observation's index (lib/compare/observed-index.ts):
 * the planner passes the index it already built, so a plan indexes the
 * tenant once; apply indexes its fresh read the same way.
 */
export class FingerprintIndex {
  /** Over an index already built (the planner's). */
  constructor(private readonly ix: ObservedIndex) {}

  /** Over a fresh observation (apply's re-read). */
  static over(observed: ObservedState): FingerprintIndex {
    return new FingerprintIndex(indexObserved(observed));
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
        const list = liveAndDeleted(this.ix.mailboxes.get(id), this.ix.deletedMailboxes.get(id))?.map((m) => ({ ...m, readyAt: null }));
        value = list === undefined ? undefined : list.length === 1 ? list[0] : sortedByJson(list);
        break;
      }
      case "grants": {
        // one mailbox's run, found without making every mailbox's grant objects (a text each, read a mailbox at a time)
        const list = grantsOn(this.ix, id);
        value = list.length > 0 ? sortedByJson(list) : undefined;
        break;
      }
      case "user": {
        const list = liveAndDeleted(this.ix.users.get(id), this.ix.deletedUsers.get(id));
        value = list ? sortedByJson(list) : undefined;
        break;
      }
      case "sku": {
        const s = this.ix.skus.get(id);
        value = s === undefined ? undefined : { skuId: s.skuId, skuPartNumber: s.skuPartNumber, servicePlans: s.servicePlans };
        break;
      }
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

/** The live object and the soft-deleted ones at one name, or undefined when there are none. */
function liveAndDeleted<T>(live: T | undefined, deleted: readonly T[] | undefined): T[] | undefined {
  if (live === undefined) return deleted === undefined || deleted.length === 0 ? undefined : [...deleted];
  return deleted === undefined ? [live] : [live, ...deleted];
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
