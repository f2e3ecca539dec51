/**
 * The service rules the simulated tenant enforces (shared/docs
 * exchange-online-rules.md), one test per rule, on the contoso cast.
 */
import { describe, expect, it } from "vitest";
import type { TenantFixture } from "../../../providers/simulated/index.js";
import { loadFixture } from "../../../providers/simulated/index.js";
import { rejection } from "../conformance.js";
import { DAY, GB, MINUTE, tempTenants } from "./helpers.js";

const tenants = tempTenants();

describe("conversion (R1.2, R1.12, R2.6, R6.3)", () => {
  it("refuses to convert an unlicensed user mailbox to shared and says to license it first", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.setMailboxType("ivy.chen@contoso.com", "shared"), "precondition");
    expect(error.code).toBe("LicenseRequired");
    expect(error.message).toContain("ivy.chen@contoso.com");
    expect(error.message).toContain("assign a license");
    await t.assignLicense("ivy.chen@contoso.com", { add: ["EXCHANGESTANDARD"], remove: [] });
    expect((await t.setMailboxType("ivy.chen@contoso.com", "shared")).type).toBe("shared");
  });

  it("answers conflict when the mailbox already has the requested type", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.setMailboxType("support@contoso.com", "shared"), "conflict");
    expect(error.message).toContain("already of the type 'Shared'");
  });

  it("disconnects an unlicensed mailbox converted back to regular after 30 days", async () => {
    const t = tenants.contoso();
    await t.setMailboxType("kim.nguyen@contoso.com", "regular");
    await t.clock.sleep(29 * DAY);
    expect(await t.getMailbox("kim.nguyen@contoso.com")).not.toBeNull();
    await t.clock.sleep(1 * DAY);
    expect(await t.getMailbox("kim.nguyen@contoso.com")).toBeNull();
    expect(t.readLog({ operation: "system.disconnect" }).map((e) => e.target)).toContain("kim.nguyen@contoso.com");
    expect((await t.getUser("kim.nguyen@contoso.com"))?.deletedAt).toBeNull();
  });

  it("keeps a regular mailbox that gets a license within the 30 days", async () => {
    const t = tenants.contoso();
    await t.setMailboxType("kim.nguyen@contoso.com", "regular");
    await t.clock.sleep(10 * DAY);
    await t.assignLicense("kim.nguyen@contoso.com", { add: ["EXCHANGESTANDARD"], remove: [] });
    await t.clock.sleep(40 * DAY);
    expect((await t.getMailbox("kim.nguyen@contoso.com"))?.type).toBe("user");
  });

  it("starts the 30-day countdown when a user mailbox loses its Exchange license", async () => {
    const t = tenants.contoso();
    await t.assignLicense("harry.wells@contoso.com", { add: [], remove: ["EXCHANGESTANDARD"] });
    await t.clock.sleep(30 * DAY);
    expect(await t.getMailbox("harry.wells@contoso.com")).toBeNull();
  });

  it("refuses to convert a directory-synced mailbox in the cloud and says to do it on premises", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.setMailboxType("frank.moss@contoso.com", "shared"), "precondition");
    expect(error.code).toBe("Request_BadRequest");
    expect(error.message).toContain("Set-RemoteMailbox");
  });
});

describe("licenses (R7.1, R7.2)", () => {
  it("refuses a license when no seat is free, with Graph's CountViolation", async () => {
    const t = tenants.contoso();
    await t.assignLicense("kim.nguyen@contoso.com", { add: ["SPB"], remove: [] });
    const error = await rejection(t.assignLicense("ivy.chen@contoso.com", { add: ["SPB"], remove: [] }), "precondition");
    expect(error.code).toBe("CountViolation");
    expect(error.message).toContain("SPB");
  });

  it("refuses a license for a user without usage location, with Graph's message", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.assignLicense("gina.rossi@contoso.com", { add: ["EXCHANGESTANDARD"], remove: [] }), "precondition");
    expect(error.code).toBe("InvalidUsageLocation");
    expect(error.message).toContain("License assignment cannot be done for user with invalid usage location");
  });

  it("refuses Exchange Plan 1 and Plan 2 on one user as mutually exclusive", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.assignLicense("ann.lee@contoso.com", { add: ["EXCHANGESTANDARD"], remove: [] }), "precondition");
    expect(error.code).toBe("MutuallyExclusiveViolation");
    // swapping in one call is fine
    const user = await t.assignLicense("ann.lee@contoso.com", { add: ["EXCHANGESTANDARD"], remove: ["SPE_E3"] });
    expect(user.licenses).toEqual(["EXCHANGESTANDARD"]);
  });

  it("refuses the archiving add-on without an Exchange plan as a dependency violation", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.assignLicense("kim.nguyen@contoso.com", { add: ["EXCHANGEARCHIVE_ADDON"], remove: [] }), "precondition");
    expect(error.code).toBe("DependencyViolation");
  });

  it("answers notFound for an unknown sku and for removing a license the user lacks", async () => {
    const t = tenants.contoso();
    expect((await rejection(t.assignLicense("ann.lee@contoso.com", { add: ["NOPE"], remove: [] }), "notFound")).code).toBe("SkuNotFound");
    expect((await rejection(t.assignLicense("ann.lee@contoso.com", { add: [], remove: ["SPB"] }), "notFound")).code).toBe("LicenseNotAssigned");
  });

  it("counts consumed seats from assignments, so removing a license frees its seat (R1.3)", async () => {
    const t = tenants.contoso();
    const seats = async () => (await t.listSkus()).find((s) => s.skuPartNumber === "EXCHANGESTANDARD")?.consumedUnits;
    expect(await seats()).toBe(3);
    await t.assignLicense("harry.wells@contoso.com", { add: [], remove: ["EXCHANGESTANDARD"] });
    expect(await seats()).toBe(2);
  });
});

describe("quotas (R1.4, R1.5, R1.9, R1.10)", () => {
  it("gives an unlicensed shared mailbox 50 GB and a Plan 2 one 100 GB, and P1 + archiving stays at 50 GB", async () => {
    const t = tenants.contoso();
    expect((await t.getMailbox("support@contoso.com"))?.quotaBytes).toBe(50 * GB);
    expect((await t.getMailbox("legal@contoso.com"))?.quotaBytes).toBe(100 * GB);
    await t.assignLicense("kim.nguyen@contoso.com", { add: ["SPB"], remove: [] });
    expect((await t.getMailbox("kim.nguyen@contoso.com"))?.quotaBytes).toBe(50 * GB);
    await t.assignLicense("kim.nguyen@contoso.com", { add: ["EXCHANGEENTERPRISE"], remove: ["SPB"] });
    expect((await t.getMailbox("kim.nguyen@contoso.com"))?.quotaBytes).toBe(100 * GB);
  });

  it("refuses to remove the license of a shared mailbox over 50 GB, naming its size and the fix", async () => {
    const t = tenants.contoso();
    t.adminSetMailboxSize("legal@contoso.com", 62 * GB);
    await t.updateMailbox("legal@contoso.com", { litigationHold: false });
    const error = await rejection(t.assignLicense("legal@contoso.com", { add: [], remove: ["EXCHANGEENTERPRISE"] }), "precondition");
    expect(error.code).toBe("MailboxNeedsLicense");
    expect(error.message).toContain("legal@contoso.com");
    expect(error.message).toContain("62 GB");
    expect(error.message).toContain("keep the license");
  });

  it("refuses to remove the license of a shared mailbox on litigation hold", async () => {
    const t = tenants.contoso();
    t.adminSetMailboxSize("legal@contoso.com", 10 * GB);
    const error = await rejection(t.assignLicense("legal@contoso.com", { add: [], remove: ["EXCHANGEENTERPRISE"] }), "precondition");
    expect(error.message).toContain("litigation hold");
  });

  it("refuses to remove the license of a shared mailbox with an archive", async () => {
    const t = tenants.contoso();
    await t.assignLicense("kim.nguyen@contoso.com", { add: ["EXCHANGEENTERPRISE"], remove: [] });
    await t.updateMailbox("kim.nguyen@contoso.com", { archive: true });
    const error = await rejection(t.assignLicense("kim.nguyen@contoso.com", { add: [], remove: ["EXCHANGEENTERPRISE"] }), "precondition");
    expect(error.message).toContain("archive");
  });

  it("lets an admin remove that license out of band, as the real service does, leaving the mailbox over quota", async () => {
    const t = tenants.contoso();
    t.adminLicense("legal@contoso.com", "remove", "EXCHANGEENTERPRISE");
    const legal = await t.getMailbox("legal@contoso.com");
    expect(legal?.quotaBytes).toBe(50 * GB);
    expect(legal!.sizeBytes).toBeGreaterThan(legal!.quotaBytes);
  });

  it("refuses litigation hold or an archive without Plan 2 or Plan 1 + archiving (R1.6)", async () => {
    const t = tenants.contoso();
    expect((await rejection(t.updateMailbox("support@contoso.com", { litigationHold: true }), "precondition")).code).toBe("LicenseRequired");
    await rejection(t.updateMailbox("support@contoso.com", { archive: true }), "precondition");
  });
});

describe("deletion, restore and readiness (R2.3, R2.5, R3.4)", () => {
  it("soft-deletes a user and its mailbox for 30 days, restorable, and purges them after", async () => {
    const t = tenants.contoso();
    t.adminDeleteUser("harry.wells@contoso.com");
    expect(await t.getUser("harry.wells@contoso.com")).toBeNull();
    expect((await t.getMailbox("harry.wells@contoso.com"))?.deletedAt).toBe("2026-11-01T09:00:00.000Z");
    const id = (await t.listUsers()).find((u) => u.userPrincipalName === "harry.wells@contoso.com")!.id;
    await t.clock.sleep(29 * DAY);
    const restored = await t.restoreUser(id);
    expect(restored.deletedAt).toBeNull();
    expect(restored.licenses).toEqual([]); // R2.4: licenses are not re-added
    t.adminDeleteUser("harry.wells@contoso.com");
    await t.clock.sleep(30 * DAY);
    expect((await rejection(t.restoreUser(id), "notFound")).code).toBe("Request_ResourceNotFound");
    expect(await t.getMailbox("harry.wells@contoso.com")).toBeNull();
  });

  it("makes a restored mailbox ready only after 25 minutes, refusing writes before", async () => {
    const t = tenants.contoso();
    const jack = (await t.listUsers()).find((u) => u.userPrincipalName === "jack.hale@contoso.com")!;
    await t.restoreUser(jack.id);
    const mailbox = await t.getMailbox("jack.hale@contoso.com");
    expect(mailbox?.readyAt).toBe("2026-11-01T09:25:00.000Z");
    await t.assignLicense("jack.hale@contoso.com", { add: ["EXCHANGESTANDARD"], remove: [] }); // user writes work at once
    expect((await rejection(t.setMailboxType("jack.hale@contoso.com", "shared"), "precondition")).code).toBe("MailboxNotReady");
    await t.clock.sleep(25 * MINUTE);
    expect((await t.getMailbox("jack.hale@contoso.com"))?.readyAt).toBeNull();
    expect((await t.setMailboxType("jack.hale@contoso.com", "shared")).type).toBe("shared");
  });

  it("makes a new shared mailbox accept grants and conversions only after 5 minutes", async () => {
    const t = tenants.contoso();
    const created = await t.createSharedMailbox({ address: "info@contoso.com", displayName: "Contoso Info" });
    expect(created.readyAt).toBe("2026-11-01T09:05:00.000Z");
    expect((await rejection(t.addRecipientPermission("info@contoso.com", "carla.diaz@contoso.com"), "precondition")).code).toBe("MailboxNotReady");
    expect((await rejection(t.setMailboxType("info@contoso.com", "regular"), "precondition")).code).toBe("MailboxNotReady");
    await t.clock.sleep(5 * MINUTE);
    await t.addRecipientPermission("info@contoso.com", "carla.diaz@contoso.com");
  });

  it("refuses to restore a user whose upn a live user now holds", async () => {
    const fixture = loadFixture("contoso");
    const newJack = { id: "u-0099", userPrincipalName: "jack.hale@contoso.com", displayName: "New Jack", usageLocation: "US" };
    const t = tenants.from({ ...fixture, users: [...fixture.users, newJack] });
    expect((await rejection(t.restoreUser("u-0010"), "conflict")).code).toBe("ObjectConflict");
  });

  it("soft-deletes the mailbox and its anchor on removeMailbox, and refuses it while on litigation hold", async () => {
    const t = tenants.contoso();
    await t.removeMailbox("events-2025@contoso.com");
    expect((await t.getMailbox("events-2025@contoso.com"))?.deletedAt).not.toBeNull();
    expect(await t.getUser("events-2025@contoso.com")).toBeNull();
    expect((await rejection(t.removeMailbox("legal@contoso.com"), "precondition")).code).toBe("MailboxOnHold");
  });

  it("lets the anchor user of a shared mailbox be deleted, taking the mailbox with it and keeping its grants for a restore (R2.2)", async () => {
    const t = tenants.contoso();
    t.adminDeleteUser("support@contoso.com");
    expect((await t.getMailbox("support@contoso.com"))?.deletedAt).not.toBeNull();
    // listed while soft-deleted (Get-EXOMailboxPermission -SoftDeletedMailbox): a plan that restores it must know them
    expect((await t.listGrants()).filter((g) => g.mailbox === "support@contoso.com").length).toBe(3);
    const id = (await t.listUsers()).find((u) => u.userPrincipalName === "support@contoso.com")!.id;
    await t.restoreUser(id);
    expect((await t.getGrants("support@contoso.com")).length).toBe(3);
  });

  it("releases a deleted user's licenses", async () => {
    const t = tenants.contoso();
    t.adminDeleteUser("legal@contoso.com");
    expect((await t.listSkus()).find((s) => s.skuPartNumber === "EXCHANGEENTERPRISE")?.consumedUnits).toBe(0);
  });
});

describe("grants (R3.1, R3.2, R3.5, R3.8, R3.9, R3.10)", () => {
  it("refuses trustees outside the tenant's domains", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.addMailboxPermission("support@contoso.com", "bob@gmail.com", { autoMapping: true }), "precondition");
    expect(error.code).toBe("TrusteeOutsideTenant");
    expect(error.message).toContain("bob@gmail.com");
  });

  it("refuses deleted and unknown trustees", async () => {
    const t = tenants.contoso();
    const deleted = await rejection(t.addRecipientPermission("support@contoso.com", "jack.hale@contoso.com"), "precondition");
    expect(deleted.code).toBe("TrusteeNotFound");
    expect(deleted.message).toContain("deleted");
    expect((await rejection(t.setSendOnBehalf("support@contoso.com", { add: ["nobody@contoso.com"], remove: [] }), "precondition")).code).toBe("TrusteeNotFound");
  });

  it("answers notFound with the service's message when removing an absent ACE", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.removeMailboxPermission("support@contoso.com", "ben.ortiz@contoso.com"), "notFound");
    expect(error.code).toBe("ACENotFound");
    expect(error.message).toContain("Can't remove the access control entry on the object");
    expect(error.message).toContain("because the ACE doesn't exist on the object");
  });

  it("answers conflict when the trustee already holds FullAccess, so autoMapping changes need remove then add", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.addMailboxPermission("support@contoso.com", "ann.lee@contoso.com", { autoMapping: false }), "conflict");
    expect(error.message).toContain("remove the grant and add it again");
    await t.removeMailboxPermission("support@contoso.com", "ann.lee@contoso.com");
    await t.addMailboxPermission("support@contoso.com", "ann.lee@contoso.com", { autoMapping: false });
    expect((await t.getGrants("support@contoso.com")).find((g) => g.right === "FullAccess" && g.trustee === "ann.lee@contoso.com")?.autoMapping).toBe(false);
  });

  it("refuses a 501st FullAccess entry on one mailbox", async () => {
    const base = loadFixture("empty");
    const users = Array.from({ length: 502 }, (_, i) => ({ id: `u-${i}`, userPrincipalName: `user${i}@example.com`, displayName: `User ${i}` }));
    const fixture: TenantFixture = {
      ...base,
      users,
      mailboxes: [{ address: "user0@example.com", displayName: "Big", type: "shared", userId: "u-0" }],
      grants: users.slice(1, 501).map((u) => ({ mailbox: "user0@example.com", right: "FullAccess" as const, trustee: u.userPrincipalName })),
    };
    const t = tenants.from(fixture);
    const error = await rejection(t.addMailboxPermission("user0@example.com", "user501@example.com", { autoMapping: true }), "precondition");
    expect(error.code).toBe("TooManyACEs");
    await t.addRecipientPermission("user0@example.com", "user501@example.com"); // SendAs is not limited by it
  });

  it("applies send-on-behalf changes incrementally and all-or-nothing", async () => {
    const t = tenants.contoso();
    await t.setSendOnBehalf("support@contoso.com", { add: ["ben.ortiz@contoso.com", "carla.diaz@contoso.com"], remove: [] });
    await rejection(t.setSendOnBehalf("support@contoso.com", { add: ["dev.patel@contoso.com"], remove: ["erin.kim@contoso.com"] }), "notFound");
    await t.setSendOnBehalf("support@contoso.com", { add: [], remove: ["ben.ortiz@contoso.com"] });
    const sob = (await t.getGrants("support@contoso.com")).filter((g) => g.right === "SendOnBehalf").map((g) => g.trustee);
    expect(sob).toEqual(["carla.diaz@contoso.com"]);
  });

  it("keeps SendAs when FullAccess is removed, and the reverse", async () => {
    const t = tenants.contoso();
    await t.removeMailboxPermission("support@contoso.com", "ann.lee@contoso.com");
    expect((await t.getGrants("support@contoso.com")).filter((g) => g.trustee === "ann.lee@contoso.com").map((g) => g.right)).toEqual(["SendAs"]);
    await t.addMailboxPermission("support@contoso.com", "ann.lee@contoso.com", { autoMapping: true });
    await t.removeRecipientPermission("support@contoso.com", "ann.lee@contoso.com");
    expect((await t.getGrants("support@contoso.com")).filter((g) => g.trustee === "ann.lee@contoso.com").map((g) => g.right)).toEqual(["FullAccess"]);
  });

  it("shows a grant at once but marks it effective only after the propagation delay (R3.4)", async () => {
    const t = tenants.contoso();
    await t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com");
    const pending = t.exportFixture().grants.find((g) => g.trustee === "ben.ortiz@contoso.com");
    expect(pending?.effectiveAt).toBe("2026-11-01T10:00:00.000Z");
    await t.clock.sleep(60 * MINUTE);
    expect(t.exportFixture().grants.find((g) => g.trustee === "ben.ortiz@contoso.com")?.effectiveAt).toBeUndefined();
  });
});

describe("sign-in and directory sync (R4.2, R4.4)", () => {
  it("refuses to change sign-in of a directory-synced user with Graph's Request_BadRequest message", async () => {
    const t = tenants.contoso();
    const error = await rejection(t.setAccountEnabled("frank.moss@contoso.com", false), "precondition");
    expect(error.code).toBe("Request_BadRequest");
    expect(error.message).toContain("on-premises mastered Directory Sync objects");
  });

  it("lets an admin change a synced user's sign-in out of band, as on premises", async () => {
    const t = tenants.contoso();
    t.adminSetAccountEnabled("frank.moss@contoso.com", false);
    expect((await t.getUser("frank.moss@contoso.com"))?.accountEnabled).toBe(false);
  });
});

describe("creating shared mailboxes (R4.2, R5.1, R5.2)", () => {
  it("creates the anchor with sign-in enabled and no license", async () => {
    const t = tenants.contoso();
    const created = await t.createSharedMailbox({ address: "ceo-office@contoso.com", displayName: "Office of the CEO" });
    const anchor = await t.getUser("ceo-office@contoso.com");
    expect(anchor).toMatchObject({ id: created.userId, accountEnabled: true, licenses: [], usageLocation: null });
    expect(created).toMatchObject({ alias: "ceo-office", quotaBytes: 50 * GB, sizeBytes: 0 });
  });

  it("refuses an address already in use, also by a soft-deleted mailbox, with the service's message", async () => {
    const t = tenants.contoso();
    const live = await rejection(t.createSharedMailbox({ address: "support@contoso.com", displayName: "Again" }), "conflict");
    expect(live.message).toBe('The proxy address "smtp:support@contoso.com" is already being used by the proxy addresses or LegacyExchangeDN of "Contoso Support". Please choose another proxy address.');
    await rejection(t.createSharedMailbox({ address: "jack.hale@contoso.com", displayName: "Jack" }), "conflict");
  });

  it("refuses invalid aliases and domains the tenant does not accept", async () => {
    const t = tenants.contoso();
    expect((await rejection(t.createSharedMailbox({ address: "a@contoso.com", displayName: "A", alias: "bad..alias" }), "precondition")).code).toBe("InvalidAlias");
    await rejection(t.createSharedMailbox({ address: "a@contoso.com", displayName: "A", alias: "x".repeat(65) }), "precondition");
    expect((await rejection(t.createSharedMailbox({ address: "a@fabrikam.com", displayName: "A" }), "precondition")).code).toBe("DomainNotAccepted");
  });
});

describe("the operation log", () => {
  it("records each write once, refusals with their code, distinguishable from successes", async () => {
    const t = tenants.contoso();
    const start = t.readLog().at(-1)!.seq;
    await t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com");
    await rejection(t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com"), "conflict");
    const entries = t.readLog({ afterSeq: start });
    expect(entries.map((e) => [e.operation, e.outcome, e.code])).toEqual([
      ["addRecipientPermission", "ok", null],
      ["addRecipientPermission", "error", "ACEAlreadyExists"],
    ]);
    expect(entries[0]?.args).toEqual({ trustee: "ben.ortiz@contoso.com" });
  });

  it("rolls back a refused write entirely", async () => {
    const t = tenants.contoso();
    const before = t.exportFixture();
    await rejection(t.setSendOnBehalf("support@contoso.com", { add: ["ben.ortiz@contoso.com"], remove: ["nobody@contoso.com"] }), "notFound");
    expect(t.exportFixture()).toEqual(before);
  });
});
