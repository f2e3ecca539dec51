/**
 * exportDesired against the planner: for every state a tenant can hold a
 * shared mailbox in, the exported document plans to no change, or to exactly
 * the change the export's note announces.
 */
import { describe, expect, it } from "vitest";
import { exportDesired, stackNameFor, type ExportOptions } from "../../lib/export/index.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { plan } from "../../lib/plan/planner.js";
import type { ObservedMailbox, ObservedState } from "../../lib/provider/observed.js";
import { tenant } from "../util/observed-builder.js";

const ann = "ann.lee@contoso.com";
const ben = "ben.ortiz@contoso.com";
const support = "support@contoso.com";
const TAG = "exoform:stack=contoso;removal=delete";

/** Licensed people and the SKUs the cases use. */
const people = () =>
  tenant()
    .sku("EXCHANGESTANDARD", { prepaid: 5 })
    .sku("EXCHANGEENTERPRISE", { prepaid: 5 })
    .sku("EXCHANGEARCHIVE_ADDON", { prepaid: 5 })
    .userMailbox(ann, { licenses: ["EXCHANGESTANDARD"] })
    .userMailbox(ben, { licenses: ["EXCHANGESTANDARD"] });

/** Export, check the document validates, plan it against the same tenant. */
function roundTrip(observed: ObservedState, options: Partial<ExportOptions> = {}) {
  const result = exportDesired(observed, { stack: "contoso", ...options });
  const validation = validateDesiredState(JSON.parse(JSON.stringify(result.desired)), "<export>");
  expect(validation.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const doc = plan(result.desired, observed);
  return {
    result,
    doc,
    addresses: result.desired.sharedMailboxes.map((m) => m.address),
    notes: result.diagnostics.map((d) => `${d.code} ${d.target}`),
    actions: doc.actions.map((a) => `${a.type} ${a.target}`),
    errors: doc.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.target}`),
  };
}

/**
 * Export, and check the document validates. For the fields the planner does
 * not read yet (licenses beyond one, sign-in exceptions, mailbox settings:
 * issue #13 part 2) the round trip stops here.
 */
function exportValid(observed: ObservedState) {
  const result = exportDesired(observed, { stack: "contoso" });
  const validation = validateDesiredState(JSON.parse(JSON.stringify(result.desired)), "<export>");
  expect(validation.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(validation.state).toEqual(result.desired);
  return {
    desired: result.desired,
    notes: result.diagnostics.map((d) => `${d.code} ${d.target}`),
    message: (target: string) => result.diagnostics.find((d) => d.target === target)?.message ?? "",
  };
}

/** `observed` with the mailbox at `address` given `fields` (settings the builder does not set). */
function withMailbox(observed: ObservedState, address: string, fields: Partial<ObservedMailbox>): ObservedState {
  return { ...observed, mailboxes: observed.mailboxes.map((m) => (m.address === address ? { ...m, ...fields } : m)) };
}

describe("export plans to no change", () => {
  it("exports shared mailboxes with every kind of grant, automapping off included, and plans nothing", () => {
    const observed = people()
      .sharedMailbox(support, { displayName: "Contoso Support" })
      .grant(support, "FullAccess", ann)
      .grant(support, "FullAccess", ben, { autoMapping: false })
      .grant(support, "SendAs", ann)
      .grant(support, "SendOnBehalf", ben)
      .build();
    const r = roundTrip(observed);
    expect(r.actions).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.result.desired.sharedMailboxes[0]).toMatchObject({
      fullAccess: [{ trustee: ann, autoMapping: true }, { trustee: ben, autoMapping: false }],
      sendAs: [ann],
      sendOnBehalf: [ben],
      permissionsMode: "authoritative",
    });
  });

  it("keeps a licensed shared mailbox's license, hold and archive so nothing is unlicensed or released", () => {
    const observed = people()
      .sharedMailbox("legal@contoso.com", { licenses: ["EXCHANGEENTERPRISE"], litigationHold: true, archive: true, sizeGB: 62 })
      .sharedMailbox("archive@contoso.com", { licenses: ["EXCHANGESTANDARD"], sizeGB: 10 })
      .build();
    const r = roundTrip(observed);
    expect(r.actions).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.result.desired.sharedMailboxes.map((m) => [m.address, m.licenses, m.litigationHold, m.archive])).toEqual([
      ["archive@contoso.com", ["EXCHANGESTANDARD"], false, false],
      ["legal@contoso.com", ["EXCHANGEENTERPRISE"], true, true],
    ]);
  });

  it("declares removalPolicy delete only for this stack's tag, and leaves other stacks' tags alone", () => {
    const observed = people()
      .sharedMailbox("ours@contoso.com", { managementTag: TAG })
      .sharedMailbox("theirs@contoso.com", { managementTag: "exoform:stack=other;removal=delete" })
      .sharedMailbox("custom@contoso.com", { managementTag: "cost-centre 42" })
      .build();
    const r = roundTrip(observed);
    expect(r.actions).toEqual([]);
    expect(r.result.desired.sharedMailboxes.map((m) => [m.address, m.removalPolicy])).toEqual([
      ["custom@contoso.com", "retain"],
      ["ours@contoso.com", "delete"],
      ["theirs@contoso.com", "retain"],
    ]);
  });

  it("leaves out soft-deleted mailboxes and user mailboxes, which the plan then leaves alone", () => {
    const observed = people()
      .deletedUserMailbox("jack.hale@contoso.com", "2026-10-22T09:00:00Z")
      .userMailbox("ivy.chen@contoso.com")
      .sharedMailbox(support)
      .build();
    const r = roundTrip(observed);
    expect(r.addresses).toEqual([support]);
    expect(r.actions).toEqual([]);
    expect(r.result.desired.userMailboxes).toEqual([]);
  });

  it("writes the alias only when it is not the address's local part", () => {
    const observed = people().sharedMailbox(support, { alias: "helpdesk" }).sharedMailbox("info@contoso.com").build();
    const r = roundTrip(observed);
    expect(r.actions).toEqual([]);
    expect(r.result.desired.sharedMailboxes.map((m) => m.alias)).toEqual([undefined, "helpdesk"]);
  });

  it("keeps grants to people without an Exchange license (the plan warns, it does not refuse)", () => {
    const observed = people().userMailbox("gina.rossi@contoso.com").sharedMailbox(support).grant(support, "FullAccess", "gina.rossi@contoso.com").build();
    const r = roundTrip(observed);
    expect(r.actions).toEqual([]);
    expect(r.doc.diagnostics.map((d) => d.code)).toEqual(["trustee_unlicensed"]);
    expect(r.result.desired.sharedMailboxes[0]!.fullAccess).toEqual([{ trustee: "gina.rossi@contoso.com", autoMapping: true }]);
  });
});

describe("a known planner gap", () => {
  it("plans nothing for an exported mailbox that is still provisioning, not even a wait", () => {
    const observed = people().sharedMailbox(support, { readyAt: "2026-11-01T09:03:30Z" }).build();
    expect(roundTrip(observed).actions).toEqual([]);
  });
});

describe("export reports what it cannot declare as it is", () => {
  it("exports a mailbox whose account can sign in as a sign-in exception to review, and says so", () => {
    const observed = people().sharedMailbox(support, { enabled: true }).grant(support, "SendAs", ann).build();
    const { desired, notes, message } = exportValid(observed);
    expect(desired.sharedMailboxes[0]!.signIn).toEqual({ allowed: true, reason: "found enabled at export; review" });
    expect(notes).toEqual([`export_sign_in_enabled ${support}`]);
    expect(message(support)).toContain("remove signIn and the plan blocks sign-in");
  });

  it("declares no sign-in exception for a mailbox whose account is blocked", () => {
    const { desired } = exportValid(people().sharedMailbox(support, { enabled: false }).build());
    expect(desired.sharedMailboxes[0]!.signIn).toBeUndefined();
  });

  it("leaves out grants to deleted, unknown and out-of-tenant trustees and makes that mailbox additive, so nothing is refused or revoked", () => {
    const observed = people()
      .deletedUserMailbox("jack.hale@contoso.com", "2026-10-22T09:00:00Z")
      .sharedMailbox(support)
      .sharedMailbox("info@contoso.com")
      .grant(support, "FullAccess", ann)
      .grant(support, "FullAccess", "jack.hale@contoso.com")
      .grant(support, "SendAs", "ghost@contoso.com")
      .grant(support, "SendOnBehalf", "partner@fabrikam.com")
      .grant(support, "SendAs", support)
      .grant("info@contoso.com", "SendAs", ben)
      .build();
    const r = roundTrip(observed);
    expect(r.actions).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.notes).toEqual([`export_grants_left_out ${support}`]);
    const message = r.result.diagnostics[0]!.message;
    for (const t of ["jack.hale@contoso.com\" (a deleted user)", "ghost@contoso.com\" (not a user in the tenant)", "partner@fabrikam.com\" (outside the tenant's domains)", `${support}" (the mailbox itself)`]) {
      expect(message).toContain(t);
    }
    const [info, sup] = r.result.desired.sharedMailboxes;
    expect(sup).toMatchObject({ permissionsMode: "additive", fullAccess: [{ trustee: ann, autoMapping: true }], sendAs: [], sendOnBehalf: [] });
    expect(info!.permissionsMode).toBe("authoritative");
  });

  it("exports every licence the account holds, Plan 1 with the archiving add-on included, without a note", () => {
    const observed = people().sharedMailbox("split@contoso.com", { licenses: ["EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"], archive: true, litigationHold: true }).build();
    const { desired, notes } = exportValid(observed);
    expect(desired.sharedMailboxes.map((m) => [m.address, m.licenses, m.archive, m.litigationHold])).toEqual([
      ["split@contoso.com", ["EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"], true, true],
    ]);
    expect(notes).toEqual([]);
  });

  it("leaves out a mailbox whose account holds only the archiving add-on, which no document can declare", () => {
    const { desired, notes, message } = exportValid(people().sharedMailbox("addon@contoso.com", { licenses: ["EXCHANGEARCHIVE_ADDON"] }).build());
    expect(desired.sharedMailboxes).toEqual([]);
    expect(notes).toEqual(["export_mailbox_left_out addon@contoso.com"]);
    expect(message("addon@contoso.com")).toContain("the archiving add-on without Exchange Online Plan 1 or Plan 2");
  });

  it("exports the mailbox settings as they are: address-list visibility, extra addresses, sent-item copies", () => {
    const observed = withMailbox(people().sharedMailbox(support).sharedMailbox("info@contoso.com").build(), support, {
      hiddenFromAddressLists: true,
      emailAddresses: ["helpdesk@contoso.com", "help@contoso.com"],
      messageCopyForSentAs: true,
      messageCopyForSendOnBehalf: true,
    });
    const { desired, notes } = exportValid(observed);
    const [info, sup] = desired.sharedMailboxes;
    expect(sup).toMatchObject({ hiddenFromAddressLists: true, emailAddresses: ["help@contoso.com", "helpdesk@contoso.com"], messageCopyForSentAs: true, messageCopyForSendOnBehalf: true });
    expect(info).toMatchObject({ hiddenFromAddressLists: false, emailAddresses: [], messageCopyForSentAs: false, messageCopyForSendOnBehalf: false });
    expect(notes).toEqual([]);
  });

  it("keeps grants to mail-enabled security groups the tenant has, as it keeps grants to people", () => {
    const built = people().sharedMailbox(support).build();
    const observed: ObservedState = {
      ...built,
      groups: [{ id: "g-help", address: "helpdesk@contoso.com", displayName: "Helpdesk", members: [ann] }],
      grants: [...built.grants, { mailbox: support, right: "SendAs", trustee: "helpdesk@contoso.com" }, { mailbox: support, right: "SendAs", trustee: "nogroup@contoso.com" }],
    };
    const { desired, notes } = exportValid(observed);
    expect(desired.sharedMailboxes[0]).toMatchObject({ sendAs: ["helpdesk@contoso.com"], permissionsMode: "additive" });
    expect(notes).toEqual([`export_grants_left_out ${support}`]);
  });

  it("leaves out extra addresses outside the tenant's domains, with a note naming them", () => {
    const observed = withMailbox(people().sharedMailbox(support).build(), support, { emailAddresses: ["help@contoso.com", "support@fabrikam.com"] });
    const { desired, notes, message } = exportValid(observed);
    expect(desired.sharedMailboxes[0]!.emailAddresses).toEqual(["help@contoso.com"]);
    expect(notes).toEqual([`export_email_addresses_left_out ${support}`]);
    expect(message(support)).toContain("support@fabrikam.com");
  });

  it("leaves out mailboxes the plan would refuse, so the rest of the tenant can be adopted", () => {
    let b = people()
      .sharedMailbox("synced@contoso.com", { enabled: true, synced: true })
      .sharedMailbox("held@contoso.com", { litigationHold: true })
      .sharedMailbox("plan1@contoso.com", { licenses: ["EXCHANGESTANDARD"], archive: true })
      .sharedMailbox("big@contoso.com")
      .sharedMailbox(support);
    for (let i = 0; i < 501; i++) b = b.user(`p${i}@contoso.com`, { licenses: [] }).grant("big@contoso.com", "FullAccess", `p${i}@contoso.com`);
    const r = roundTrip(b.build());
    expect(r.addresses).toEqual([support]);
    expect(r.actions).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.notes).toEqual([
      "export_mailbox_left_out big@contoso.com",
      "export_mailbox_left_out held@contoso.com",
      "export_mailbox_left_out plan1@contoso.com",
      "export_mailbox_left_out synced@contoso.com",
    ]);
    const byTarget = new Map(r.result.diagnostics.map((d) => [d.target, d.message]));
    expect(byTarget.get("big@contoso.com")).toContain("501 FullAccess entries");
    expect(byTarget.get("synced@contoso.com")).toContain("directory-synced");
    expect(byTarget.get("held@contoso.com")).toContain("litigation hold");
    expect(byTarget.get("plan1@contoso.com")).toContain("has an archive");
  });

  it("exports a refused mailbox this stack tagged for deletion anyway, so the plan refuses instead of deleting it", () => {
    const observed = people().sharedMailbox("synced@contoso.com", { enabled: true, synced: true, managementTag: TAG }).build();
    const r = roundTrip(observed);
    expect(r.addresses).toEqual(["synced@contoso.com"]);
    expect(r.notes).toEqual(["export_mailbox_refused synced@contoso.com"]);
    expect(r.errors).toEqual(["hybrid_sign_in synced@contoso.com"]);
    expect(r.doc.actions).toEqual([]);
  });

  it("says when the plan will rewrite this stack's tag into its canonical form", () => {
    const observed = people().sharedMailbox(support, { managementTag: "exoform:removal=delete;stack=contoso" }).build();
    const r = roundTrip(observed);
    expect(r.notes).toEqual([`export_tag_rewritten ${support}`]);
    expect(r.actions).toEqual([`mailbox.update ${support}`]);
  });
});

describe("export --mailbox", () => {
  const observed = people()
    .sharedMailbox(support)
    .sharedMailbox("info@contoso.com")
    .sharedMailbox("events-2025@contoso.com", { managementTag: TAG })
    .deletedUserMailbox("jack.hale@contoso.com", "2026-10-22T09:00:00Z")
    .build();

  it("exports only the named mailboxes, in any case", () => {
    const r = exportDesired(observed, { stack: "other", mailboxes: ["SUPPORT@contoso.com"] });
    expect(r.desired.sharedMailboxes.map((m) => m.address)).toEqual([support]);
    expect(r.diagnostics).toEqual([]);
  });

  it("names every --mailbox that is not a live shared mailbox, and what it is instead", () => {
    const r = exportDesired(observed, { stack: "contoso", mailboxes: ["nobody@contoso.com", ann, "jack.hale@contoso.com", support] });
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.message)).toEqual([
      `--mailbox ${ann} is a person's user mailbox; exoform exports shared mailboxes only (declare a conversion with origin "convert" by hand)`,
      "--mailbox jack.hale@contoso.com is soft-deleted (since 2026-10-22T09:00:00Z); restore it first, or leave it out",
      "--mailbox nobody@contoso.com is not a mailbox in the tenant; check the address",
    ]);
  });

  it("warns that a mailbox this stack tagged for deletion, filtered out, would be deleted by planning the export", () => {
    const r = exportDesired(observed, { stack: "contoso", mailboxes: [support] });
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.target}`)).toEqual(["warning export_tagged_left_out events-2025@contoso.com"]);
    expect(plan(r.desired, observed).actions.map((a) => `${a.type} ${a.target}`)).toEqual(["mailbox.delete events-2025@contoso.com"]);
  });
});

describe("stackNameFor", () => {
  it("turns a tenant id into a valid stack name", () => {
    expect(stackNameFor("contoso")).toBe("contoso");
    expect(stackNameFor("contoso.onmicrosoft.com")).toBe("contoso-onmicrosoft-com");
    expect(stackNameFor("..weird id!")).toBe("weird-id");
    expect(stackNameFor("x".repeat(80))).toBe("x".repeat(64));
    expect(stackNameFor("!!!")).toBe("tenant");
  });
});
