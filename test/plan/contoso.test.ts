import { describe, expect, it } from "vitest";
import { applyModel } from "../util/apply-model.js";
import { contosoDesired, contosoTenant } from "./contoso.js";
import { before, errors, find, planOf, steps, warnings } from "./helpers.js";

describe("the contoso cast", () => {
  const doc = planOf(contosoDesired(), contosoTenant());

  it("plans without errors, warning only about legal's unlicensed trustee", () => {
    expect(errors(doc)).toEqual([]);
    expect(warnings(doc)).toEqual([{ code: "trustee_unlicensed", target: "legal@contoso.com", message: expect.stringContaining("gina.rossi@contoso.com") }]);
  });

  it("converts harry (already licensed: the license is released afterwards) and ivy (with a temporary seat)", () => {
    expect(steps(doc, "harry.wells@contoso.com")).toEqual([
      "mailbox.convert harry.wells@contoso.com to shared",
      "user.blockSignIn harry.wells@contoso.com",
      "user.revokeSessions harry.wells@contoso.com",
      "mailbox.update harry.wells@contoso.com",
      "permission.grant harry.wells@contoso.com FullAccess ben.ortiz@contoso.com",
      "permission.grant harry.wells@contoso.com SendAs ben.ortiz@contoso.com",
      "user.removeLicense harry.wells@contoso.com EXCHANGESTANDARD",
    ]);
    const assign = find(doc, "user.assignLicense", "ivy.chen@contoso.com");
    expect(assign.params).toEqual({ sku: "EXCHANGESTANDARD", temporary: true });
    expect(before(doc, assign, find(doc, "mailbox.convert", "ivy.chen@contoso.com"))).toBe(true);
    expect(before(doc, find(doc, "mailbox.convert", "ivy.chen@contoso.com"), find(doc, "user.removeLicense", "ivy.chen@contoso.com"))).toBe(true);
  });

  it("recovers jack from the recycle bin", () => {
    expect(steps(doc, "jack.hale@contoso.com").slice(0, 5)).toEqual([
      "user.restore jack.hale@contoso.com",
      "user.assignLicense jack.hale@contoso.com EXCHANGESTANDARD (temporary)",
      "user.resetPassword jack.hale@contoso.com",
      "mailbox.wait jack.hale@contoso.com for recreated",
      "mailbox.convert jack.hale@contoso.com to shared",
    ]);
  });

  it("creates info (tagged for deletion) and ceo-office", () => {
    expect(find(doc, "mailbox.create", "info@contoso.com").params.displayName).toBe("Contoso Info");
    expect(find(doc, "mailbox.update", "info@contoso.com").params.changes?.["managementTag"]?.to).toBe("exoform:stack=contoso;removal=delete");
    expect(find(doc, "permission.grant", "info@contoso.com", (a) => a.params.trustee === "erin.kim@contoso.com").params.autoMapping).toBe(false);
    expect(find(doc, "permission.grant", "ceo-office@contoso.com", (a) => a.params.right === "SendOnBehalf").params.trustee).toBe("dev.patel@contoso.com");
  });

  it("on support, ben gains access, gina loses it, and sign-in is blocked", () => {
    expect(steps(doc, "support@contoso.com")).toEqual([
      "user.blockSignIn support@contoso.com",
      "permission.revoke support@contoso.com FullAccess gina.rossi@contoso.com",
      "permission.grant support@contoso.com FullAccess ben.ortiz@contoso.com",
      "permission.grant support@contoso.com SendAs ben.ortiz@contoso.com",
    ]);
    expect(doc.actions.flatMap((a) => a.access).filter((c) => c.change === "lose" && c.mailbox === "support@contoso.com")).toEqual([
      { mailbox: "support@contoso.com", principal: "gina.rossi@contoso.com", right: "FullAccess", change: "lose" },
    ]);
  });

  it("deletes events-2025, retains old-projects, converts kim back", () => {
    expect(find(doc, "mailbox.delete", "events-2025@contoso.com").destructive).toBe(true);
    expect(steps(doc, "old-projects@contoso.com")).toEqual([]);
    expect(steps(doc, "kim.nguyen@contoso.com")).toEqual([
      "mailbox.convert kim.nguyen@contoso.com to regular",
      "user.assignLicense kim.nguyen@contoso.com EXCHANGESTANDARD",
      "user.resetPassword kim.nguyen@contoso.com",
      "user.allowSignIn kim.nguyen@contoso.com",
    ]);
  });

  it("converges: applying the plan to a model of the tenant and planning again yields nothing", () => {
    const after = applyModel(contosoTenant(), doc);
    const again = planOf(contosoDesired(), after);
    expect(steps(again)).toEqual([]);
    expect(errors(again)).toEqual([]);
  });
});
