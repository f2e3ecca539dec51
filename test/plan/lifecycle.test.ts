import { describe, expect, it } from "vitest";
import { tenant } from "../util/observed-builder.js";
import { before, desired, errors, find, planOf, steps } from "./helpers.js";

const jack = "jack.hale@contoso.com";
const seats = () => tenant().sku("EXCHANGESTANDARD", { prepaid: 3 }).sku("EXCHANGEENTERPRISE", { prepaid: 1 }).userMailbox("ann.lee@contoso.com", { licenses: ["EXCHANGESTANDARD"] });

describe("recovering a soft-deleted user's mailbox (R2.5)", () => {
  it("restores, licenses, resets the password, waits for the mailbox, converts, blocks sign-in, unlicenses, then grants", () => {
    const observed = seats().deletedUserMailbox(jack, "2026-10-22T09:00:00Z", { sizeGB: 8 }).build();
    const doc = planOf(desired([{ address: jack, displayName: "Jack Hale", origin: "convert", fullAccess: [{ trustee: "ann.lee@contoso.com" }] }]), observed);
    expect(steps(doc)).toEqual([
      `user.restore ${jack}`,
      `user.assignLicense ${jack} EXCHANGESTANDARD (temporary)`,
      `user.resetPassword ${jack}`,
      `mailbox.wait ${jack} for recreated`,
      `mailbox.convert ${jack} to shared`,
      `user.blockSignIn ${jack}`,
      `user.revokeSessions ${jack}`,
      `permission.grant ${jack} FullAccess ann.lee@contoso.com`,
      `user.removeLicense ${jack} EXCHANGESTANDARD (temporary)`,
    ]);
    expect(find(doc, "mailbox.wait", jack).params).toEqual({ for: "recreated", minutes: 30 });
    const restore = find(doc, "user.restore", jack);
    for (const a of doc.actions.slice(1)) expect(before(doc, restore, a)).toBe(true);
  });

  it("restores the most recently deleted of several deleted users sharing the UPN", () => {
    const observed = seats()
      .deletedUserMailbox(jack, "2026-10-05T09:00:00Z")
      .deletedUserMailbox(jack, "2026-10-25T09:00:00Z")
      .build();
    const doc = planOf(desired([{ address: jack, displayName: "Jack", origin: "convert" }]), observed);
    expect(find(doc, "user.restore", jack).params.userId).toBe(`deleted:2026-10-25T09:00:00Z:${jack}`);
  });

  it("refuses a user deleted more than 30 days ago: it is purged and cannot be recovered", () => {
    const observed = seats().deletedUserMailbox(jack, "2026-09-20T09:00:00Z").build();
    const doc = planOf(desired([{ address: jack, displayName: "Jack", origin: "convert" }]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e!.code).toBe("deleted_user_purged");
    expect(e!.message).toContain(`mailbox "${jack}"`);
    expect(e!.message).toContain('declare it with origin "new"');
  });

  it("refuses a deleted user with no mailbox in the recycle bin: restoring it would bring no mail back", () => {
    const observed = seats().user(jack, { deletedAt: "2026-10-25T09:00:00Z" }).build();
    const doc = planOf(desired([{ address: jack, displayName: "Jack", origin: "convert" }]), observed);
    expect(doc.actions).toEqual([]);
    expect(errors(doc)).toEqual([{ code: "deleted_user_without_mailbox", target: jack, message: expect.stringContaining(`mailbox "${jack}"`) }]);
    expect(errors(doc)[0]!.message).toContain("Remove-MgDirectoryDeletedItem");
  });

  it("refuses a convert address where nothing exists, and suggests origin new", () => {
    const doc = planOf(desired([{ address: jack, displayName: "Jack", origin: "convert" }]), seats().build());
    expect(errors(doc)).toEqual([{ code: "nothing_to_convert", target: jack, message: expect.stringContaining('use origin "new"') }]);
  });
});

describe("creating a shared mailbox", () => {
  it("creates it, waits for provisioning, blocks the new account's sign-in, then grants", () => {
    const doc = planOf(desired([{ address: "info@contoso.com", displayName: "Info", sendOnBehalf: ["ann.lee@contoso.com"] }]), seats().build());
    expect(steps(doc)).toEqual([
      "mailbox.create info@contoso.com",
      "mailbox.wait info@contoso.com for provisioned",
      "user.blockSignIn info@contoso.com",
      "permission.grant info@contoso.com SendOnBehalf ann.lee@contoso.com",
    ]);
    expect(find(doc, "mailbox.create", "info@contoso.com").params).toEqual({ displayName: "Info" });
    expect(find(doc, "permission.grant", "info@contoso.com").dependsOn).toEqual(["info@contoso.com:mailbox.wait:provisioned"]);
    expect(find(doc, "user.blockSignIn", "info@contoso.com").reason).toBe("new_anchor_sign_in_enabled");
  });

  it("tags a mailbox with removalPolicy delete after it is provisioned", () => {
    const doc = planOf(desired([{ address: "info@contoso.com", displayName: "Info", removalPolicy: "delete" }]), seats().build());
    const update = find(doc, "mailbox.update", "info@contoso.com");
    expect(update.params.changes).toEqual({ managementTag: { from: null, to: "exoform:stack=contoso;removal=delete" } });
    expect(update.dependsOn).toEqual(["info@contoso.com:mailbox.wait:provisioned"]);
  });

  it("fixes a wrong or missing tag on existing mailboxes, and clears this stack's deletion tag from a retained one", () => {
    const observed = seats()
      .sharedMailbox("a@contoso.com")
      .sharedMailbox("c@contoso.com", { managementTag: "exoform:stack=contoso;removal=delete" })
      .sharedMailbox("d@contoso.com", { managementTag: "cost-centre-42" })
      .sharedMailbox("e@contoso.com", { managementTag: "exoform:stack=other;removal=delete" })
      .build();
    const doc = planOf(
      desired([
        { address: "a@contoso.com", displayName: "A", removalPolicy: "delete" },
        { address: "c@contoso.com", displayName: "C" },
        { address: "d@contoso.com", displayName: "D" },
        { address: "e@contoso.com", displayName: "E" },
      ]),
      observed,
    );
    // a value exoform did not write is never overwritten: test/plan/declared-features.test.ts
    expect(steps(doc)).toEqual(["mailbox.update a@contoso.com", "mailbox.update c@contoso.com"]);
    expect(find(doc, "mailbox.update", "c@contoso.com").params.changes).toEqual({ managementTag: { from: "exoform:stack=contoso;removal=delete", to: null } });
  });

  it("refuses removalPolicy delete on a mailbox another stack tagged for deletion, and says how to move it without deleting it", () => {
    const observed = seats().sharedMailbox("b@contoso.com", { managementTag: "exoform:stack=other;removal=delete" }).build();
    const doc = planOf(desired([{ address: "b@contoso.com", displayName: "B", removalPolicy: "delete" }]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e!.code).toBe("managed_by_another_stack");
    expect(e!.target).toBe("b@contoso.com");
    expect(e!.message).toContain('in stack "other" set its removalPolicy to "retain" and apply');
    expect(e!.message).toContain("removing it from that stack would delete it");
  });

  it("refuses a new mailbox whose address a soft-deleted mailbox still holds, and says when it frees up (R5.2)", () => {
    const observed = seats().deletedUserMailbox(jack, "2026-10-22T09:00:00Z").build();
    const doc = planOf(desired([{ address: jack, displayName: "Jack" }]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e).toMatchObject({ code: "address_held_by_deleted", target: jack });
    expect(e!.message).toContain(`mailbox "${jack}"`);
    expect(e!.message).toContain("until 2026-11-21T09:00:00.000Z");
    expect(e!.message).toContain('set origin: "convert"');
  });

  it("refuses a new mailbox whose address is already a user's sign-in name", () => {
    const doc = planOf(desired([{ address: "ann.lee@contoso.com", displayName: "Ann" }]), tenant().user("ann.lee@contoso.com").build());
    expect(errors(doc)).toEqual([{ code: "address_in_use", target: "ann.lee@contoso.com", message: expect.stringContaining("choose another address") }]);
  });
});

describe("converting a shared mailbox back to a user mailbox", () => {
  const kim = "kim.nguyen@contoso.com";

  it("converts, licenses, resets the password and allows sign-in, in that order", () => {
    const observed = seats().sharedMailbox(kim, { usageLocation: "US" }).build();
    const doc = planOf(desired([], [{ address: kim, license: "EXCHANGESTANDARD" }]), observed);
    expect(steps(doc)).toEqual([
      `mailbox.convert ${kim} to regular`,
      `user.assignLicense ${kim} EXCHANGESTANDARD`,
      `user.resetPassword ${kim}`,
      `user.allowSignIn ${kim}`,
    ]);
    expect(before(doc, find(doc, "user.assignLicense", kim), find(doc, "user.allowSignIn", kim))).toBe(true);
  });

  it("needs nothing for a licensed user mailbox with sign-in allowed", () => {
    const observed = seats().userMailbox(kim, { licenses: ["EXCHANGESTANDARD"] }).build();
    expect(planOf(desired([], [{ address: kim, license: "EXCHANGESTANDARD" }]), observed).actions).toEqual([]);
  });

  it("refuses when the account has no usage location or the SKU no free seat, naming both fixes", () => {
    const observed = tenant().sku("EXCHANGESTANDARD", { prepaid: 1, consumed: 1 }).sharedMailbox(kim).build();
    const doc = planOf(desired([], [{ address: kim, license: "EXCHANGESTANDARD" }]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e!.code).toBe("cannot_license_user_mailbox");
    expect(e!.message).toContain(`mailbox "${kim}"`);
    expect(e!.message).toContain("-UsageLocation US");
    expect(e!.message).toContain("EXCHANGESTANDARD has no free seat: EXCHANGESTANDARD (1 prepaid, 1 consumed)");
  });

  it("refuses a directory-synced mailbox and says to convert it on premises", () => {
    const observed = seats().sharedMailbox(kim, { usageLocation: "US", synced: true }).build();
    const [e] = errors(planOf(desired([], [{ address: kim, license: "EXCHANGESTANDARD" }]), observed));
    expect(e!.message).toContain(`Set-RemoteMailbox -Identity ${kim} -Type Regular`);
  });

  it("refuses an address with no mailbox", () => {
    const [e] = errors(planOf(desired([], [{ address: kim, license: "EXCHANGESTANDARD" }]), seats().build()));
    expect(e).toEqual({ code: "user_mailbox_not_found", target: kim, message: expect.stringContaining("fix the address or remove the entry") });
  });
});

describe("sign-in on shared mailboxes", () => {
  it("blocks sign-in again on a shared mailbox whose account was found enabled", () => {
    const observed = seats().sharedMailbox("support@contoso.com", { enabled: true }).build();
    const doc = planOf(desired([{ address: "support@contoso.com", displayName: "Support" }]), observed);
    expect(steps(doc)).toEqual(["user.blockSignIn support@contoso.com"]);
    expect(doc.actions[0]!.reason).toBe("sign_in_enabled_on_shared_mailbox");
  });

  it("refuses to block a directory-synced account from the cloud and says to block it in on-premises AD", () => {
    const observed = seats().sharedMailbox("support@contoso.com", { enabled: true, synced: true }).build();
    const doc = planOf(desired([{ address: "support@contoso.com", displayName: "Support" }]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e!.code).toBe("hybrid_sign_in");
    expect(e!.message).toContain('shared mailbox "support@contoso.com"');
    expect(e!.message).toContain("on-premises Active Directory");
  });
});

describe("mailboxes that left the code", () => {
  it("deletes only a shared mailbox tagged by this stack with removal=delete, as destructive, naming who loses access", () => {
    const observed = seats()
      .sharedMailbox("events-2025@contoso.com", { managementTag: "exoform:stack=contoso;removal=delete" })
      .sharedMailbox("old-projects@contoso.com")
      .sharedMailbox("theirs@contoso.com", { managementTag: "exoform:stack=other;removal=delete" })
      .userMailbox("person@contoso.com", { managementTag: "exoform:stack=contoso;removal=delete" })
      .grant("events-2025@contoso.com", "FullAccess", "ann.lee@contoso.com")
      .build();
    const doc = planOf(desired([]), observed);
    expect(steps(doc)).toEqual(["mailbox.delete events-2025@contoso.com"]);
    const del = doc.actions[0]!;
    expect(del.destructive).toBe(true);
    expect(del.access).toEqual([{ mailbox: "events-2025@contoso.com", principal: "ann.lee@contoso.com", right: "FullAccess", change: "lose" }]);
    expect(doc.summary.destroy).toBe(1);
  });

  it("refuses to delete a tagged mailbox on litigation hold, which the service would not soft-delete (R2.3), and names both ways out", () => {
    const observed = seats().sharedMailbox("events-2025@contoso.com", { managementTag: "exoform:stack=contoso;removal=delete", litigationHold: true, licenses: ["EXCHANGEENTERPRISE"] }).build();
    const doc = planOf(desired([]), observed);
    expect(doc.actions).toEqual([]);
    const [e] = errors(doc);
    expect(e).toMatchObject({ code: "delete_on_litigation_hold", target: "events-2025@contoso.com" });
    expect(e!.message).toContain("litigationHold: false");
    expect(e!.message).toContain('removalPolicy "retain"');
  });

  it("never plans an action type that deletes a user", () => {
    const observed = seats().sharedMailbox("x@contoso.com", { managementTag: "exoform:stack=contoso;removal=delete" }).build();
    const doc = planOf(desired([]), observed);
    expect(doc.actions.map((a) => a.type)).not.toContain("user.delete");
  });
});
