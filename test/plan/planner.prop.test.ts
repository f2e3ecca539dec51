import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { desiredFromObserved } from "../../lib/export/from-observed.js";
import { parseManagementTag } from "../../lib/model/management-tag.js";
import { plan, planDraft } from "../../lib/plan/planner.js";
import { ACTION_TYPES, type PlanDocument } from "../../lib/plan/types.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { applyModel } from "../util/apply-model.js";
import { scenarioArb, tenantArb, withDrift } from "./generators.js";
import { assertSchemaValid, dependsTransitively, errors, steps } from "./helpers.js";

const RUNS = { numRuns: 150 };

function checkOrdering(doc: PlanDocument): void {
  const index = new Map(doc.actions.map((a, i) => [a.id, i]));
  expect(index.size).toBe(doc.actions.length);
  doc.actions.forEach((a, i) => {
    for (const d of a.dependsOn) {
      const j = index.get(d);
      expect(j, `${a.id} depends on unknown ${d}`).toBeDefined();
      expect(j!, `${a.id} depends on later ${d}`).toBeLessThan(i);
    }
  });
  const on = (target: string, type: string) => doc.actions.filter((a) => a.target === target && a.type === type);
  const dep = (from: string, to: string) => dependsTransitively(doc, from, to);
  for (const a of doc.actions) {
    if (a.type === "mailbox.convert" && a.params.to === "shared") {
      for (const l of on(a.target, "user.assignLicense")) expect(dep(a.id, l.id), `${a.id} after ${l.id}`).toBe(true);
      for (const r of on(a.target, "user.removeLicense")) expect(dep(r.id, a.id), `${r.id} after ${a.id}`).toBe(true);
    }
    if (a.type === "permission.grant" || a.type === "permission.revoke") {
      for (const type of ["mailbox.create", "mailbox.wait", "mailbox.convert"]) {
        for (const r of on(a.target, type)) expect(dep(a.id, r.id), `${a.id} after ${r.id}`).toBe(true);
      }
      if (a.type === "permission.grant") {
        const revoke = `${a.target}:permission.revoke:${a.params.right}:${a.params.trustee}`;
        if (index.has(revoke)) expect(a.dependsOn).toContain(revoke);
      }
    }
    if (a.type === "user.restore") {
      for (const b of doc.actions) if (b !== a && b.target === a.target) expect(dep(b.id, a.id), `${b.id} after restore`).toBe(true);
    }
  }
}

describe("planner properties", () => {
  it("plans no action for a tenant against the desired state exported from it", () => {
    fc.assert(
      fc.property(tenantArb, ({ observed }) => {
        const doc = plan(desiredFromObserved(observed, { stack: "contoso" }), observed);
        expect(errors(doc)).toEqual([]);
        expect(steps(doc)).toEqual([]);
      }),
      RUNS,
    );
  });

  it("orders every plan validly: dependencies first, licenses around conversions, grants after readiness, restores first", () => {
    fc.assert(
      fc.property(scenarioArb, ({ t, desired, enable, notReady }) => {
        const doc = plan(desired, withDrift(t.observed, enable, notReady));
        assertSchemaValid(doc);
        checkOrdering(doc);
      }),
      RUNS,
    );
  });

  it("never deletes a user, and deletes only undeclared mailboxes tagged by this stack for deletion", () => {
    fc.assert(
      fc.property(scenarioArb, ({ t, desired }) => {
        const doc = plan(desired, t.observed);
        const declared = new Set([...desired.sharedMailboxes, ...desired.userMailboxes].map((m) => m.address));
        for (const a of doc.actions) {
          expect(ACTION_TYPES).toContain(a.type);
          if (a.type === "mailbox.delete") {
            const m = t.observed.mailboxes.find((x) => x.address === a.target && x.deletedAt === null)!;
            expect(parseManagementTag(m.managementTag)).toEqual({ stack: "contoso", removal: "delete" });
            expect(m.type).toBe("shared");
            expect(declared.has(a.target)).toBe(false);
            expect(a.destructive).toBe(true);
          }
        }
        expect(ACTION_TYPES.filter((x) => x.startsWith("user.") && /delete|remove$/i.test(x))).toEqual([]);
      }),
      RUNS,
    );
  });

  it("is deterministic: the same inputs give byte-identical plans", () => {
    fc.assert(
      fc.property(scenarioArb, ({ t, desired, enable, notReady }) => {
        const observed = withDrift(t.observed, enable, notReady);
        expect(canonicalJson(plan(desired, observed))).toBe(canonicalJson(plan(desired, observed)));
      }),
      { numRuns: 60 },
    );
  });

  it("plans the same whatever order the tenant's lists and the code's mailboxes come in, and whatever case the provider leaves addresses in", () => {
    fc.assert(
      fc.property(scenarioArb, ({ t, desired, enable, notReady }) => {
        const observed = withDrift(t.observed, enable, notReady);
        const shuffled = {
          ...observed,
          users: [...observed.users].reverse(),
          mailboxes: [...observed.mailboxes].reverse().map((m) => ({ ...m, address: m.address.toUpperCase() })),
          grants: [...observed.grants].reverse().map((g) => ({ ...g, mailbox: g.mailbox.toUpperCase(), trustee: g.trustee.toUpperCase() })),
        };
        // a desired state not made by canonicalize (no trustee list beside it), its mailboxes out of order
        const reordered = { ...desired, sharedMailboxes: [...desired.sharedMailboxes].reverse(), userMailboxes: [...desired.userMailboxes].reverse() };
        const expected = canonicalJson(planDraft(desired, observed).view);
        expect(canonicalJson(planDraft(desired, shuffled).view)).toBe(expected);
        expect(canonicalJson(planDraft(reordered, observed).view)).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  it("converges: applying a plan to a model of the tenant, then planning again, yields no actions", () => {
    let applied = 0;
    fc.assert(
      fc.property(scenarioArb, ({ t, desired, enable, notReady }) => {
        const observed = withDrift(t.observed, enable, notReady);
        const doc = plan(desired, observed);
        if (errors(doc).length > 0) return;
        applied++;
        const again = plan(desired, applyModel(observed, doc));
        expect(errors(again)).toEqual([]);
        expect(steps(again)).toEqual([]);
      }),
      RUNS,
    );
    expect(applied).toBeGreaterThan(RUNS.numRuns / 2);
  });
});
