import { describe, expect, it } from "vitest";
import { GB } from "../../lib/model/licensing.js";
import { verifyContentDigest } from "../../lib/plan/document.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { tenant } from "../util/observed-builder.js";
import { before, desired, errors, find, planOf, steps, warnings } from "./helpers.js";

const legal = "legal@contoso.com";
const people = () =>
  tenant()
    .sku("EXCHANGESTANDARD", { prepaid: 10 })
    .sku("EXCHANGEENTERPRISE", { prepaid: 3 })
    .sku("SPB", { prepaid: 1 })
    .userMailbox("ann.lee@contoso.com", { displayName: "Ann Lee", licenses: ["EXCHANGESTANDARD"] })
    .userMailbox("ben.ortiz@contoso.com", { displayName: "Ben Ortiz", licenses: ["EXCHANGESTANDARD"] })
    .userMailbox("gina.rossi@contoso.com", { displayName: "Gina Rossi" });

describe("licensing a shared mailbox", () => {
  it("refuses license none on a mailbox on litigation hold and spells out the fix", () => {
    const observed = people().sharedMailbox(legal, { sizeGB: 20, litigationHold: true, licenses: ["EXCHANGEENTERPRISE"] }).build();
    const doc = planOf(desired([{ address: legal, displayName: "Legal", litigationHold: true }]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e!.code).toBe("license_insufficient");
    expect(e!.message).toContain(`mailbox "${legal}" is on litigation hold`);
    expect(e!.message).toContain(`set license: "EXCHANGEENTERPRISE" on ${legal} (or one of SPB), or turn litigationHold off`);
  });

  it("refuses a Plan 1 license for a mailbox over 50 GB", () => {
    const observed = people().sharedMailbox(legal, { sizeGB: 62, licenses: ["EXCHANGEENTERPRISE"] }).build();
    const [e] = errors(planOf(desired([{ address: legal, displayName: "Legal", license: "EXCHANGESTANDARD" }]), observed));
    expect(e!.message).toContain('declares license "EXCHANGESTANDARD", which does not allow that; set license: "EXCHANGEENTERPRISE"');
  });

  it("refuses a license the tenant does not subscribe to, naming the SKUs it has", () => {
    const observed = people().sharedMailbox(legal).build();
    const [e] = errors(planOf(desired([{ address: legal, displayName: "Legal", license: "EXCHANGE_PLAN_9" }]), observed));
    expect(e).toEqual({
      code: "license_not_in_tenant",
      target: legal,
      message: `mailbox "${legal}" declares license "EXCHANGE_PLAN_9", which the tenant does not subscribe to; use one of its SKUs (EXCHANGEENTERPRISE, EXCHANGESTANDARD, SPB) or "none"`,
    });
  });

  it("assigns the new license before removing the old one, so a hold mailbox is never unlicensed", () => {
    const observed = people()
      .sku("SPE_E3", { prepaid: 2 })
      .sharedMailbox(legal, { sizeGB: 20, litigationHold: true, licenses: ["EXCHANGEENTERPRISE"], usageLocation: "US" })
      .build();
    const doc = planOf(desired([{ address: legal, displayName: "Legal", litigationHold: true, license: "SPE_E3" }]), observed);
    expect(steps(doc)).toEqual([`user.assignLicense ${legal} SPE_E3`, `user.removeLicense ${legal} EXCHANGEENTERPRISE`]);
    expect(before(doc, doc.actions[0]!, doc.actions[1]!)).toBe(true);
  });

  it("swaps Exchange Online Plan 2 for a Plan 1 bundle in one call, since the two cannot be held together (R7.2)", () => {
    const observed = people().sharedMailbox(legal, { sizeGB: 20, litigationHold: true, licenses: ["EXCHANGEENTERPRISE"], usageLocation: "US" }).build();
    const doc = planOf(desired([{ address: legal, displayName: "Legal", litigationHold: true, license: "SPB" }]), observed);
    expect(steps(doc)).toEqual([`user.assignLicense ${legal} SPB`]);
    expect(doc.actions[0]!.params).toEqual({ sku: "SPB", replaces: ["EXCHANGEENTERPRISE"] });
    expect(doc.actions[0]!.reason).toBe("declared_license_replaces");
    expect(doc.actions[0]!.description).toContain("Replace EXCHANGEENTERPRISE with SPB");
  });

  it("upgrades a Plan 1 mailbox to Plan 2 in one call and counts the freed seat", () => {
    const observed = people().sharedMailbox(legal, { sizeGB: 20, licenses: ["EXCHANGESTANDARD"], usageLocation: "US" }).build();
    const doc = planOf(desired([{ address: legal, displayName: "Legal", litigationHold: true, license: "EXCHANGEENTERPRISE" }]), observed);
    const assign = find(doc, "user.assignLicense", legal);
    expect(assign.params).toEqual({ sku: "EXCHANGEENTERPRISE", replaces: ["EXCHANGESTANDARD"] });
    expect(doc.actions.some((a) => a.type === "user.removeLicense")).toBe(false);
    expect(before(doc, assign, find(doc, "mailbox.update", legal))).toBe(true);
  });

  it("licenses a new mailbox's account after giving it the declared usage location (R7.1)", () => {
    const observed = people().build();
    const doc = planOf(desired([{ address: "vault@contoso.com", displayName: "Vault", license: "EXCHANGEENTERPRISE", usageLocation: "DE" }]), observed);
    const assign = find(doc, "user.assignLicense", "vault@contoso.com");
    expect(assign.params).toEqual({ sku: "EXCHANGEENTERPRISE", usageLocation: "DE" });
    expect(assign.description).toContain("after giving the account usage location DE (R7.1)");
  });

  it("refuses to license a new mailbox when no usage location is declared, and says where to declare one", () => {
    const doc = planOf(desired([{ address: "vault@contoso.com", displayName: "Vault", license: "EXCHANGEENTERPRISE" }]), people().build());
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e!.code).toBe("usage_location_missing");
    expect(e!.message).toContain('declare one (usageLocation: "US" on the mailbox, or on the TenantStack for every mailbox)');
  });

  it("turns a hold on only once the license that allows it is in place", () => {
    const observed = people().sharedMailbox(legal, { sizeGB: 20, usageLocation: "US" }).build();
    const doc = planOf(desired([{ address: legal, displayName: "Legal", litigationHold: true, archive: true, license: "EXCHANGEENTERPRISE" }]), observed);
    const update = find(doc, "mailbox.update", legal);
    expect(update.params.changes).toEqual({ archive: { from: false, to: true }, litigationHold: { from: false, to: true } });
    expect(before(doc, find(doc, "user.assignLicense", legal), update)).toBe(true);
    expect(update.destructive).toBe(false);
  });

  it("turns a hold off before removing the license it needed, and marks that destructive", () => {
    const observed = people().sharedMailbox(legal, { sizeGB: 20, litigationHold: true, licenses: ["EXCHANGEENTERPRISE"] }).build();
    const doc = planOf(desired([{ address: legal, displayName: "Legal" }]), observed);
    const update = find(doc, "mailbox.update", legal);
    expect(update.destructive).toBe(true);
    expect(before(doc, update, find(doc, "user.removeLicense", legal))).toBe(true);
  });
});

describe("grants", () => {
  const support = "support@contoso.com";
  const withGrants = () =>
    people()
      .sharedMailbox(support, { displayName: "Support" })
      .grant(support, "FullAccess", "ann.lee@contoso.com")
      .grant(support, "FullAccess", "gina.rossi@contoso.com")
      .grant(support, "SendOnBehalf", "gina.rossi@contoso.com");

  it("authoritative mode revokes unlisted trustees, as destructive, naming everyone who loses access", () => {
    const doc = planOf(
      desired([{ address: support, displayName: "Support", fullAccess: [{ trustee: "ann.lee@contoso.com" }, { trustee: "ben.ortiz@contoso.com" }] }]),
      withGrants().build(),
    );
    expect(steps(doc)).toEqual([
      `permission.revoke ${support} FullAccess gina.rossi@contoso.com`,
      `permission.revoke ${support} SendOnBehalf gina.rossi@contoso.com`,
      `permission.grant ${support} FullAccess ben.ortiz@contoso.com`,
    ]);
    const lost = doc.actions.flatMap((a) => a.access.filter((c) => c.change === "lose"));
    expect(lost).toEqual([
      { mailbox: support, principal: "gina.rossi@contoso.com", right: "FullAccess", change: "lose" },
      { mailbox: support, principal: "gina.rossi@contoso.com", right: "SendOnBehalf", change: "lose" },
    ]);
    expect(doc.actions.filter((a) => a.type === "permission.revoke").every((a) => a.destructive)).toBe(true);
    expect(find(doc, "permission.grant", support).description).toBe(
      "Ben Ortiz (ben.ortiz@contoso.com) gains FullAccess to support@contoso.com, with Outlook automapping",
    );
    expect(doc.summary).toMatchObject({ accessGained: 1, accessLost: 2, destructive: 2 });
  });

  it("additive mode never revokes", () => {
    const doc = planOf(desired([{ address: support, displayName: "Support", permissionsMode: "additive", fullAccess: [{ trustee: "ben.ortiz@contoso.com" }] }]), withGrants().build());
    expect(steps(doc)).toEqual([`permission.grant ${support} FullAccess ben.ortiz@contoso.com`]);
  });

  it("replaces a grant whose autoMapping changed: revoke, then grant depending on the revoke", () => {
    const doc = planOf(
      desired([{ address: support, displayName: "Support", permissionsMode: "additive", fullAccess: [{ trustee: "ann.lee@contoso.com", autoMapping: false }] }]),
      withGrants().build(),
    );
    expect(steps(doc)).toEqual([`permission.revoke ${support} FullAccess ann.lee@contoso.com`, `permission.grant ${support} FullAccess ann.lee@contoso.com (no automapping)`]);
    const [revoke, grant] = doc.actions;
    expect(grant!.dependsOn).toContain(revoke!.id);
    expect(revoke!.reason).toBe("automapping_changed");
    expect(revoke!.access).toEqual([]);
  });

  it("refuses trustees who are not live users of the tenant, naming mailbox and trustee", () => {
    const observed = people().user("gone@contoso.com", { deletedAt: "2026-10-30T00:00:00Z" }).sharedMailbox(support).build();
    const doc = planOf(desired([{ address: support, displayName: "Support", fullAccess: [{ trustee: "nobody@contoso.com" }], sendAs: ["gone@contoso.com"] }]), observed);
    expect(doc.actions).toEqual([]);
    expect(errors(doc)).toEqual([
      { code: "trustee_deleted", target: support, message: expect.stringContaining(`mailbox "${support}" grants SendAs to "gone@contoso.com", who is deleted`) },
      { code: "trustee_not_found", target: support, message: expect.stringContaining(`mailbox "${support}" grants FullAccess to "nobody@contoso.com", who is neither a user nor a mail-enabled security group in the tenant`) },
    ]);
  });

  it("warns when a trustee holds no Exchange license", () => {
    const doc = planOf(desired([{ address: support, displayName: "Support", fullAccess: [{ trustee: "gina.rossi@contoso.com" }] }]), people().sharedMailbox(support).build());
    expect(warnings(doc)).toEqual([{ code: "trustee_unlicensed", target: support, message: expect.stringContaining('"gina.rossi@contoso.com" is granted FullAccess on "support@contoso.com"') }]);
    expect(doc.actions).toHaveLength(1);
  });

  it("warns above 25 FullAccess members and refuses above 500", () => {
    let b = people().sharedMailbox("big@contoso.com").sharedMailbox("huge@contoso.com");
    for (let i = 0; i < 501; i++) b = b.user(`u${i}@contoso.com`, { licenses: ["EXCHANGESTANDARD"] });
    const users = (n: number) => Array.from({ length: n }, (_, i) => ({ trustee: `u${i}@contoso.com` }));
    const doc = planOf(
      desired([
        { address: "big@contoso.com", displayName: "Big", fullAccess: users(26) },
        { address: "huge@contoso.com", displayName: "Huge", fullAccess: users(501) },
      ]),
      b.build(),
    );
    expect(warnings(doc).map((w) => w.code)).toEqual(["many_full_access_members"]);
    expect(errors(doc)).toEqual([{ code: "too_many_full_access", target: "huge@contoso.com", message: expect.stringContaining("mail-enabled security group") }]);
  });

  it("grants and revokes SendOnBehalf one trustee at a time", () => {
    const doc = planOf(desired([{ address: support, displayName: "Support", fullAccess: [{ trustee: "ann.lee@contoso.com" }, { trustee: "gina.rossi@contoso.com" }], sendOnBehalf: ["ann.lee@contoso.com", "ben.ortiz@contoso.com"] }]), withGrants().build());
    expect(steps(doc)).toEqual([
      `permission.revoke ${support} SendOnBehalf gina.rossi@contoso.com`,
      `permission.grant ${support} SendOnBehalf ann.lee@contoso.com`,
      `permission.grant ${support} SendOnBehalf ben.ortiz@contoso.com`,
    ]);
  });
});

describe("settings, readiness, errors, targets, determinism", () => {
  const support = "support@contoso.com";

  it("updates display name and alias with from/to changes", () => {
    const observed = people().sharedMailbox(support, { displayName: "Support", alias: "support" }).build();
    const doc = planOf(desired([{ address: support, displayName: "Contoso Support", alias: "help" }]), observed);
    expect(find(doc, "mailbox.update", support).params.changes).toEqual({
      alias: { from: "support", to: "help" },
      displayName: { from: "Support", to: "Contoso Support" },
    });
    expect(find(doc, "mailbox.update", support).reason).toBe("mailbox_settings_differ");
  });

  it("waits for a mailbox still provisioning before writing to it", () => {
    const observed = people().sharedMailbox(support, { readyAt: "2026-11-01T09:03:30Z" }).build();
    const doc = planOf(desired([{ address: support, displayName: "Support", fullAccess: [{ trustee: "ann.lee@contoso.com" }] }]), observed);
    expect(steps(doc)).toEqual([`mailbox.wait ${support} for provisioned`, `permission.grant ${support} FullAccess ann.lee@contoso.com`]);
    expect(doc.actions[0]!.params.minutes).toBe(4);
  });

  it("reports every error at once and then plans no action at all", () => {
    const observed = people().userMailbox("a@contoso.com").sharedMailbox("b@contoso.com").build();
    const doc = planOf(
      desired([
        { address: "a@contoso.com", displayName: "A" },
        { address: "b@contoso.com", displayName: "B2", sendAs: ["nobody@contoso.com"] },
        { address: "c@contoso.com", displayName: "C" },
      ]),
      observed,
    );
    expect(errors(doc).map((e) => `${e.code} ${e.target}`)).toEqual(["user_mailbox_at_new_address a@contoso.com", "trustee_not_found b@contoso.com"]);
    expect(doc.actions).toEqual([]);
    expect(doc.summary).toMatchObject({ actions: 0, errors: 2 });
    expect(doc.fingerprint.objects).toEqual({});
  });

  it("plans only the targeted mailboxes and records the targets", () => {
    const observed = people().sharedMailbox("a@contoso.com").sharedMailbox("b@contoso.com").build();
    const d = desired([
      { address: "a@contoso.com", displayName: "A2" },
      { address: "b@contoso.com", displayName: "B2" },
    ]);
    const doc = planOf(d, observed, { targets: ["B@contoso.com"] });
    expect(steps(doc)).toEqual(["mailbox.update b@contoso.com"]);
    expect(doc.targets).toEqual(["b@contoso.com"]);
    expect(errors(planOf(d, observed, { targets: ["zz@contoso.com"] }))).toEqual([{ code: "unknown_target", target: "zz@contoso.com", message: expect.stringContaining("check the address") }]);
  });

  it("gives byte-identical plans for the same inputs, with fingerprints of every object acted on", () => {
    const observed = people().sharedMailbox(support, { enabled: true, usageLocation: "US" }).grant(support, "SendAs", "gina.rossi@contoso.com").build();
    const d = desired([{ address: support, displayName: "Support", license: "EXCHANGESTANDARD", fullAccess: [{ trustee: "ann.lee@contoso.com" }] }]);
    const a = planOf(d, observed);
    expect(canonicalJson(planOf(d, observed))).toBe(canonicalJson(a));
    // the trustee granted to is recorded too: a grant depends on its trustee being a live user (decision 0005)
    expect(Object.keys(a.fingerprint.objects)).toEqual([`grants:${support}`, `mailbox:${support}`, "sku:EXCHANGESTANDARD", "user:ann.lee@contoso.com", `user:${support}`]);
    expect(a.desiredDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("lets apply detect an edited plan through the content digest", () => {
    const doc = planOf(desired([{ address: support, displayName: "Support" }]), people().sharedMailbox(support, { enabled: true }).build());
    expect(verifyContentDigest(doc)).toBe(true);
    expect(verifyContentDigest({ ...doc, actions: [] })).toBe(false);
  });

  it("handles sizes as bytes (a 50 GB mailbox fits without a license, one byte more does not)", () => {
    const at = (bytes: number) =>
      errors(planOf(desired([{ address: support, displayName: "S" }]), people().sharedMailbox(support, { sizeGB: bytes / GB }).build())).length;
    expect(at(50 * GB)).toBe(0);
    expect(at(50 * GB + 1)).toBe(1);
  });
});
