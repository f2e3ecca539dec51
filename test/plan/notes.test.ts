/**
 * What the plan says beyond its actions: notes (severity "info") for
 * mailboxes that left the code and are kept and for permissionsMode changes,
 * and the warning when a leaver's mailbox is converted while the code still
 * grants their account access elsewhere.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { desiredFromObserved } from "../../lib/export/from-observed.js";
import { plan } from "../../lib/plan/planner.js";
import type { SharedMailboxSpec } from "../../lib/model/generated/desired-state.js";
import { tenant } from "../util/observed-builder.js";
import { contosoDesired, contosoTenant } from "./contoso.js";
import { scenarioArb } from "./generators.js";
import { desired, planOf, steps, warnings } from "./helpers.js";
import type { PlanDocument } from "../../lib/plan/types.js";

function notes(doc: PlanDocument): Array<{ code: string; target: string; message: string }> {
  return doc.diagnostics.filter((d) => d.severity === "info").map(({ code, target, message }) => ({ code, target, message }));
}

const support: SharedMailboxSpec = { address: "support@contoso.com", displayName: "Support", fullAccess: [{ trustee: "ann@contoso.com" }] };
const world = () =>
  tenant()
    .sku("EXCHANGESTANDARD", { prepaid: 4 })
    .userMailbox("ann@contoso.com", { licenses: ["EXCHANGESTANDARD"] })
    .userMailbox("ben@contoso.com", { licenses: ["EXCHANGESTANDARD"] })
    .sharedMailbox("support@contoso.com", { displayName: "Support" })
    .grant("support@contoso.com", "FullAccess", "ann@contoso.com", { autoMapping: true })
    .grant("support@contoso.com", "SendAs", "ben@contoso.com");

describe("notes: a mailbox that left the code and is kept", () => {
  it("notes a retained mailbox the previous code declared as no longer managed and kept, and plans nothing for it", () => {
    const before = desired([{ ...support, sendAs: ["ben@contoso.com"] }]);
    const doc = planOf(desired([]), world().build(), { previous: before });
    expect(doc.actions).toEqual([]);
    expect(notes(doc)).toEqual([{ code: "left_code_kept", target: "support@contoso.com", message: expect.stringContaining("no longer managed by this stack; kept, as removalPolicy retain") }]);
    expect(doc.summary).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("says why a mailbox declared with removalPolicy delete is kept when its deletion tag is gone", () => {
    const before = desired([{ ...support, removalPolicy: "delete" }]);
    const [note] = notes(planOf(desired([]), world().build(), { previous: before }));
    expect(note!.message).toContain('declared with removalPolicy "delete", but it does not carry this stack\'s deletion tag');
  });

  it("notes nothing without the previous code: a retained mailbox carries no tag, so the tenant cannot say it was ever declared", () => {
    expect(notes(planOf(desired([]), world().build()))).toEqual([]);
  });

  it("notes a mailbox tagged for deletion that is a user mailbox now: exoform never deletes a person's mailbox", () => {
    const observed = world().userMailbox("tagged@contoso.com", { managementTag: "exoform:stack=contoso;removal=delete" }).build();
    const doc = planOf(desired([{ ...support, sendAs: ["ben@contoso.com"] }]), observed);
    expect(steps(doc)).toEqual([]);
    expect(notes(doc)).toEqual([{ code: "left_code_kept", target: "tagged@contoso.com", message: expect.stringContaining("it is a user mailbox now") }]);
  });

  it("leaves the contoso plan's notes to what the tenant shows: events-2025 is deleted, not noted", () => {
    expect(notes(planOf(contosoDesired(), contosoTenant()))).toEqual([]);
  });
});

describe("notes: a permissionsMode change", () => {
  it("shows what additive means: nothing will be revoked, naming the grants the code does not list that are kept", () => {
    const before = desired([support]);
    const doc = planOf(desired([{ ...support, permissionsMode: "additive" }]), world().build(), { previous: before });
    expect(doc.actions).toEqual([]);
    expect(notes(doc)).toEqual([
      { code: "permissions_mode_changed", target: "support@contoso.com", message: expect.stringContaining("now additive: nothing will be revoked; 1 grant the code does not list is kept: ben@contoso.com (SendAs)") },
    ]);
  });

  it("shows what authoritative means: the grants the code does not list are revoked in this plan", () => {
    const before = desired([{ ...support, permissionsMode: "additive" }]);
    const doc = planOf(desired([support]), world().build(), { previous: before });
    expect(steps(doc)).toEqual(["permission.revoke support@contoso.com SendAs ben@contoso.com"]);
    expect(notes(doc)[0]!.message).toContain("now authoritative: grants the code does not list are revoked, 1 in this plan: ben@contoso.com (SendAs)");
  });

  it("notes nothing when the mode did not change", () => {
    expect(notes(planOf(desired([support]), world().build(), { previous: desired([support]) }))).toEqual([]);
  });
});

describe("converting a leaver's mailbox", () => {
  it("warns when the code still grants the leaver's account access to other mailboxes, naming them", () => {
    const observed = world().userMailbox("harry@contoso.com", { licenses: ["EXCHANGESTANDARD"] }).build();
    const doc = planOf(
      desired([
        { ...support, fullAccess: [{ trustee: "ann@contoso.com" }, { trustee: "harry@contoso.com" }], sendAs: ["ben@contoso.com", "harry@contoso.com"] },
        { address: "harry@contoso.com", displayName: "Harry (departed)", origin: "convert" },
      ]),
      observed,
    );
    expect(steps(doc, "harry@contoso.com")).toContain("mailbox.convert harry@contoso.com to shared");
    const leaver = warnings(doc).filter((w) => w.code === "leaver_still_granted");
    expect(leaver).toEqual([{ code: "leaver_still_granted", target: "harry@contoso.com", message: expect.stringContaining("FullAccess on support@contoso.com, SendAs on support@contoso.com") }]);
    expect(leaver[0]!.message).toContain("remove harry@contoso.com from support@contoso.com in the code");
  });

  it("does not warn for a converted mailbox whose account the code grants nothing", () => {
    const observed = world().userMailbox("harry@contoso.com", { licenses: ["EXCHANGESTANDARD"] }).build();
    const doc = planOf(desired([{ ...support, sendAs: ["ben@contoso.com"] }, { address: "harry@contoso.com", displayName: "Harry", origin: "convert" }]), observed);
    expect(warnings(doc).map((w) => w.code)).not.toContain("leaver_still_granted");
  });
});

describe("notes: properties", () => {
  it("change no action: a plan with the previous code has the same actions and errors, and notes every kept mailbox that left it", () => {
    fc.assert(
      fc.property(scenarioArb, ({ t, desired: d }) => {
        const previous = desiredFromObserved(t.observed, { stack: "contoso" });
        const bare = plan(d, t.observed);
        const noted = plan(d, t.observed, { previous });
        expect(noted.actions).toEqual(bare.actions);
        expect(noted.diagnostics.filter((x) => x.severity !== "info")).toEqual(bare.diagnostics.filter((x) => x.severity !== "info"));
        if (bare.summary.errors > 0) return; // a failed plan deletes nothing, so "kept" is not yet decided
        const declared = new Set([...d.sharedMailboxes.flatMap((m) => [m.address, ...m.previousAddresses]), ...d.userMailboxes.map((m) => m.address)]);
        const deleted = new Set(bare.actions.filter((a) => a.type === "mailbox.delete").map((a) => a.target));
        const left = previous.sharedMailboxes.map((m) => m.address).filter((a) => !declared.has(a) && !deleted.has(a));
        const kept = new Set(noted.diagnostics.filter((x) => x.code === "left_code_kept").map((x) => x.target));
        for (const address of left) expect(kept.has(address), address).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
