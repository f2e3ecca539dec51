/**
 * Issue #13 end to end on the simulated tenant: each declared feature is
 * planned, applied, and then re-plans empty with no drift; an out-of-band
 * change gives both the drift item and the plan action that undoes it
 * (plan and drift read one comparison, docs/decisions/0011).
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isDone, pointReader } from "../../lib/apply/execute.js";
import { applyPlan } from "../../lib/apply/index.js";
import { detectDrift } from "../../lib/drift/index.js";
import type { SharedMailboxSpec } from "../../lib/model/generated/desired-state.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import { desiredFromObserved } from "../../lib/export/from-observed.js";
import { plan, type PlanDocument } from "../../lib/plan/index.js";
import { observe } from "../../lib/provider/observe.js";
import { classOf } from "../../lib/reconcile/classify.js";
import { loadFixture, type SimulatedTenant } from "../../providers/simulated/index.js";
import { assertSchemaValid } from "../plan/helpers.js";
import { REPO, committedWrites, createTenant, desiredFrom, leftover, planAgainst, tempDir, withTenant as withContoso } from "./helpers.js";

const support = "support@contoso.com";
const info = "info@contoso.com";

/** The contoso desired state with `patch` applied to some of its shared mailboxes (by address). */
function contosoWith(patch: Readonly<Record<string, Partial<SharedMailboxSpec>>>): CanonicalDesiredState {
  const doc = JSON.parse(readFileSync(join(REPO, "examples/contoso/desired-state.json"), "utf8")) as { sharedMailboxes: SharedMailboxSpec[] };
  doc.sharedMailboxes = doc.sharedMailboxes.map((m) => {
    const p = patch[m.address] ?? {};
    // licenses replaces the license shorthand (both is an error)
    const { license: _shorthand, ...rest } = m;
    return { ...(p.licenses !== undefined ? rest : m), ...p };
  });
  return desiredFrom(doc, "contoso with issue #13 fields");
}

const withTenant = (fn: (t: SimulatedTenant) => Promise<void>) => withContoso("features", fn);

/**
 * Plan (schema-valid, no errors), apply, and check that nothing is left:
 * re-plan empty, no drift, and the tenant exported (adoption) plans nothing.
 */
async function converge(t: SimulatedTenant, desired: CanonicalDesiredState): Promise<PlanDocument> {
  const doc = await planAgainst(t, desired);
  assertSchemaValid(doc);
  expect(doc.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const result = await applyPlan(doc, t, { seed: 1 });
  expect(result.summary).toMatchObject({ failed: 0, notStarted: 0 });
  expect(await leftover(t, desired)).toEqual({ replan: [], drift: [] });
  const observed = await observe(t);
  expect(plan(desiredFromObserved(observed, { stack: desired.stack }), observed).actions).toEqual([]);
  return doc;
}

/** The drift codes on `address` and the plan's actions for it after an out-of-band change. */
async function afterTampering(t: SimulatedTenant, desired: CanonicalDesiredState, address: string) {
  const observed = await observe(t);
  const doc = await planAgainst(t, desired);
  const items = detectDrift(desired, observed).items.filter((i) => i.mailbox === address);
  return { items, doc };
}

describe("mailbox settings (hiddenFromAddressLists, emailAddresses, messageCopyFor*)", () => {
  const desired = contosoWith({
    [support]: { hiddenFromAddressLists: true, emailAddresses: ["help@contoso.com", "hilfe@contoso.com"], messageCopyForSentAs: true, messageCopyForSendOnBehalf: true },
  });

  it("sets them in one mailbox.update, applies it as one Set-Mailbox adding the extra addresses, and converges", () =>
    withTenant(async (t) => {
      const doc = await converge(t, desired);
      const update = doc.actions.find((a) => a.type === "mailbox.update" && a.target === support)!;
      expect(update.params.changes).toMatchObject({
        hiddenFromAddressLists: { from: false, to: true },
        emailAddresses: { from: [], to: ["help@contoso.com", "hilfe@contoso.com"] },
        messageCopyForSentAs: { from: false, to: true },
        messageCopyForSendOnBehalf: { from: false, to: true },
      });
      expect(update.description).toContain("extra addresses +help@contoso.com, +hilfe@contoso.com");
      const write = committedWrites(t.readLog()).find((e) => e.operation === "updateMailbox" && e.target === support)!;
      expect(write.args).toMatchObject({ emailAddresses: { add: ["help@contoso.com", "hilfe@contoso.com"], remove: [] } });
    }));

  it("reports an address removed and the mailbox shown again outside exoform, and plans to add back only that address", () =>
    withTenant(async (t) => {
      await converge(t, desired);
      await t.updateMailbox(support, { hiddenFromAddressLists: false, emailAddresses: { add: ["extra@contoso.com"], remove: ["hilfe@contoso.com"] } });
      const { items, doc } = await afterTampering(t, desired, support);
      expect(items.map((i) => [i.code, i.severity, i.field])).toEqual([
        ["email_addresses_changed", "medium", "emailAddresses"],
        ["address_list_visibility_changed", "low", "hiddenFromAddressLists"],
      ]);
      const update = doc.actions.find((a) => a.type === "mailbox.update" && a.target === support)!;
      expect(update.params.changes).toEqual({
        hiddenFromAddressLists: { from: false, to: true },
        emailAddresses: { from: ["extra@contoso.com", "help@contoso.com"], to: ["help@contoso.com", "hilfe@contoso.com"] },
      });
      await converge(t, desired);
      const write = committedWrites(t.readLog()).filter((e) => e.operation === "updateMailbox" && e.target === support).at(-1)!;
      expect(write.args).toMatchObject({ emailAddresses: { add: ["hilfe@contoso.com"], remove: ["extra@contoso.com"] } });
    }));
});

describe("several licences", () => {
  it("assigns Exchange Online Plan 1 before the archiving add-on it depends on, then turns the archive on, and converges", () =>
    withTenant(async (t) => {
      const desired = contosoWith({ [support]: { licenses: ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"], archive: true } });
      const doc = await converge(t, desired);
      const ids = doc.actions.map((a) => a.id);
      const plan1 = `${support}:user.assignLicense:EXCHANGESTANDARD`;
      const addon = `${support}:user.assignLicense:EXCHANGEARCHIVE_ADDON`;
      expect(doc.actions.find((a) => a.id === addon)!.dependsOn).toContain(plan1);
      expect(ids.indexOf(plan1)).toBeLessThan(ids.indexOf(addon));
      expect(doc.actions.find((a) => a.type === "mailbox.update" && a.target === support)!.dependsOn).toEqual(expect.arrayContaining([plan1, addon]));
      expect((await t.getUser(support))!.licenses).toEqual(["EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"]);
    }));

  it("reports a removed add-on and plans to assign it again", () =>
    withTenant(async (t) => {
      const desired = contosoWith({ [info]: { licenses: ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"] } });
      await converge(t, desired);
      await t.assignLicense(info, { add: [], remove: ["EXCHANGEARCHIVE_ADDON"] });
      const { items, doc } = await afterTampering(t, desired, info);
      expect(items.map((i) => [i.code, i.expected, i.actual])).toEqual([["license_removed", ["EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"], ["EXCHANGESTANDARD"]]]);
      expect(doc.actions.map((a) => a.id)).toEqual([`${info}:user.assignLicense:EXCHANGEARCHIVE_ADDON`]);
      await converge(t, desired);
    }));

  it("refuses Plan 1 with the add-on for a mailbox over Plan 1's 50 GB, as the service would (R1.5)", () =>
    withTenant(async (t) => {
      const doc = await planAgainst(t, contosoWith({ "legal@contoso.com": { licenses: ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"] } }));
      expect(doc.actions).toEqual([]);
      expect(doc.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.target])).toEqual([["license_insufficient", "legal@contoso.com"]]);
      expect(doc.diagnostics.find((d) => d.code === "license_insufficient")!.message).toContain('declares licenses "EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"');
    }));
});

describe("sign-in exceptions", () => {
  const reason = "the scanner on floor 2 sends as this mailbox";
  const desired = contosoWith({ [support]: { signIn: { allowed: true, reason } } });

  it("leaves the declared account enabled, notes the exception with its reason, and converges", () =>
    withTenant(async (t) => {
      const doc = await converge(t, desired);
      expect(doc.actions.filter((a) => a.target === support && a.type.startsWith("user.") && a.type.endsWith("SignIn"))).toEqual([]);
      expect(doc.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", code: "sign_in_exception", target: support, message: expect.stringContaining(reason) }));
      expect((await t.getUser(support))!.accountEnabled).toBe(true);
    }));

  it("reports the account found blocked as signin_blocked and allows it again with its own reason, never as a security heal", () =>
    withTenant(async (t) => {
      await converge(t, desired);
      await t.setAccountEnabled(support, false);
      const { items, doc } = await afterTampering(t, desired, support);
      expect(items.map((i) => [i.code, i.field, i.expected, i.actual])).toEqual([["signin_blocked", "accountEnabled", true, false]]);
      expect(items[0]!.message).toContain(reason);
      expect(doc.actions.map((a) => [a.type, a.reason])).toEqual([["user.allowSignIn", "sign_in_exception_declared"]]);
      expect(doc.actions.map(classOf)).not.toContain("security");
      await converge(t, desired);
    }));
});

describe("a leaver's sessions", () => {
  it("are revoked right after the converted mailbox's account is blocked, once, and the tenant shows it", () =>
    withTenant(async (t) => {
      const desired = contosoWith({});
      const doc = await converge(t, desired);
      const harry = "harry.wells@contoso.com";
      const revoke = doc.actions.find((a) => a.type === "user.revokeSessions" && a.target === harry)!;
      expect(revoke.dependsOn).toEqual([`${harry}:user.blockSignIn`]);
      expect(revoke.reason).toBe("sessions_revoked_after_conversion");
      expect(revoke.description).toContain("does not sign out devices and apps already signed in");
      const writes = committedWrites(t.readLog()).filter((e) => e.operation === "revokeSignInSessions" && e.target === revoke.params.userId);
      expect(writes).toHaveLength(1);
      expect((await t.getUser(harry))!.sessionsRevokedAt).toBeTruthy();
    }));

  it("count as revoked for apply only from a revocation at or after the plan's observation", () =>
    withTenant(async (t) => {
      const doc = await planAgainst(t, contosoWith({}));
      const revoke = doc.actions.find((a) => a.type === "user.revokeSessions" && a.target === "harry.wells@contoso.com")!;
      const reader = pointReader(t);
      // never revoked: the tenant shows no time, so the journal decides
      expect(await isDone(reader, revoke)).toBeNull();
      await t.revokeSignInSessions(revoke.params.userId!);
      expect(await isDone(reader, revoke)).toBe(true);
      expect(await isDone(reader, { ...revoke, params: { ...revoke.params, revokedAfter: "2099-01-01T00:00:00.000Z" } })).toBe(false);
    }));
});

describe("renames (previousAddresses)", () => {
  const helpdesk = "helpdesk@contoso.com";
  const renamed = () => {
    const doc = JSON.parse(readFileSync(join(REPO, "examples/contoso/desired-state.json"), "utf8")) as { sharedMailboxes: SharedMailboxSpec[] };
    doc.sharedMailboxes = doc.sharedMailboxes.map((m) => (m.address === support ? { ...m, address: helpdesk, previousAddresses: [support] } : m));
    return desiredFrom(doc, "contoso with support renamed");
  };

  it("renames the mailbox and its account in place, never a delete and a create, and converges with the old address kept", () =>
    withTenant(async (t) => {
      await converge(t, contosoWith({}));
      const grantsBefore = (await t.getGrants(support)).map((g) => `${g.right} ${g.trustee}`);
      const doc = await converge(t, renamed());
      expect(doc.actions.map((a) => [a.type, a.target, a.params.from])).toEqual([
        ["mailbox.rename", helpdesk, support],
        ["user.rename", helpdesk, support],
      ]);
      expect(doc.actions[0]!.description).toContain(`${support} stays on it as an extra address`);
      const live = (await t.getMailbox(helpdesk))!;
      expect(live.emailAddresses).toEqual([support]);
      expect((await t.getGrants(helpdesk)).map((g) => `${g.right} ${g.trustee}`)).toEqual(grantsBefore);
      expect(await t.getMailbox(support)).toBeNull();
      expect((await t.getUser(helpdesk))!.id).toBe(live.userId);
    }));

  it("reports the old address removed outside exoform and plans to add it back", () =>
    withTenant(async (t) => {
      await converge(t, contosoWith({}));
      await converge(t, renamed());
      await t.updateMailbox(helpdesk, { emailAddresses: { add: [], remove: [support] } });
      const { items, doc } = await afterTampering(t, renamed(), helpdesk);
      expect(items.map((i) => [i.code, i.expected, i.actual])).toEqual([["email_addresses_changed", [support], []]]);
      expect(doc.actions.map((a) => [a.type, a.params.changes])).toEqual([["mailbox.update", { emailAddresses: { from: [], to: [support] } }]]);
      await converge(t, renamed());
    }));

  it("is pending for drift until applied, and the mailbox at the old address is not reported as undeclared", () =>
    withTenant(async (t) => {
      await converge(t, contosoWith({}));
      const report = detectDrift(renamed(), await observe(t));
      expect(report.items).toEqual([]);
      expect(report.pendingItems).toEqual([expect.objectContaining({ mailbox: helpdesk, reason: "not_renamed" })]);
    }));
});

describe("group trustees (mail-enabled security groups)", () => {
  const helpdesk = "helpdesk@contoso.com";
  /** Contoso with a Helpdesk group of two people. */
  async function withGroup(fn: (t: SimulatedTenant) => Promise<void>): Promise<void> {
    const dir = tempDir("groups");
    const fixture = { ...loadFixture("contoso"), groups: [{ id: "g-helpdesk", address: "Helpdesk@contoso.com", displayName: "Helpdesk", members: ["u-0001", "u-0002"] }] };
    const t = createTenant(dir, fixture);
    try {
      await fn(t);
    } finally {
      t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const desired = contosoWith({ [support]: { fullAccess: [{ trustee: "ann.lee@contoso.com" }, { trustee: "ben.ortiz@contoso.com" }, { trustee: helpdesk, autoMapping: false }], sendAs: ["ann.lee@contoso.com", "ben.ortiz@contoso.com", helpdesk] } });

  it("grants FullAccess and SendAs to a group by its address, names the group in the plan, and converges", () =>
    withGroup(async (t) => {
      const doc = await converge(t, desired);
      const grants = doc.actions.filter((a) => a.type === "permission.grant" && a.params.trustee === helpdesk);
      expect(grants.map((a) => a.params.right).sort()).toEqual(["FullAccess", "SendAs"]);
      expect(grants.every((a) => a.description.includes("group Helpdesk (helpdesk@contoso.com)"))).toBe(true);
      expect(doc.diagnostics.filter((d) => d.code === "group_automapping")).toEqual([]);
    }));

  it("warns that automapping does not work through a group, and still plans the grant", () =>
    withGroup(async (t) => {
      const automapped = contosoWith({ [support]: { fullAccess: [{ trustee: "ann.lee@contoso.com" }, { trustee: "ben.ortiz@contoso.com" }, { trustee: helpdesk }] } });
      const doc = await planAgainst(t, automapped);
      expect(doc.diagnostics.filter((d) => d.code === "group_automapping").map((d) => [d.severity, d.target])).toEqual([["warning", support]]);
      expect(doc.actions.some((a) => a.type === "permission.grant" && a.params.trustee === helpdesk)).toBe(true);
    }));

  it("reports a group grant removed out of band as drift, and plans it back", () =>
    withGroup(async (t) => {
      await converge(t, desired);
      t.adminRemoveGrant(support, "SendAs", helpdesk);
      const { items, doc } = await afterTampering(t, desired, support);
      expect(items.map((i) => i.code)).toEqual(["grant_removed"]);
      expect(doc.actions.map((a) => a.id)).toEqual([`${support}:permission.grant:SendAs:${helpdesk}`]);
    }));

  it("refuses a trustee that is neither a user nor a group, naming both", () =>
    withGroup(async (t) => {
      const doc = await planAgainst(t, contosoWith({ [support]: { sendAs: ["nobody-group@contoso.com"] } }));
      expect(doc.diagnostics.find((d) => d.code === "trustee_not_found")?.message).toContain("neither a user nor a mail-enabled security group");
    }));
});
