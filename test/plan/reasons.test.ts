/**
 * The plan schema's reason codes are a closed set: exactly the reasons the
 * planner can emit. Read from the planner's sources, so a new reason in
 * lib/plan fails here until schema/plan.schema.json lists it (and a reason
 * the planner no longer emits fails until it is removed): apply refuses a
 * plan file with a reason outside the schema's enum.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import schema from "../../schema/plan.schema.json" with { type: "json" };
import { ACTION_TYPES } from "../../lib/plan/types.js";
import { contosoDesired, contosoTenant } from "./contoso.js";
import { planOf } from "./helpers.js";

/** The planner, and the comparison it reads its settings' reasons from (lib/compare/settings.ts, decision 0011). */
const PLAN_DIRS = ["plan", "compare"].map((d) => join(import.meta.dirname, "..", "..", "lib", d));
const SNAKE = /"([a-z][a-z0-9_]*)"/g;

/** Every reason code in lib/plan: the literals of each `reason:` property, and the values of the REASON tables they index. */
function reasonsInPlannerSources(): { reasons: Set<string>; opaque: string[] } {
  const reasons = new Set<string>();
  const opaque: string[] = [];
  for (const [dir, name] of PLAN_DIRS.flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".ts")).map((f) => [d, f] as const))) {
    const text = readFileSync(join(dir, name), "utf8");
    for (const m of text.matchAll(/^\s*reason:\s*(.+?),?\s*$/gm)) {
      const expr = m[1]!;
      if (/^(string|PlanReason|Reason)\b/.test(expr) || expr.startsWith("draft.reason")) continue; // a type, or a copy of a draft's reason
      const literals = [...expr.matchAll(SNAKE)].map((x) => x[1]!);
      // every reason expression is literals, or a lookup in a REASON table (read below); anything else cannot be enumerated
      if (literals.length === 0 && !/\bREASON\[/.test(expr)) opaque.push(`${name}: reason: ${expr}`);
      for (const r of literals) reasons.add(r);
    }
    for (const table of text.matchAll(/const REASON\b[^=]*=\s*\{([^}]*)\}/g)) {
      for (const x of table[1]!.matchAll(/:\s*"([a-z][a-z0-9_]*)"/g)) reasons.add(x[1]!);
    }
  }
  return { reasons, opaque };
}

describe("the closed vocabulary of schema/plan.schema.json", () => {
  it("lists exactly the reasons the planner can emit", () => {
    const { reasons, opaque } = reasonsInPlannerSources();
    expect(opaque, "reason expressions the scan cannot enumerate: use literals or the REASON table").toEqual([]);
    expect(reasons.size).toBeGreaterThan(20);
    expect([...schema.definitions.Reason.enum].sort()).toEqual([...reasons].sort());
  });

  it("has one oneOf branch per action type, each fixing its type, and the ActionType enum equals ACTION_TYPES", () => {
    expect([...schema.definitions.ActionType.enum].sort()).toEqual([...ACTION_TYPES].sort());
    const defs = schema.definitions as unknown as Record<string, { properties: { type: { const: string } } }>;
    const branchTypes = schema.definitions.Action.oneOf.map((b) => defs[b.$ref.replace("#/definitions/", "")]!.properties.type.const);
    expect(branchTypes.sort()).toEqual([...ACTION_TYPES].sort());
  });

  it("the contoso plan uses reasons from the enum only (planOf validates it against the schema)", () => {
    const doc = planOf(contosoDesired(), contosoTenant());
    const used = new Set(doc.actions.map((a) => a.reason));
    expect(used.size).toBeGreaterThan(5);
    for (const r of used) expect(schema.definitions.Reason.enum).toContain(r);
  });
});
