import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import schema from "../../schema/drift.schema.json" with { type: "json" };
import { detectDrift } from "../../lib/drift/detect.js";
import { plan } from "../../lib/plan/planner.js";
import type { DriftReport } from "../../lib/drift/types.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import {
  addGrant,
  appliedContoso,
  contosoDesired,
  contosoDesiredDocument,
  editAccount,
  editMailbox,
  removeGrant,
  removeMailbox,
} from "./builders.js";

const desired = contosoDesired();
const applied = appliedContoso();

function only(report: DriftReport) {
  expect(report.items).toHaveLength(1);
  return report.items[0]!;
}

describe("detectDrift: a tenant as apply left it", () => {
  it("reports no drift and nothing pending when the tenant matches the applied desired state", () => {
    const report = detectDrift(desired, applied);
    expect(report.items).toEqual([]);
    expect(report.drifted).toBe(false);
    expect(report.pending).toBe(0);
    expect(report.summary).toEqual({ critical: 0, high: 0, medium: 0, low: 0, total: 0 });
  });

  it("compares normalised values: trustee case and list order never make drift", () => {
    const shuffled = {
      ...applied,
      grants: [...applied.grants].reverse().map((g) => ({ ...g, trustee: g.trustee.toUpperCase(), mailbox: g.mailbox.toUpperCase() })),
      users: [...applied.users].reverse(),
      mailboxes: [...applied.mailboxes].reverse(),
    };
    expect(detectDrift(desired, shuffled).items).toEqual([]);
  });

  it("produces a report that validates against schema/drift.schema.json, byte-identical on a second run", () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const drifted = editAccount(addGrant(applied, { mailbox: "support@contoso.com", right: "FullAccess", trustee: "gina.rossi@contoso.com", autoMapping: true }), "support@contoso.com", { accountEnabled: true });
    const report = detectDrift(desired, drifted);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(canonicalJson(detectDrift(desired, drifted))).toBe(canonicalJson(report));
    expect(report.desiredDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("detectDrift: grants changed out of band", () => {
  it("reports a FullAccess grant added outside exoform as high, naming the trustee and how to keep it", () => {
    const item = only(detectDrift(desired, addGrant(applied, { mailbox: "support@contoso.com", right: "FullAccess", trustee: "gina.rossi@contoso.com", autoMapping: true })));
    expect(item).toMatchObject({ mailbox: "support@contoso.com", code: "grant_added", severity: "high", field: "fullAccess", trustee: "gina.rossi@contoso.com", right: "FullAccess", expected: false, actual: true });
    expect(item.message).toContain("gina.rossi@contoso.com holds FullAccess on support@contoso.com, which the code does not declare");
    expect(item.message).toContain("revokes it");
    expect(item.message).toContain('permissionsMode "additive"');
  });

  it("reports SendAs added as high and SendOnBehalf added as medium", () => {
    const withSendAs = addGrant(applied, { mailbox: "ceo-office@contoso.com", right: "SendAs", trustee: "ann.lee@contoso.com" });
    expect(only(detectDrift(desired, withSendAs))).toMatchObject({ code: "grant_added", severity: "high", field: "sendAs" });
    const withBehalf = addGrant(applied, { mailbox: "ceo-office@contoso.com", right: "SendOnBehalf", trustee: "ann.lee@contoso.com" });
    expect(only(detectDrift(desired, withBehalf))).toMatchObject({ code: "grant_added", severity: "medium", field: "sendOnBehalf" });
  });

  it("reports a declared grant removed outside exoform, per right and per trustee", () => {
    const removed = removeGrant(removeGrant(applied, "support@contoso.com", "SendAs", "ben.ortiz@contoso.com"), "ceo-office@contoso.com", "SendOnBehalf", "dev.patel@contoso.com");
    const report = detectDrift(desired, removed);
    expect(report.items.map((i) => [i.mailbox, i.code, i.right, i.trustee, i.expected, i.actual])).toEqual([
      ["ceo-office@contoso.com", "grant_removed", "SendOnBehalf", "dev.patel@contoso.com", true, false],
      ["support@contoso.com", "grant_removed", "SendAs", "ben.ortiz@contoso.com", true, false],
    ]);
  });

  it("in additive mode reports only missing grants, never extra ones", () => {
    const doc = contosoDesiredDocument();
    const additive = contosoDesired({ sharedMailboxes: doc.sharedMailboxes.map((m) => (m.address === "support@contoso.com" ? { ...m, permissionsMode: "additive" as const } : m)) });
    const extra = addGrant(applied, { mailbox: "support@contoso.com", right: "FullAccess", trustee: "gina.rossi@contoso.com", autoMapping: true });
    expect(detectDrift(additive, extra).items).toEqual([]);
    const missing = removeGrant(extra, "support@contoso.com", "FullAccess", "ann.lee@contoso.com");
    expect(only(detectDrift(additive, missing))).toMatchObject({ code: "grant_removed", trustee: "ann.lee@contoso.com" });
  });

  it("reports an autoMapping mismatch on a declared FullAccess grant", () => {
    const flipped = { ...applied, grants: applied.grants.map((g) => (g.mailbox === "info@contoso.com" && g.trustee === "erin.kim@contoso.com" ? { ...g, autoMapping: true } : g)) };
    const item = only(detectDrift(desired, flipped));
    expect(item).toMatchObject({ code: "automapping_changed", severity: "low", expected: false, actual: true, trustee: "erin.kim@contoso.com" });
    expect(item.message).toContain("R3.5");
  });

  it("never reports autoMapping, nor plans its change, when the provider cannot read it back (Microsoft's service)", () => {
    const unreadable = { ...applied, grants: applied.grants.map((g) => (g.right === "FullAccess" ? { mailbox: g.mailbox, right: g.right, trustee: g.trustee } : g)) };
    expect(detectDrift(desired, unreadable).items).toEqual([]);
    expect(plan(desired, unreadable).actions).toEqual([]);
    const removed = removeGrant(unreadable, "info@contoso.com", "FullAccess", "erin.kim@contoso.com");
    expect(only(detectDrift(desired, removed))).toMatchObject({ code: "grant_removed", trustee: "erin.kim@contoso.com" });
  });
});

describe("detectDrift: accounts, licenses and mailbox fields", () => {
  it("reports sign-in re-enabled on a shared mailbox's account as high", () => {
    const item = only(detectDrift(desired, editAccount(applied, "support@contoso.com", { accountEnabled: true })));
    expect(item).toMatchObject({ code: "signin_enabled", severity: "high", field: "accountEnabled", expected: false, actual: true });
    expect(item.message).toContain("blocks it again");
  });

  it("tells to disable a directory-synced account on premises", () => {
    const synced = editAccount(applied, "support@contoso.com", { accountEnabled: true, onPremisesSyncEnabled: true });
    expect(only(detectDrift(desired, synced)).message).toContain("on-premises Active Directory");
  });

  it("reports the license of a mailbox that needs it (62 GB on hold) removed as critical, saying why", () => {
    const item = only(detectDrift(desired, editAccount(applied, "legal@contoso.com", { licenses: [] })));
    expect(item).toMatchObject({ code: "license_removed", severity: "critical", field: "license", expected: ["EXCHANGEENTERPRISE"], actual: [] });
    expect(item.message).toContain("holds 62 GB, over the 50 GB");
  });

  it("reports a declared license removed from a mailbox that does not need it as high", () => {
    const small = editMailbox(editAccount(applied, "legal@contoso.com", { licenses: ["SPE_E3"] }), "legal@contoso.com", { sizeBytes: 1024 });
    const report = detectDrift(desired, small);
    expect(report.items.map((i) => [i.code, i.severity])).toEqual([
      ["license_removed", "high"],
      ["license_unexpected", "low"],
    ]);
  });

  it("reports a license the code does not declare as low (a paid seat)", () => {
    const item = only(detectDrift(desired, editAccount(applied, "support@contoso.com", { licenses: ["EXCHANGESTANDARD"] })));
    expect(item).toMatchObject({ code: "license_unexpected", severity: "low", expected: [], actual: ["EXCHANGESTANDARD"] });
  });

  it("reports display name, litigation hold and archive changes with their severities", () => {
    let o = editMailbox(applied, "support@contoso.com", { displayName: "Support (old)" });
    o = editMailbox(o, "legal@contoso.com", { litigationHold: false });
    const report = detectDrift(desired, o);
    expect(report.items.map((i) => [i.mailbox, i.code, i.severity, i.expected, i.actual])).toEqual([
      ["legal@contoso.com", "litigation_hold_disabled", "high", true, false],
      ["support@contoso.com", "display_name_changed", "low", "Contoso Support", "Support (old)"],
    ]);
    const archiveDoc = contosoDesiredDocument();
    const withArchive = contosoDesired({ sharedMailboxes: archiveDoc.sharedMailboxes.map((m) => (m.address === "legal@contoso.com" ? { ...m, archive: true } : m)) });
    expect(only(detectDrift(withArchive, applied))).toMatchObject({ code: "archive_disabled", severity: "medium" });
  });

  it("reports an alias changed only in case, as the plan does: the next apply writes it back", () => {
    const doc = contosoDesiredDocument();
    const withAlias = contosoDesired({ sharedMailboxes: doc.sharedMailboxes.map((m) => (m.address === "support@contoso.com" ? { ...m, alias: "Support" } : m)) });
    const tenant = editMailbox(applied, "support@contoso.com", { alias: "Support" });
    expect(detectDrift(withAlias, tenant).items).toEqual([]);
    const lowered = editMailbox(tenant, "support@contoso.com", { alias: "support" });
    expect(only(detectDrift(withAlias, lowered))).toMatchObject({ mailbox: "support@contoso.com", code: "alias_changed", severity: "low", expected: "Support", actual: "support" });
    expect(plan(withAlias, lowered).actions.map((a) => a.reason)).toContain("alias_differs");
  });
});

describe("detectDrift: mailbox type flips", () => {
  it("reports a shared mailbox flipped back by directory sync as the hybrid overwrite, with the on-premises fix", () => {
    let o = editMailbox(applied, "support@contoso.com", { type: "user" });
    o = editAccount(o, "support@contoso.com", { onPremisesSyncEnabled: true });
    const item = only(detectDrift(desired, o));
    expect(item).toMatchObject({ code: "mailbox_reverted_to_user", severity: "critical", field: "type", expected: "shared", actual: "user" });
    expect(item.message).toContain("R6.3");
    expect(item.message).toContain("Set-RemoteMailbox support@contoso.com -Type Shared");
    expect(item.message).toContain("msExchRemoteRecipientType=100");
    expect(item.message).toContain("30-day grace period");
  });

  it("reports a licensed cloud-only mailbox turned into a user mailbox as high", () => {
    const item = only(detectDrift(desired, editMailbox(applied, "legal@contoso.com", { type: "user" })));
    expect(item).toMatchObject({ code: "mailbox_reverted_to_user", severity: "high" });
    expect(item.message).toContain("Set-Mailbox -Identity legal@contoso.com -Type Shared");
  });

  it("reads a converted mailbox that is a user mailbox again (sign-in blocked, grants in place) as drift", () => {
    const o = editMailbox(applied, "harry.wells@contoso.com", { type: "user" });
    const item = only(detectDrift(desired, o));
    expect(item).toMatchObject({ mailbox: "harry.wells@contoso.com", code: "mailbox_reverted_to_user" });
    expect(item.message).toContain("the next exoform apply converts it back to shared");
  });

  it("reports a mailbox given back to its owner that is shared again", () => {
    const item = only(detectDrift(desired, editMailbox(applied, "kim.nguyen@contoso.com", { type: "shared" })));
    expect(item).toMatchObject({ code: "mailbox_reverted_to_shared", severity: "high", expected: "user", actual: "shared" });
  });

  it("reports a given-back mailbox whose license was removed as critical, and blocked sign-in as medium", () => {
    const o = editAccount(applied, "kim.nguyen@contoso.com", { licenses: [], accountEnabled: false });
    const report = detectDrift(desired, o);
    expect(report.items.map((i) => [i.code, i.severity])).toEqual([
      ["license_removed", "critical"],
      ["signin_blocked", "medium"],
    ]);
    expect(report.items[0]!.message).toContain("30-day grace period");
  });
});

describe("detectDrift: deletions", () => {
  it("reports a deleted anchor account as critical with the restore procedure and the days left", () => {
    let o = editAccount(applied, "support@contoso.com", { deletedAt: "2026-10-22T09:00:00.000Z" });
    o = editMailbox(o, "support@contoso.com", { deletedAt: "2026-10-22T09:00:00.000Z" });
    const report = detectDrift(desired, o);
    const item = only(report);
    expect(item).toMatchObject({ code: "anchor_deleted", severity: "critical", field: "mailbox", expected: "present", actual: "soft-deleted" });
    expect(item.message).toContain("deleted on 2026-10-22");
    expect(item.message).toContain("purged for good on 2026-11-21, 20 days from now");
    expect(item.message).toContain("restore the account from deleted users");
    expect(item.message).toContain("/directory/deletedItems/u-support/restore");
    expect(item.message).toContain("never delete a shared mailbox's account");
    expect(report.summary.critical).toBe(1);
  });

  it("reports a declared trustee deleted out of band, per right, as high with the purge date, instead of a grant change", () => {
    const o = { ...applied, users: applied.users.map((u) => (u.userPrincipalName === "ben.ortiz@contoso.com" ? { ...u, deletedAt: "2026-10-30T09:00:00.000Z" } : u)) };
    const report = detectDrift(desired, o);
    expect(report.items.map((i) => [i.mailbox, i.code, i.severity, i.field, i.trustee, i.actual])).toEqual([
      ["harry.wells@contoso.com", "trustee_deleted", "high", "fullAccess", "ben.ortiz@contoso.com", "soft-deleted"],
      ["harry.wells@contoso.com", "trustee_deleted", "high", "sendAs", "ben.ortiz@contoso.com", "soft-deleted"],
      ["support@contoso.com", "trustee_deleted", "high", "fullAccess", "ben.ortiz@contoso.com", "soft-deleted"],
      ["support@contoso.com", "trustee_deleted", "high", "sendAs", "ben.ortiz@contoso.com", "soft-deleted"],
    ]);
    expect(report.items[0]!.message).toContain("was deleted on 2026-10-30");
    expect(report.items[0]!.message).toContain("restore the user from deleted users before 2026-11-29 (28 days left, R2.3), or remove the grant from the code");
    const purged = { ...o, users: o.users.filter((u) => u.userPrincipalName !== "ben.ortiz@contoso.com"), grants: o.grants.filter((g) => g.trustee !== "ben.ortiz@contoso.com") };
    expect(detectDrift(desired, purged).items.map((i) => [i.code, i.actual])).toEqual([
      ["trustee_gone", "absent"],
      ["trustee_gone", "absent"],
      ["trustee_gone", "absent"],
      ["trustee_gone", "absent"],
    ]);
  });

  it("does not report a trustee whose deleted namesake sits in the recycle bin while a live user holds the UPN", () => {
    const ben = applied.users.find((u) => u.userPrincipalName === "ben.ortiz@contoso.com")!;
    const o = { ...applied, users: [...applied.users, { ...ben, id: "old-ben", deletedAt: "2026-10-01T09:00:00.000Z" }] };
    expect(detectDrift(desired, o).items).toEqual([]);
  });

  it("says the restore window has ended when the deletion is older than 30 days", () => {
    const o = editMailbox(editAccount(applied, "support@contoso.com", { deletedAt: "2026-09-01T09:00:00.000Z" }), "support@contoso.com", { deletedAt: "2026-09-01T09:00:00.000Z" });
    expect(only(detectDrift(desired, o)).message).toContain("restore window ended on 2026-10-01");
  });

  it("reports an anchor deleted while its mailbox still reads live (sync lag) as anchor_deleted", () => {
    const o = editAccount(applied, "legal@contoso.com", { deletedAt: "2026-10-31T09:00:00.000Z" });
    const item = only(detectDrift(desired, o));
    expect(item).toMatchObject({ code: "anchor_deleted", severity: "critical" });
    expect(item.message).toContain("29 days from now");
    expect(item.message).toContain("inactive mailbox");
  });

  it("reports a soft-deleted mailbox whose account is live as mailbox_deleted", () => {
    const item = only(detectDrift(desired, editMailbox(applied, "ceo-office@contoso.com", { deletedAt: "2026-10-30T09:00:00.000Z" })));
    expect(item).toMatchObject({ code: "mailbox_deleted", severity: "critical", actual: "soft-deleted" });
  });

  it("reports a converted mailbox that is gone entirely (purged) as mailbox_gone", () => {
    const item = only(detectDrift(desired, removeMailbox(applied, "harry.wells@contoso.com")));
    expect(item).toMatchObject({ code: "mailbox_gone", severity: "critical", expected: "present", actual: "absent" });
  });
});

describe("detectDrift: pending is not drift", () => {
  it("counts a new mailbox not created yet as pending, not drift", () => {
    const report = detectDrift(desired, removeMailbox(applied, "info@contoso.com"));
    expect(report.items).toEqual([]);
    expect(report.pendingItems).toEqual([{ mailbox: "info@contoso.com", reason: "not_created", message: "info@contoso.com does not exist yet; the next apply creates it" }]);
    expect(report.pending).toBe(1);
  });

  it("counts a person's mailbox still in use (not converted yet) as pending", () => {
    let o = editMailbox(applied, "harry.wells@contoso.com", { type: "user" });
    o = editAccount(o, "harry.wells@contoso.com", { accountEnabled: true, licenses: ["EXCHANGESTANDARD"] });
    const report = detectDrift(desired, o);
    expect(report.items).toEqual([]);
    expect(report.pendingItems.map((p) => p.reason)).toEqual(["not_converted"]);
  });

  it("counts a soft-deleted person's mailbox declared for conversion as pending (the plan restores it)", () => {
    const o = editMailbox(applied, "harry.wells@contoso.com", { type: "user", deletedAt: "2026-10-22T09:00:00.000Z" });
    const report = detectDrift(desired, editAccount(o, "harry.wells@contoso.com", { deletedAt: "2026-10-22T09:00:00.000Z" }));
    expect(report.items).toEqual([]);
    expect(report.pendingItems[0]).toMatchObject({ mailbox: "harry.wells@contoso.com", reason: "not_converted" });
  });

  it("counts a shared mailbox not yet given back, a missing management tag, and an undeclared tagged mailbox as pending", () => {
    let o = editMailbox(applied, "kim.nguyen@contoso.com", { type: "shared" });
    o = editAccount(o, "kim.nguyen@contoso.com", { accountEnabled: false, licenses: [] });
    o = editMailbox(o, "info@contoso.com", { managementTag: null });
    o = { ...o, mailboxes: [...o.mailboxes, { ...o.mailboxes[0]!, address: "events-2025@contoso.com", userId: "u-events", managementTag: "exoform:stack=contoso;removal=delete" }] };
    o = { ...o, mailboxes: [...o.mailboxes, { ...o.mailboxes[0]!, address: "other@contoso.com", userId: "u-other", managementTag: "exoform:stack=other;removal=delete" }] };
    const report = detectDrift(desired, o);
    expect(report.items).toEqual([]);
    expect(report.pendingItems.map((p) => [p.mailbox, p.reason])).toEqual([
      ["events-2025@contoso.com", "deletion_pending"],
      ["info@contoso.com", "management_tag"],
      ["kim.nguyen@contoso.com", "not_converted_back"],
    ]);
  });
});

describe("detectDrift: ignore rules", () => {
  const drifted = editAccount(
    addGrant(addGrant(applied, { mailbox: "support@contoso.com", right: "FullAccess", trustee: "gina.rossi@contoso.com", autoMapping: true }), { mailbox: "legal@contoso.com", right: "SendAs", trustee: "ann.lee@contoso.com" }),
    "support@contoso.com",
    { accountEnabled: true },
  );

  it("suppresses one field of one mailbox and counts it", () => {
    const report = detectDrift(desired, drifted, { ignore: [{ mailbox: "support@contoso.com", field: "fullAccess" }] });
    expect(report.items.map((i) => [i.mailbox, i.code])).toEqual([
      ["legal@contoso.com", "grant_added"],
      ["support@contoso.com", "signin_enabled"],
    ]);
    expect(report.ignored).toBe(1);
  });

  it("suppresses every field of a mailbox, and one field everywhere with *", () => {
    expect(detectDrift(desired, drifted, { ignore: [{ mailbox: "support@contoso.com" }] })).toMatchObject({ ignored: 2, summary: { total: 1 } });
    expect(detectDrift(desired, drifted, { ignore: [{ mailbox: "*", field: "accountEnabled" }] })).toMatchObject({ ignored: 1, summary: { total: 2 } });
  });

  it("applies the desired state's own ignore[] together with the command line's", () => {
    const withIgnore = contosoDesired({ ignore: [{ mailbox: "LEGAL@contoso.com", field: "sendAs", reason: "audit account" }] });
    const report = detectDrift(withIgnore, drifted, { ignore: [{ mailbox: "support@contoso.com", field: "accountEnabled" }] });
    expect(report.items.map((i) => i.code)).toEqual(["grant_added"]);
    expect(report.items[0]!.mailbox).toBe("support@contoso.com");
    expect(report.ignored).toBe(2);
    expect(report.drifted).toBe(true);
  });
});
