/**
 * The action graph: orders actions so that every dependency comes first
 * (Kahn's algorithm), breaking ties by target address, then by a fixed rank
 * of action types, then by id, so the same actions always come out in the
 * same order. A dependency cycle or a dependency on an unknown id is a bug in
 * the planner, not a user error: it throws.
 */
import { compareStrings } from "../private/canonical-json.js";
import type { ActionType, PlanAction } from "./types.js";

/** The tie-break order of action types on one target: the order a person would do them in. */
export const TYPE_RANK: Readonly<Record<ActionType, number>> = {
  "user.restore": 0,
  "mailbox.rename": 1,
  "user.rename": 2,
  "mailbox.create": 3,
  "user.assignLicense": 4,
  "user.resetPassword": 5,
  "mailbox.wait": 6,
  "mailbox.convert": 7,
  "user.blockSignIn": 8,
  "user.revokeSessions": 9,
  "user.allowSignIn": 10,
  "mailbox.update": 11,
  "permission.revoke": 12,
  "permission.grant": 13,
  "user.removeLicense": 14,
  "mailbox.delete": 15,
};

export function compareActions(a: PlanAction, b: PlanAction): number {
  return compareStrings(a.target, b.target) || TYPE_RANK[a.type] - TYPE_RANK[b.type] || compareStrings(a.id, b.id);
}

/** `actions` in dependency order. Throws on duplicate ids, unknown dependencies and cycles. */
export function topologicalOrder(actions: readonly PlanAction[]): PlanAction[] {
  // Rank every action once by the tie-break order; the heap then compares integers.
  const sorted = [...actions].sort(compareActions);
  const ordinal = new Map<string, number>();
  sorted.forEach((a, i) => {
    if (ordinal.has(a.id)) throw new Error(`internal: duplicate action id "${a.id}"`);
    ordinal.set(a.id, i);
  });
  const indegree = new Int32Array(sorted.length);
  const dependents: number[][] = sorted.map(() => []);
  sorted.forEach((a, i) => {
    for (const dep of new Set(a.dependsOn)) {
      const d = ordinal.get(dep);
      if (d === undefined) throw new Error(`internal: action "${a.id}" depends on unknown action "${dep}"`);
      dependents[d]!.push(i);
      indegree[i]!++;
    }
  });
  const heap = new MinHeap();
  indegree.forEach((n, i) => {
    if (n === 0) heap.push(i);
  });
  const out: PlanAction[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    out.push(sorted[i]!);
    for (const j of dependents[i]!) if (--indegree[j]! === 0) heap.push(j);
  }
  if (out.length !== sorted.length) {
    const stuck = sorted.filter((_, i) => indegree[i]! > 0).map((a) => a.id);
    throw new Error(`internal: dependency cycle among planned actions: ${stuck.slice(0, 10).join(", ")}`);
  }
  return out;
}

/** A binary min-heap of non-negative integers. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= value) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = value;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
