/**
 * What the tenant would refuse halfway through an apply is a planning error
 * instead, reported with every other one and with nothing planned: a grant to
 * the account of a mailbox the same plan deletes (the account goes with it,
 * R2.3, and the grant would then be refused: TrusteeNotFound), and the
 * archiving add-on as a mailbox's only licence (it needs an Exchange Online
 * plan beside it: DependencyViolation).
 */
import { describe, expect, it } from "vitest";
import { tenant } from "../util/observed-builder.js";
import { desired, errors, planOf } from "./helpers.js";

const OURS = "exoform:stack=contoso;removal=delete";

const base = () =>
  tenant()
    .sku("EXCHANGESTANDARD", { prepaid: 10 })
    .sku("EXCHANGEENTERPRISE", { prepaid: 10 })
    .sku("EXCHANGEARCHIVE_ADDON", { prepaid: 10 })
    .userMailbox("ann.lee@contoso.com", { licenses: ["EXCHANGESTANDARD"] })
    .sharedMailbox("support@contoso.com", { usageLocation: "US" })
    // left the code with removalPolicy "delete": this plan deletes it and its account
    .sharedMailbox("old-team@contoso.com", { managementTag: OURS });

describe("planning errors for what the tenant would refuse midway", () => {
  it("refuses a grant to the account of a mailbox the same plan deletes", () => {
    const observed = base().build();
    const doc = planOf(
      desired([{ address: "support@contoso.com", displayName: "Support", fullAccess: [{ trustee: "old-team@contoso.com" }], sendAs: ["ann.lee@contoso.com"] }]),
      observed,
    );
    expect(doc.actions).toEqual([]);
    const found = errors(doc);
    expect(found.map((d) => `${d.code} ${d.target}`)).toEqual(["trustee_deleted_by_plan support@contoso.com"]);
    expect(found[0]!.message).toContain('grants FullAccess to "old-team@contoso.com"');
    expect(found[0]!.message).toMatch(/this plan deletes mailbox "old-team@contoso\.com".*declare old-team@contoso\.com again.*or remove the grant/);
  });

  it("refuses it even when the grant is already in place (the plan would delete its trustee under it)", () => {
    const observed = base().grant("support@contoso.com", "SendAs", "old-team@contoso.com").build();
    const doc = planOf(desired([{ address: "support@contoso.com", displayName: "Support", sendAs: ["old-team@contoso.com"] }]), observed);
    expect(errors(doc).map((d) => d.code)).toEqual(["trustee_deleted_by_plan"]);
    expect(doc.actions).toEqual([]);
  });

  it("does not refuse it when --target leaves the deletion out of the plan", () => {
    const observed = base().build();
    const doc = planOf(desired([{ address: "support@contoso.com", displayName: "Support", sendAs: ["old-team@contoso.com"] }]), observed, {
      targets: ["support@contoso.com"],
    });
    expect(errors(doc)).toEqual([]);
  });

  it.each([
    ["an existing shared mailbox", "support@contoso.com", "new" as const],
    ["a new shared mailbox", "fresh@contoso.com", "new" as const],
  ])("refuses the archiving add-on as the only licence of %s", (_what, address) => {
    const observed = base().build();
    const doc = planOf(desired([{ address, displayName: "Team", license: "EXCHANGEARCHIVE_ADDON" }, { address: "old-team@contoso.com", displayName: "Old" }]), observed);
    expect(doc.actions).toEqual([]);
    const found = errors(doc);
    expect(found.map((d) => `${d.code} ${d.target}`)).toEqual([`license_needs_exchange_plan ${address}`]);
    expect(found[0]!.message).toContain("EXCHANGEARCHIVE_ADDON");
    expect(found[0]!.message).toMatch(/DependencyViolation/);
    expect(found[0]!.message).toMatch(/set license: "EXCHANGEENTERPRISE"/);
  });

  it("refuses the archiving add-on as a user mailbox's licence", () => {
    const observed = base().sharedMailbox("kim@contoso.com", { usageLocation: "US" }).build();
    const doc = planOf(
      desired([{ address: "old-team@contoso.com", displayName: "Old" }], [{ address: "kim@contoso.com", license: "EXCHANGEARCHIVE_ADDON" }]),
      observed,
    );
    expect(errors(doc).map((d) => `${d.code} ${d.target}`)).toEqual(["license_needs_exchange_plan kim@contoso.com"]);
    expect(doc.actions).toEqual([]);
  });

  it("reports every such problem at once", () => {
    const observed = base().build();
    const doc = planOf(
      desired([
        { address: "support@contoso.com", displayName: "Support", license: "EXCHANGEARCHIVE_ADDON", sendOnBehalf: ["old-team@contoso.com"] },
        { address: "fresh@contoso.com", displayName: "Fresh", fullAccess: [{ trustee: "old-team@contoso.com" }] },
      ]),
      observed,
    );
    expect(errors(doc).map((d) => `${d.code} ${d.target}`).sort()).toEqual([
      "license_needs_exchange_plan support@contoso.com",
      "trustee_deleted_by_plan fresh@contoso.com",
      "trustee_deleted_by_plan support@contoso.com",
    ]);
    expect(doc.actions).toEqual([]);
  });
});
