/** Shared helpers for the planner tests: desired documents, plan lookups, schema validation. */
import { Ajv } from "ajv";
import schema from "../../schema/plan.schema.json" with { type: "json" };
import type { SharedMailboxSpec, UserMailboxSpec } from "../../lib/model/generated/desired-state.js";
import { canonicalize, type CanonicalDesiredState } from "../../lib/model/normalize.js";
import type { ActionType, PlanAction, PlanDocument } from "../../lib/plan/types.js";
import { plan } from "../../lib/plan/planner.js";

export function desired(
  shared: readonly SharedMailboxSpec[],
  users: readonly UserMailboxSpec[] = [],
  stack = "contoso",
): CanonicalDesiredState {
  return canonicalize({
    formatVersion: 1,
    stack,
    tenant: { id: "contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"] },
    sharedMailboxes: [...shared],
    userMailboxes: [...users],
  });
}

/** "type target[ extra]" lines, compact for assertions. */
export function steps(doc: PlanDocument, target?: string): string[] {
  return doc.actions
    .filter((a) => target === undefined || a.target === target)
    .map((a) => `${a.type} ${a.target}${extra(a)}`);
}

function extra(a: PlanAction): string {
  const p = a.params;
  if (p.sku !== undefined) return ` ${p.sku}${p.temporary ? " (temporary)" : ""}`;
  if (p.right !== undefined) return ` ${p.right} ${p.trustee}${p.autoMapping === false ? " (no automapping)" : ""}`;
  if (p.to !== undefined) return ` to ${p.to}`;
  if (p.for !== undefined) return ` for ${p.for}`;
  return "";
}

export function find(doc: PlanDocument, type: ActionType, target: string, pred: (a: PlanAction) => boolean = () => true): PlanAction {
  const a = doc.actions.find((x) => x.type === type && x.target === target && pred(x));
  if (!a) throw new Error(`no ${type} on ${target} in plan:\n${steps(doc).join("\n")}\n${JSON.stringify(doc.diagnostics, null, 1)}`);
  return a;
}

export function position(doc: PlanDocument, id: string): number {
  const i = doc.actions.findIndex((a) => a.id === id);
  if (i < 0) throw new Error(`no action ${id}`);
  return i;
}

/** a runs before b, and b depends on a transitively. */
export function before(doc: PlanDocument, a: PlanAction, b: PlanAction): boolean {
  return position(doc, a.id) < position(doc, b.id) && dependsTransitively(doc, b.id, a.id);
}

export function dependsTransitively(doc: PlanDocument, from: string, on: string): boolean {
  const byId = new Map(doc.actions.map((a) => [a.id, a]));
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    for (const d of byId.get(id)?.dependsOn ?? []) {
      if (d === on) return true;
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return false;
}

export function errors(doc: PlanDocument): Array<{ code: string; target: string; message: string }> {
  return doc.diagnostics.filter((d) => d.severity === "error").map(({ code, target, message }) => ({ code, target, message }));
}

export function warnings(doc: PlanDocument): Array<{ code: string; target: string; message: string }> {
  return doc.diagnostics.filter((d) => d.severity === "warning").map(({ code, target, message }) => ({ code, target, message }));
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

/** Throws with ajv's errors when `doc` does not match schema/plan.schema.json. */
export function assertSchemaValid(doc: PlanDocument): void {
  if (!validate(JSON.parse(JSON.stringify(doc)))) {
    throw new Error(`plan does not match schema/plan.schema.json: ${JSON.stringify(validate.errors, null, 1)}`);
  }
}

/** plan(), asserting every document it produces matches schema/plan.schema.json. */
export function planOf(
  d: CanonicalDesiredState,
  o: import("../../lib/provider/observed.js").ObservedState,
  options: import("../../lib/plan/types.js").PlanOptions = {},
): PlanDocument {
  const doc = plan(d, o, options);
  assertSchemaValid(doc);
  return doc;
}
