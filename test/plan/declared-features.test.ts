/**
 * The planner's side of issue #13 on built tenants: sign-in exceptions on
 * every path, the revocation of a leaver's sessions, several licences and a
 * management attribute holding a value exoform did not write. The same
 * features end to end on the simulated tenant: test/integration/mailbox-features.test.ts.
 */
import { describe, expect, it } from "vitest";
import { canonicalize } from "../../lib/model/normalize.js";
import { tenant } from "../util/observed-builder.js";
import { desired, errors, find, planOf, steps } from "./helpers.js";

const ivy = "ivy.chen@contoso.com";
const scanner = { allowed: true, reason: "the scanner sends as this mailbox" } as const;
const base = () => tenant().sku("EXCHANGESTANDARD", { prepaid: 3 }).sku("EXCHANGEENTERPRISE", { prepaid: 1 }).sku("EXCHANGEARCHIVE_ADDON", { prepaid: 1 });

describe("a sign-in exception", () => {
  it("keeps a new mailbox's account enabled: no block after the create", () => {
    const doc = planOf(desired([{ address: "scan@contoso.com", displayName: "Scans", signIn: scanner }]), base().build());
    expect(steps(doc, "scan@contoso.com")).toEqual(["mailbox.create scan@contoso.com", "mailbox.wait scan@contoso.com for provisioned"]);
  });

  it("keeps a converted person's account enabled, without revoking its sessions", () => {
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert", license: "EXCHANGESTANDARD", signIn: scanner }]), base().userMailbox(ivy).build());
    expect(steps(doc, ivy)).toEqual([`user.assignLicense ${ivy} EXCHANGESTANDARD`, `mailbox.convert ${ivy} to shared`]);
  });

  it("allows a blocked account after the conversion, with the exception's reason", () => {
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert", license: "EXCHANGESTANDARD", signIn: scanner }]), base().userMailbox(ivy, { enabled: false }).build());
    const allow = find(doc, "user.allowSignIn", ivy);
    expect(allow.dependsOn).toEqual([`${ivy}:mailbox.convert:shared`]);
    expect(allow.reason).toBe("sign_in_exception_declared");
    expect(allow.description).toContain(scanner.reason);
  });

  it("is an error naming the on-premises fix when the blocked account is directory-synced", () => {
    const observed = base().sharedMailbox("scan@contoso.com", { synced: true }).build();
    expect(errors(planOf(desired([{ address: "scan@contoso.com", displayName: "Scan", signIn: scanner }]), observed))).toEqual([
      expect.objectContaining({ code: "hybrid_sign_in", message: expect.stringContaining("Enable-ADAccount") }),
    ]);
  });
});

describe("a leaver's sessions", () => {
  it("are revoked after the block, naming the account by id and the plan's observation time", () => {
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert", license: "EXCHANGESTANDARD" }]), base().userMailbox(ivy).build());
    const revoke = find(doc, "user.revokeSessions", ivy);
    expect(revoke.params).toEqual({ userId: `user:${ivy}`, revokedAfter: doc.observedAt });
    expect(revoke.dependsOn).toEqual([`${ivy}:user.blockSignIn`]);
  });

  it("are revoked after the conversion of an account already blocked, whose sessions may have outlived the block", () => {
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert", license: "EXCHANGESTANDARD" }]), base().userMailbox(ivy, { enabled: false }).build());
    expect(find(doc, "user.revokeSessions", ivy).dependsOn).toEqual([`${ivy}:mailbox.convert:shared`]);
  });

});

describe("several licences", () => {
  it("assigns the add-on first when the account holds an Exchange plan, so a hold never goes short while Plan 2 is replaced", () => {
    const observed = base().sharedMailbox("legal@contoso.com", { licenses: ["EXCHANGEENTERPRISE"], litigationHold: true, sizeGB: 20, usageLocation: "US" }).build();
    const doc = planOf(desired([{ address: "legal@contoso.com", displayName: "Legal", licenses: ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"], litigationHold: true }]), observed);
    const addon = find(doc, "user.assignLicense", "legal@contoso.com", (a) => a.params.sku === "EXCHANGEARCHIVE_ADDON");
    const plan1 = find(doc, "user.assignLicense", "legal@contoso.com", (a) => a.params.sku === "EXCHANGESTANDARD");
    expect(plan1.params.replaces).toEqual(["EXCHANGEENTERPRISE"]);
    expect(plan1.dependsOn).toContain(addon.id);
  });

  it("removes the add-on before the Exchange plan it depends on", () => {
    const observed = base().sharedMailbox("old@contoso.com", { licenses: ["EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"] }).build();
    const doc = planOf(desired([{ address: "old@contoso.com", displayName: "Old", license: "none" }]), observed);
    const addon = find(doc, "user.removeLicense", "old@contoso.com", (a) => a.params.sku === "EXCHANGEARCHIVE_ADDON");
    expect(find(doc, "user.removeLicense", "old@contoso.com", (a) => a.params.sku === "EXCHANGESTANDARD").dependsOn).toContain(addon.id);
  });
});

describe("extra addresses", () => {
  it("are refused when another recipient holds one, live or soft-deleted, naming the holder (R5.2)", () => {
    const built = base().sharedMailbox("sales@contoso.com").deletedUserMailbox("gone@contoso.com", "2026-10-25T09:00:00.000Z").build();
    const observed = { ...built, mailboxes: built.mailboxes.map((m) => (m.address === "sales@contoso.com" ? { ...m, emailAddresses: ["orders@contoso.com"] } : m)) };
    const doc = planOf(desired([{ address: "shop@contoso.com", displayName: "Shop", emailAddresses: ["orders@contoso.com", "gone@contoso.com", "free@contoso.com"] }]), observed);
    expect(doc.actions).toEqual([]);
    expect(errors(doc).map((e) => [e.code, e.message.match(/belongs to [a-z]+ \S+/)?.[0]])).toEqual([
      ["email_address_in_use", "belongs to mailbox gone@contoso.com"],
      ["email_address_in_use", "belongs to mailbox sales@contoso.com"],
    ]);
  });
});

describe("the management attribute", () => {
  it("is never overwritten when it holds a value exoform did not write: an error names the mailbox, the attribute and the fixes", () => {
    const observed = base().sharedMailbox("events@contoso.com", { managementTag: "DEPT-42" }).build();
    const doc = canonicalize({
      formatVersion: 1,
      stack: "contoso",
      tenant: { id: "contoso", domains: ["contoso.com"], managementAttribute: "CustomAttribute7" },
      sharedMailboxes: [{ address: "events@contoso.com", displayName: "Events", removalPolicy: "delete" }],
      userMailboxes: [],
    });
    const plan = planOf(doc, observed);
    expect(plan.actions).toEqual([]);
    expect(errors(plan)).toEqual([
      {
        code: "management_attribute_in_use",
        target: "events@contoso.com",
        message: expect.stringMatching(/CustomAttribute7 = "DEPT-42", which exoform did not write.*set tenant.managementAttribute/),
      },
    ]);
  });
});

describe("a rename", () => {
  const tagged = "exoform:stack=contoso;removal=delete";

  it("renames a mailbox this stack would delete at its old address instead of deleting it, and changes its settings after the rename", () => {
    const observed = base().sharedMailbox("old@contoso.com", { managementTag: tagged, displayName: "Old" }).build();
    const doc = planOf(desired([{ address: "new@contoso.com", previousAddresses: ["old@contoso.com"], displayName: "New", removalPolicy: "delete" }]), observed);
    expect(steps(doc)).toEqual(["mailbox.rename new@contoso.com", "user.rename new@contoso.com", "mailbox.update new@contoso.com"]);
    const update = find(doc, "mailbox.update", "new@contoso.com");
    expect(update.dependsOn).toEqual(["new@contoso.com:mailbox.rename"]);
    expect(update.params.changes).toEqual({ displayName: { from: "Old", to: "New" } });
  });

  it("is an error when mailboxes live at several previous addresses", () => {
    const observed = base().sharedMailbox("a@contoso.com").sharedMailbox("b@contoso.com").build();
    const doc = planOf(desired([{ address: "c@contoso.com", previousAddresses: ["a@contoso.com", "b@contoso.com"], displayName: "C" }]), observed);
    expect(errors(doc).map((e) => e.code)).toEqual(["rename_ambiguous"]);
  });

  it("is an error, not a conversion, when the previous address is a person's mailbox", () => {
    const doc = planOf(desired([{ address: "c@contoso.com", previousAddresses: [ivy], displayName: "C" }]), base().userMailbox(ivy).build());
    expect(errors(doc)).toEqual([expect.objectContaining({ code: "rename_user_mailbox", message: expect.stringContaining('origin "convert"') })]);
  });

  it("is an error when the new address is another user's sign-in name", () => {
    const observed = base().sharedMailbox("old@contoso.com").user("taken@contoso.com").build();
    const doc = planOf(desired([{ address: "taken@contoso.com", previousAddresses: ["old@contoso.com"], displayName: "Old" }]), observed);
    expect(errors(doc)).toEqual([expect.objectContaining({ code: "address_in_use", message: expect.stringContaining('is declared as the new address of "old@contoso.com"') })]);
  });
});
