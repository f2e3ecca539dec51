import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classOf, sortActions, type HealClass } from "../../lib/reconcile/classify.js";
import { healPlan } from "../../lib/reconcile/heal-plan.js";
import { contentDigestOf, verifyPlanSignature } from "../../lib/plan/document.js";
import { ACTION_TYPES, type ActionType, type PlanAction, type PlanDocument } from "../../lib/plan/types.js";
import { convergedWorld } from "./world.js";
import { planAgainst } from "../integration/helpers.js";

function act(id: string, type: ActionType, reason: string, dependsOn: string[] = []): PlanAction {
  return { id, type, target: "support@contoso.com", params: {}, dependsOn, reason, description: id, destructive: false, access: [] };
}

const HEAL_PAIRS: ReadonlyArray<readonly [ActionType, string, HealClass]> = [
  ["user.blockSignIn", "sign_in_enabled_on_shared_mailbox", "security"],
  ["permission.revoke", "grant_not_declared", "security"],
  ["permission.grant", "grant_declared", "access"],
  ["permission.revoke", "automapping_changed", "access"],
  ["permission.grant", "automapping_changed", "access"],
];

describe("classifying a plan's actions", () => {
  it("puts a sign-in block on a shared mailbox and the revoke of an undeclared grant in security, a declared grant in access", () => {
    for (const [type, reason, cls] of HEAL_PAIRS) expect(classOf(act("a", type, reason)), `${type} ${reason}`).toBe(cls);
  });

  it("leaves every other action for review, sign-in blocks that come with a new or converted mailbox included", () => {
    expect(classOf(act("a", "user.blockSignIn", "new_anchor_sign_in_enabled"))).toBe("review");
    expect(classOf(act("a", "user.blockSignIn", "sign_in_blocked_after_conversion"))).toBe("review");
    for (const type of ACTION_TYPES.filter((t) => !t.startsWith("permission.") && t !== "user.blockSignIn")) {
      expect(classOf(act("a", type, "grant_declared")), type).toBe("review");
    }
  });

  it("heals an opted-in action only when everything it depends on is healed too", () => {
    const create = act("create", "mailbox.create", "mailbox_declared");
    const grant = act("grant", "permission.grant", "grant_declared", ["create"]);
    const lone = act("lone", "permission.grant", "grant_declared");
    const doc = { actions: [create, grant, lone] } as unknown as PlanDocument;
    const sorted = sortActions(doc, new Set(["access"]));
    expect(sorted.heal.map((a) => a.id)).toEqual(["lone"]);
    expect(sorted.notOptedIn.map((a) => a.id)).toEqual(["grant"]);
    expect(sorted.review.map((a) => a.id)).toEqual(["create"]);
  });

  it("never heals a review action, never an action outside the opted classes, and always a dependency-closed list in plan order (property)", () => {
    const types = fc.constantFrom(...ACTION_TYPES);
    const reasons = fc.constantFrom("grant_declared", "grant_not_declared", "sign_in_enabled_on_shared_mailbox", "automapping_changed", "mailbox_declared", "origin_convert");
    const plan = fc.array(fc.record({ type: types, reason: reasons, deps: fc.array(fc.nat(), { maxLength: 3 }) }), { maxLength: 40 }).map((specs) =>
      specs.map((s, i) => act(`a${i}`, s.type, s.reason, i === 0 ? [] : [...new Set(s.deps.map((d) => `a${d % i}`))])),
    );
    const opted = fc.subarray(["security", "access"] as HealClass[]);
    fc.assert(
      fc.property(plan, opted, (actions, classes) => {
        const sorted = sortActions({ actions } as unknown as PlanDocument, new Set(classes));
        const healed = new Set(sorted.heal.map((a) => a.id));
        for (const a of sorted.heal) {
          const cls = classOf(a);
          expect(cls).not.toBe("review");
          expect(classes).toContain(cls);
          for (const d of a.dependsOn) expect(healed.has(d)).toBe(true);
        }
        const order = actions.map((a) => a.id).filter((id) => healed.has(id));
        expect(sorted.heal.map((a) => a.id)).toEqual(order);
        expect(sorted.heal.length + sorted.notOptedIn.length + sorted.review.length).toBe(actions.length);
      }),
    );
  });
});

describe("the heal plan", () => {
  it("is the plan cut to the healed actions, with its own summary and digest, and signed when a key is given", async () => {
    const w = await convergedWorld();
    w.tenant.adminAddGrant("support@contoso.com", "FullAccess", "frank.moss@contoso.com");
    w.tenant.adminConvert("harry.wells@contoso.com", "regular");
    const doc = await planAgainst(w.tenant, w.desired);
    const sorted = sortActions(doc, new Set(["security"]));
    const heal = healPlan(doc, sorted.heal, "k".repeat(64));
    expect(heal.actions.map((a) => a.id)).toEqual(["support@contoso.com:permission.revoke:FullAccess:frank.moss@contoso.com"]);
    expect(heal.summary.actions).toBe(1);
    expect(heal.contentDigest).toBe(contentDigestOf(heal));
    expect(heal.contentDigest).not.toBe(doc.contentDigest);
    expect(verifyPlanSignature(heal, "k".repeat(64))).toBe("ok");
    expect(healPlan(doc, sorted.heal).signature).toBeUndefined();
  });
});
