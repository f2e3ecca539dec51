/**
 * Plan and drift agree, because they read one comparison (lib/compare,
 * docs/decisions/0011): on generated tenants and desired states, drift
 * names a mailbox (a drift item or a pending entry) exactly when the plan
 * has an action for it, and every drift item is closed by the plan action
 * its difference calls for.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectDrift } from "../../lib/drift/detect.js";
import type { DriftCode, DriftItem } from "../../lib/drift/types.js";
import type { PlanAction, PlanDocument } from "../../lib/plan/types.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import type { ObservedState } from "../../lib/provider/observed.js";
import { plannedScenarioArb } from "../plan/generators.js";

/** The mailboxes a plan acts on: its targets, with user actions counted on the mailbox their account anchors. */
function plannedMailboxes(doc: PlanDocument, observed: ObservedState): string[] {
  const byUpn = new Map<string, string>();
  const ids = new Map(observed.users.map((u) => [u.id, u.userPrincipalName]));
  for (const m of observed.mailboxes) {
    const upn = ids.get(m.userId);
    if (upn !== undefined) byUpn.set(upn, m.address);
  }
  // a mailbox renamed by the plan is named by its new address, also for a wait at its old one
  const renamedTo = new Map(doc.actions.filter((a) => a.type === "mailbox.rename").map((a) => [a.params.from, a.target]));
  const mailboxOf = (a: PlanAction) => (a.type.startsWith("user.") ? byUpn.get(a.target) ?? a.target : a.target);
  return [...new Set(doc.actions.map((a) => renamedTo.get(mailboxOf(a)) ?? mailboxOf(a)))].sort();
}

describe("plan and drift agree", () => {
  it("drift reports a mailbox (drifted or pending) exactly when the plan has an action for it", () => {
    let compared = 0;
    fc.assert(
      fc.property(plannedScenarioArb, ({ desired, observed, doc }) => {
        // a plan with errors carries no actions at all: there is nothing to agree with
        if (doc.summary.errors > 0) return;
        compared++;
        const report = detectDrift(desired, observed);
        const reported = [...new Set([...report.items.map((i) => i.mailbox), ...report.pendingItems.map((p) => p.mailbox)])].sort();
        expect(reported).toEqual(plannedMailboxes(doc, observed));
      }),
      { numRuns: 200 },
    );
    expect(compared).toBeGreaterThan(50);
  });
});

/** The plan action that closes each kind of drift, on the item's mailbox (or its account). */
const CLOSED_BY: Partial<Record<DriftCode, (a: PlanAction, i: DriftItem) => boolean>> = {
  signin_enabled: (a) => a.type === "user.blockSignIn",
  signin_blocked: (a) => a.type === "user.allowSignIn",
  license_removed: (a, i) => a.type === "user.assignLicense" && (i.expected as string[]).includes(a.params.sku ?? ""),
  // removed alone, or replaced in the one call that assigns its successor (R7.2)
  license_unexpected: (a, i) =>
    (a.type === "user.removeLicense" && a.params.temporary !== true) ||
    (a.type === "user.assignLicense" && (a.params.replaces ?? []).some((s) => (i.actual as string[]).includes(s) && !(i.expected as string[]).includes(s))),
  mailbox_reverted_to_user: (a) => a.type === "mailbox.convert" && a.params.to === "shared",
  mailbox_reverted_to_shared: (a) => a.type === "mailbox.convert" && a.params.to === "regular",
  grant_removed: (a, i) => a.type === "permission.grant" && a.params.right === i.right && a.params.trustee === i.trustee,
  grant_added: (a, i) => a.type === "permission.revoke" && a.params.right === i.right && a.params.trustee === i.trustee,
  automapping_changed: (a, i) => a.type === "permission.grant" && a.params.trustee === i.trustee && a.params.autoMapping === i.expected,
};

/** Settings items (lib/compare/settings.ts) are closed by a mailbox.update changing that field to the code's value. */
function closes(a: PlanAction, i: DriftItem): boolean {
  const rule = CLOSED_BY[i.code];
  if (rule !== undefined) return rule(a, i);
  const change = a.type === "mailbox.update" ? a.params.changes?.[i.field] : undefined;
  return change !== undefined && canonicalJson(change.to) === canonicalJson(i.expected) && canonicalJson(change.from) === canonicalJson(i.actual);
}

describe("plan and drift agree on each difference", () => {
  it("every drift item is closed by the plan action its difference calls for", () => {
    fc.assert(
      fc.property(plannedScenarioArb, ({ desired, observed, doc }) => {
        if (doc.summary.errors > 0) return;
        const anchors = new Map(observed.mailboxes.map((m) => [m.address, observed.users.find((u) => u.id === m.userId)?.userPrincipalName]));
        for (const item of detectDrift(desired, observed).items) {
          const on = doc.actions.filter((a) => a.target === item.mailbox || a.target === anchors.get(item.mailbox));
          expect(on.some((a) => closes(a, item)), `${item.code} on ${item.mailbox} (${item.field}${item.trustee ? ` ${item.trustee}` : ""}) has no closing action in:\n${on.map((a) => a.id).join("\n")}`).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
