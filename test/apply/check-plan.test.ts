import { describe, expect, it } from "vitest";
import { applyPlan, checkPlanDocument } from "../../lib/apply/index.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { buildPlan, contoso, FAST, seal } from "./helpers.js";

const grantBen = { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } } as const;

async function messages(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (UserError.is(e)) return e.diagnostics.map((d) => `${d.code}: ${d.target}: ${d.message}`);
    throw e;
  }
  throw new Error("expected a UserError");
}

describe("apply refuses plans it must not run", () => {
  it("refuses a stale plan, naming the object that changed and saying to plan again, and changes nothing", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen, { type: "user.blockSignIn", target: "harry.wells@contoso.com" }]);
    // someone grants gina SendAs on support by hand after the plan was made
    tenant.state.grants.get("support@contoso.com")!.set("SendAs\ngina.rossi@contoso.com", { mailbox: "support@contoso.com", right: "SendAs", trustee: "gina.rossi@contoso.com" });
    expect(await messages(applyPlan(plan, tenant, FAST))).toEqual([
      `stale_plan: support@contoso.com: stale plan: the grants on support@contoso.com changed since the plan was made (observed ${plan.observedAt}); run exoform plan again and review the new plan`,
    ]);
    expect(tenant.writes()).toEqual([]);
  });

  it("names every changed object at once", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen, { type: "user.blockSignIn", target: "harry.wells@contoso.com" }]);
    const harry = tenant.state.users.get("id-harry.wells@contoso.com")!;
    tenant.state.users.set(harry.id, { ...harry, accountEnabled: false });
    tenant.state.mailboxes.delete("support@contoso.com");
    const found = await messages(applyPlan(plan, tenant, FAST));
    expect(found.map((m) => m.split(": ").slice(0, 2).join(": "))).toEqual([
      "stale_plan: support@contoso.com",
      "stale_plan: harry.wells@contoso.com",
    ]);
    expect(found[0]).toContain("mailbox support@contoso.com changed");
  });

  it("refuses a plan modified after it was written", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    const tampered = JSON.parse(JSON.stringify(plan)) as { actions: Array<{ params: { trustee: string } }> };
    tampered.actions[0]!.params.trustee = "mallory@contoso.com";
    const found = await messages(applyPlan(tampered as unknown as PlanDocument, tenant, FAST));
    expect(found).toEqual([
      "plan_modified: : plan: the plan was modified after it was written (contentDigest does not match its content); plans cannot be edited, plan again instead",
    ]);
    expect(tenant.writes()).toEqual([]);
  });

  it("refuses a plan of a formatVersion it does not know", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    const { contentDigest: _, ...rest } = plan;
    const future = seal({ ...rest, formatVersion: 2 as 1 });
    expect(() => checkPlanDocument(future, "plan.json")).toThrow(
      "plan.json: plan formatVersion 2 is not supported (this exoform reads formatVersion 1); plan again with this version",
    );
    expect(() => checkPlanDocument([], "plan.json")).toThrow(/not a plan document/);
  });

  it("refuses a plan with error diagnostics, listing each", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    const { contentDigest: _, ...rest } = plan;
    const withErrors = seal({
      ...rest,
      diagnostics: [
        { severity: "error", code: "trustee_outside_tenant", target: "info@contoso.com", message: "fullAccess trustee bob@fabrikam.com is not in the tenant" },
        { severity: "warning", code: "unlicensed_trustee", target: "legal@contoso.com", message: "gina.rossi@contoso.com has no exchange license" },
      ],
    });
    expect(await messages(applyPlan(withErrors, tenant, FAST))).toEqual([
      "trustee_outside_tenant: info@contoso.com: the plan has errors and cannot be applied: fullAccess trustee bob@fabrikam.com is not in the tenant",
    ]);
  });

  it("refuses a plan whose dependsOn points forward or nowhere", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [{ ...grantBen, dependsOn: ["nope"] }]);
    expect(await messages(applyPlan(plan, tenant, FAST))).toEqual([
      `bad_dependency: support@contoso.com: action ${plan.actions[0]!.id} depends on nope, which does not appear before it`,
    ]);
  });

  it("refuses a plan made for another tenant", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    const { contentDigest: _, ...rest } = plan;
    const other = seal({ ...rest, tenantId: "fabrikam" });
    expect(await messages(applyPlan(other, tenant, FAST))).toEqual([
      'wrong_tenant: : the plan is for tenant "fabrikam" but fake is tenant "contoso"; apply it to the tenant it was made for, or plan again',
    ]);
  });
});
