/**
 * Consistency of drift with export: a tenant described by its own export has
 * no drift, and any single out-of-band change to a grant, sign-in, mailbox
 * type or license is reported on the mailbox it touched.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectDrift } from "../../lib/drift/detect.js";
import { desiredFromObserved } from "../../lib/export/from-observed.js";
import { GB, PLAN2_QUOTA, UNLICENSED_SHARED_QUOTA } from "../../lib/model/licensing.js";
import type { ObservedGrant, ObservedMailbox, ObservedState, ObservedUser, Right } from "../../lib/provider/observed.js";
import { appliedContoso, sortObserved } from "./builders.js";

const PEOPLE = ["ann@contoso.com", "ben@contoso.com", "carla@contoso.com", "dev@contoso.com", "erin@contoso.com"];
/** A live user who never holds a grant in generated states: the out-of-band grantee. */
const OUTSIDER = "mallory@contoso.com";
const RIGHTS: readonly Right[] = ["FullAccess", "SendAs", "SendOnBehalf"];

const mailboxArb = fc.record({
  displayName: fc.string({ minLength: 1, maxLength: 16 }),
  litigationHold: fc.boolean(),
  archive: fc.boolean(),
  sizeGb: fc.integer({ min: 0, max: 90 }),
  smallLicense: fc.constantFrom("none", "EXCHANGESTANDARD", "SPE_E3"),
  tagged: fc.boolean(),
  fullAccess: fc.subarray(PEOPLE),
  autoMapping: fc.array(fc.boolean(), { minLength: PEOPLE.length, maxLength: PEOPLE.length }),
  sendAs: fc.subarray(PEOPLE),
  sendOnBehalf: fc.subarray(PEOPLE),
});

/** A converged tenant: shared anchors blocked, each licensed as its size, hold and archive need (R1.4-R1.6). */
const tenantArb = fc.array(mailboxArb, { minLength: 1, maxLength: 6 }).map((specs): ObservedState => {
  const base = appliedContoso();
  const users: ObservedUser[] = [...PEOPLE, OUTSIDER].map((upn, i) => ({
    id: `p-${i}`,
    userPrincipalName: upn,
    displayName: upn,
    accountEnabled: true,
    usageLocation: "US",
    licenses: ["SPE_E3"],
    onPremisesSyncEnabled: false,
    deletedAt: null,
  }));
  const mailboxes: ObservedMailbox[] = [];
  const grants: ObservedGrant[] = [];
  specs.forEach((s, i) => {
    const address = `shared-${i}@contoso.com`;
    const needsPlan2 = s.litigationHold || s.archive || s.sizeGb > 50;
    const license = needsPlan2 ? "EXCHANGEENTERPRISE" : s.smallLicense;
    users.push({ id: `a-${i}`, userPrincipalName: address, displayName: s.displayName, accountEnabled: false, usageLocation: "US", licenses: license === "none" ? [] : [license], onPremisesSyncEnabled: false, deletedAt: null });
    mailboxes.push({
      address,
      displayName: s.displayName,
      alias: `shared-${i}`,
      type: "shared",
      userId: `a-${i}`,
      sizeBytes: s.sizeGb * GB,
      quotaBytes: needsPlan2 || license === "SPE_E3" ? PLAN2_QUOTA : UNLICENSED_SHARED_QUOTA,
      litigationHold: s.litigationHold,
      archive: s.archive,
      readyAt: null,
      deletedAt: null,
      managementTag: s.tagged ? "exoform:stack=contoso;removal=delete" : null,
    });
    s.fullAccess.forEach((t) => grants.push({ mailbox: address, right: "FullAccess", trustee: t, autoMapping: s.autoMapping[PEOPLE.indexOf(t)] ?? true }));
    s.sendAs.forEach((t) => grants.push({ mailbox: address, right: "SendAs", trustee: t }));
    s.sendOnBehalf.forEach((t) => grants.push({ mailbox: address, right: "SendOnBehalf", trustee: t }));
  });
  // noise drift must not read: a person's mailbox and a soft-deleted shared one, both undeclared
  users.push({ ...users[0]!, id: "gone", userPrincipalName: "gone@contoso.com", deletedAt: "2026-10-30T09:00:00.000Z", accountEnabled: false, licenses: [] });
  mailboxes.push({ ...mailboxes[0]!, address: "gone@contoso.com", userId: "gone", deletedAt: "2026-10-30T09:00:00.000Z" });
  mailboxes.push({ ...mailboxes[0]!, address: PEOPLE[0]!, userId: "p-0", type: "user", managementTag: null });
  return sortObserved({ ...base, users, mailboxes, grants });
});

type Mutation = { kind: "addGrant"; right: Right } | { kind: "removeGrant" } | { kind: "signIn" } | { kind: "type" } | { kind: "license" };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...RIGHTS).map((right): Mutation => ({ kind: "addGrant", right })),
  fc.constant<Mutation>({ kind: "removeGrant" }),
  fc.constant<Mutation>({ kind: "signIn" }),
  fc.constant<Mutation>({ kind: "type" }),
  fc.constant<Mutation>({ kind: "license" }),
);

/** Apply one out-of-band change to `target`, as an admin would. */
function mutate(o: ObservedState, target: ObservedMailbox, m: Mutation): ObservedState {
  const editAnchor = (patch: (u: ObservedUser) => Partial<ObservedUser>) => ({ ...o, users: o.users.map((u) => (u.id === target.userId ? { ...u, ...patch(u) } : u)) });
  switch (m.kind) {
    case "addGrant":
      return sortObserved({ ...o, grants: [...o.grants, { mailbox: target.address, right: m.right, trustee: OUTSIDER, ...(m.right === "FullAccess" ? { autoMapping: true } : {}) }] });
    case "removeGrant": {
      const index = o.grants.findIndex((g) => g.mailbox === target.address);
      if (index < 0) return mutate(o, target, { kind: "addGrant", right: "SendAs" });
      return { ...o, grants: o.grants.filter((_, i) => i !== index) };
    }
    case "signIn":
      return editAnchor(() => ({ accountEnabled: true }));
    case "type":
      return { ...o, mailboxes: o.mailboxes.map((x) => (x.address === target.address ? { ...x, type: "user" as const } : x)) };
    case "license":
      return editAnchor((u) => ({ licenses: u.licenses.length > 0 ? [] : ["EXCHANGESTANDARD"] }));
  }
}

describe("drift and export agree", () => {
  it("a converged tenant described by its own export has no drift", () => {
    fc.assert(
      fc.property(tenantArb, (observed) => {
        const report = detectDrift(desiredFromObserved(observed, { stack: "contoso" }), observed);
        expect(report.items).toEqual([]);
        expect(report.drifted).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it("any single out-of-band change to a grant, sign-in, type or license is reported on that mailbox", () => {
    fc.assert(
      fc.property(tenantArb, fc.nat(), mutationArb, (observed, pick, mutation) => {
        const desired = desiredFromObserved(observed, { stack: "contoso" });
        const declared = observed.mailboxes.filter((m) => m.type === "shared" && m.deletedAt === null);
        const target = declared[pick % declared.length]!;
        const report = detectDrift(desired, mutate(observed, target, mutation));
        expect(report.items.some((i) => i.mailbox === target.address)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
