import { describe, expect, it } from "vitest";
import { tenant } from "../util/observed-builder.js";
import { before, desired, errors, find, planOf, steps } from "./helpers.js";

const ivy = "ivy.chen@contoso.com";
const base = () =>
  tenant()
    .sku("EXCHANGESTANDARD", { prepaid: 2 })
    .sku("EXCHANGEENTERPRISE", { prepaid: 1 })
    .userMailbox("carla.diaz@contoso.com", { licenses: ["EXCHANGESTANDARD"] });

describe("converting a user mailbox to shared", () => {
  it("GIVEN an unlicensed user mailbox WHEN converting THEN a temporary EXCHANGESTANDARD seat is assigned first and removed only after the conversion", () => {
    const observed = base().userMailbox(ivy, { sizeGB: 3 }).build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert", fullAccess: [{ trustee: "carla.diaz@contoso.com" }] }]), observed);
    expect(steps(doc)).toEqual([
      `user.assignLicense ${ivy} EXCHANGESTANDARD (temporary)`,
      `mailbox.convert ${ivy} to shared`,
      `user.blockSignIn ${ivy}`,
      `user.revokeSessions ${ivy}`,
      `permission.grant ${ivy} FullAccess carla.diaz@contoso.com`,
      `user.removeLicense ${ivy} EXCHANGESTANDARD (temporary)`,
    ]);
    const assign = find(doc, "user.assignLicense", ivy);
    const convert = find(doc, "mailbox.convert", ivy);
    const remove = find(doc, "user.removeLicense", ivy);
    const grant = find(doc, "permission.grant", ivy);
    expect(before(doc, assign, convert)).toBe(true);
    expect(before(doc, convert, remove)).toBe(true);
    expect(before(doc, convert, grant)).toBe(true);
    expect(before(doc, convert, find(doc, "user.blockSignIn", ivy))).toBe(true);
    expect(assign.reason).toBe("license_required_for_conversion");
    expect(remove.params).toEqual({ sku: "EXCHANGESTANDARD", temporary: true });
    expect(remove.destructive).toBe(false);
  });

  it("takes the temporary seat from EXCHANGEENTERPRISE when EXCHANGESTANDARD has none free", () => {
    const observed = tenant()
      .sku("EXCHANGESTANDARD", { prepaid: 1, consumed: 1 })
      .sku("EXCHANGEENTERPRISE", { prepaid: 1 })
      .userMailbox(ivy)
      .build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert" }]), observed);
    expect(find(doc, "user.assignLicense", ivy).params.sku).toBe("EXCHANGEENTERPRISE");
  });

  it("falls back to other SKUs with an Exchange plan, by name, and never to one without", () => {
    const observed = tenant()
      .sku("ENTERPRISEPACK", { prepaid: 5 })
      .sku("SPE_E3", { prepaid: 5 })
      .sku("SPB", { prepaid: 5 })
      .userMailbox(ivy)
      .build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert" }]), observed);
    expect(find(doc, "user.assignLicense", ivy).params.sku).toBe("SPB");
  });

  it("counts seats taken earlier in the same plan, preferring a free seat over one an earlier removal frees", () => {
    const observed = tenant()
      .sku("EXCHANGESTANDARD", { prepaid: 1 })
      .sku("EXCHANGEENTERPRISE", { prepaid: 1 })
      .userMailbox("a@contoso.com")
      .userMailbox("b@contoso.com")
      .userMailbox("c@contoso.com")
      .build();
    const doc = planOf(
      desired(["a", "b", "c"].map((n) => ({ address: `${n}@contoso.com`, displayName: n, origin: "convert" as const }))),
      observed,
    );
    expect(find(doc, "user.assignLicense", "a@contoso.com").params.sku).toBe("EXCHANGESTANDARD");
    expect(find(doc, "user.assignLicense", "b@contoso.com").params.sku).toBe("EXCHANGEENTERPRISE");
    const c = find(doc, "user.assignLicense", "c@contoso.com");
    expect(c.params.sku).toBe("EXCHANGESTANDARD");
    expect(c.dependsOn).toContain("a@contoso.com:user.removeLicense:EXCHANGESTANDARD");
  });

  it("refuses when no Exchange SKU has a free seat, naming every SKU with its prepaid and consumed seats", () => {
    const observed = tenant()
      .sku("EXCHANGESTANDARD", { prepaid: 2, consumed: 2 })
      .sku("EXCHANGEENTERPRISE", { prepaid: 1, consumed: 1 })
      .userMailbox(ivy)
      .build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert" }]), observed);
    expect(doc.actions).toEqual([]);
    expect(errors(doc)).toEqual([
      {
        code: "no_seat_for_conversion",
        target: ivy,
        message: expect.stringContaining("EXCHANGESTANDARD (2 prepaid, 2 consumed); EXCHANGEENTERPRISE (1 prepaid, 1 consumed)"),
      },
    ]);
    expect(errors(doc)[0]!.message).toMatch(/^mailbox "ivy.chen@contoso.com" .*free or buy a seat/);
  });

  it("with --target, says a seat another mailbox's conversion would free is not counted, and how to use it", () => {
    const observed = tenant()
      .sku("EXCHANGESTANDARD", { prepaid: 1, consumed: 1 })
      .userMailbox("harry.wells@contoso.com", { licenses: ["EXCHANGESTANDARD"] })
      .userMailbox(ivy)
      .build();
    const both = desired([
      { address: "harry.wells@contoso.com", displayName: "Harry", origin: "convert" },
      { address: ivy, displayName: "Ivy Chen", origin: "convert" },
    ]);
    expect(errors(planOf(both, observed))).toEqual([]);
    const [e] = errors(planOf(both, observed, { targets: [ivy] }));
    expect(e!.code).toBe("no_seat_for_conversion");
    expect(e!.message).toContain("with --target, seats that other mailboxes' planned license removals would free are not counted; plan without --target to use them");
  });

  it("assigns the declared license instead of a temporary one and keeps it", () => {
    const observed = base().userMailbox(ivy).build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert", license: "EXCHANGEENTERPRISE" }]), observed);
    expect(steps(doc)).toEqual([`user.assignLicense ${ivy} EXCHANGEENTERPRISE`, `mailbox.convert ${ivy} to shared`, `user.blockSignIn ${ivy}`, `user.revokeSessions ${ivy}`]);
  });

  it("removes a pre-existing license after the conversion when the code declares none", () => {
    const observed = base().userMailbox("harry.wells@contoso.com", { licenses: ["EXCHANGESTANDARD"], sizeGB: 12 }).build();
    const doc = planOf(desired([{ address: "harry.wells@contoso.com", displayName: "Harry Wells", origin: "convert" }]), observed);
    expect(steps(doc)).toEqual([
      "mailbox.convert harry.wells@contoso.com to shared",
      "user.blockSignIn harry.wells@contoso.com",
      "user.revokeSessions harry.wells@contoso.com",
      "user.removeLicense harry.wells@contoso.com EXCHANGESTANDARD",
    ]);
    const remove = find(doc, "user.removeLicense", "harry.wells@contoso.com");
    expect(remove.dependsOn).toContain("harry.wells@contoso.com:mailbox.convert:shared");
    expect(remove.reason).toBe("license_not_declared");
  });

  it("converts nothing when the mailbox at a convert address is already shared", () => {
    const observed = base().sharedMailbox(ivy, { displayName: "Ivy Chen" }).build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen (departed)", origin: "convert" }]), observed);
    expect(steps(doc)).toEqual([`mailbox.update ${ivy}`]);
    expect(find(doc, "mailbox.update", ivy).params.changes).toEqual({ displayName: { from: "Ivy Chen", to: "Ivy Chen (departed)" } });
  });

  it("refuses to convert a user mailbox declared with origin new, and says to set origin convert if intended", () => {
    const observed = base().userMailbox(ivy).build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy" }]), observed);
    expect(doc.actions).toEqual([]);
    expect(errors(doc)).toEqual([{ code: "user_mailbox_at_new_address", target: ivy, message: expect.stringContaining('set origin: "convert"') }]);
    expect(errors(doc)[0]!.message).toContain(`mailbox "${ivy}"`);
  });

  it("refuses a conversion that would leave a mailbox over 50 GB unlicensed, and names the license to declare", () => {
    const observed = base().userMailbox("big@contoso.com", { licenses: ["EXCHANGEENTERPRISE"], sizeGB: 60 }).build();
    const doc = planOf(desired([{ address: "big@contoso.com", displayName: "Big", origin: "convert" }]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e!.code).toBe("license_insufficient");
    expect(e!.message).toContain('mailbox "big@contoso.com" holds 60 GB, over the 50 GB');
    expect(e!.message).toContain('set license: "EXCHANGEENTERPRISE" on big@contoso.com');
  });

  it("refuses to convert a directory-synced mailbox and says what to do on premises", () => {
    const observed = base().userMailbox("frank.moss@contoso.com", { licenses: ["EXCHANGESTANDARD"], synced: true }).build();
    const doc = planOf(desired([{ address: "frank.moss@contoso.com", displayName: "Frank", origin: "convert" }]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e!.code).toBe("hybrid_conversion");
    expect(e!.message).toContain('mailbox "frank.moss@contoso.com"');
    expect(e!.message).toContain("Set-RemoteMailbox -Identity frank.moss@contoso.com -Type Shared");
    expect(e!.message).toContain("block the account in on-premises Active Directory");
  });

  it("refuses to license a user without a usage location and names the command that sets one", () => {
    const observed = base().userMailbox(ivy, { usageLocation: null }).build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy", origin: "convert" }]), observed);
    expect(errors(doc)).toEqual([{ code: "usage_location_missing", target: ivy, message: expect.stringContaining(`Update-MgUser -UserId ${ivy} -UsageLocation`) }]);
  });

  it("waits for a mailbox that is still provisioning before converting it", () => {
    const observed = base().userMailbox(ivy, { licenses: ["EXCHANGESTANDARD"], readyAt: "2026-11-01T09:10:00Z" }).build();
    const doc = planOf(desired([{ address: ivy, displayName: "Ivy Chen", origin: "convert", license: "EXCHANGESTANDARD" }]), observed);
    const wait = find(doc, "mailbox.wait", ivy);
    expect(wait.params).toEqual({ for: "provisioned", minutes: 10 });
    expect(before(doc, wait, find(doc, "mailbox.convert", ivy))).toBe(true);
  });
});
