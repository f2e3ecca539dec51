/**
 * The one comparison plan and drift share (lib/compare, decision 0011): what
 * it calls a difference, and that its vocabulary is the drift schema's.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import schema from "../../schema/drift.schema.json" with { type: "json" };
import { compareGrants } from "../../lib/compare/grants.js";
import { compareSharedMailbox, compareTag } from "../../lib/compare/mailbox.js";
import { indexObserved } from "../../lib/compare/observed-index.js";
import { SETTINGS, compareSettings } from "../../lib/compare/settings.js";
import { DRIFT_CODES, DRIFT_FIELDS } from "../../lib/compare/vocabulary.js";
import { desiredFromObserved } from "../../lib/export/from-observed.js";
import type { CanonicalSharedMailbox } from "../../lib/model/normalize.js";
import { appliedContoso, contosoDesired, editMailbox } from "../drift/builders.js";
import { tenantArb } from "../plan/generators.js";

const support = (): CanonicalSharedMailbox => contosoDesired().sharedMailboxes.find((m) => m.address === "support@contoso.com")!;
const ix = indexObserved(appliedContoso());

describe("the comparison's vocabulary", () => {
  it("is the drift schema's: every code and field it can yield is in schema/drift.schema.json, and nothing else is", () => {
    const item = schema.definitions.DriftItem.properties;
    expect([...item.code.enum].sort()).toEqual([...DRIFT_CODES].sort());
    expect([...item.field.enum].sort()).toEqual([...DRIFT_FIELDS].sort());
    for (const rule of SETTINGS) expect(DRIFT_FIELDS).toContain(rule.field);
  });

  it("gives every setting a drift code in the vocabulary, whichever way it moved", () => {
    for (const rule of SETTINGS) {
      const spec = support();
      const a = rule.created(spec);
      const b = typeof a === "boolean" ? !a : Array.isArray(a) ? [...a, "other@contoso.com"] : `${String(a)}-other`;
      for (const [expected, actual] of [[a, b], [b, a]] as const) expect(DRIFT_CODES).toContain(rule.drift(spec.address, expected, actual).code);
    }
  });
});

describe("compareSharedMailbox", () => {
  it("finds nothing different on a tenant exactly as apply left it", () => {
    const support = ix.mailboxes.get("support@contoso.com")!;
    const cmp = compareSharedMailbox(contosoDesired().sharedMailboxes.find((m) => m.address === support.address)!, support, ix.usersById.get(support.userId)!, ix.grants.get(support.address)!, "contoso");
    expect(cmp.same).toBe(true);
    expect(cmp.settings).toEqual([]);
  });

  it("finds nothing different on any generated tenant against the desired state exported from it", () => {
    fc.assert(
      fc.property(tenantArb, ({ observed }) => {
        const desired = desiredFromObserved(observed, { stack: "contoso" });
        const index = indexObserved(observed);
        for (const spec of desired.sharedMailboxes) {
          const m = index.mailboxes.get(spec.address)!;
          const cmp = compareSharedMailbox(spec, m, index.usersById.get(m.userId)!, index.grants.get(m.address) ?? [], "contoso");
          expect(cmp, spec.address).toMatchObject({ same: true });
        }
      }),
      { numRuns: 100 },
    );
  });

  it("names each setting that moved with the code's value and the tenant's, in table order", () => {
    const moved = editMailbox(appliedContoso(), "support@contoso.com", { displayName: "Help", archive: true });
    const m = indexObserved(moved).mailboxes.get("support@contoso.com")!;
    expect(compareSettings(support(), m).map((d) => [d.rule.field, d.expected, d.actual])).toEqual([
      ["displayName", "Contoso Support", "Help"],
      ["archive", false, true],
    ]);
  });

  it("compares a mailbox this plan creates against what New-Mailbox leaves: only what creation does not set", () => {
    // New-Mailbox takes the display name and alias; a hold is a Set-Mailbox afterwards
    const spec = { ...support(), alias: "helpdesk", litigationHold: true };
    expect(compareSettings(spec, "created").map((d) => [d.rule.field, d.expected, d.actual])).toEqual([["litigationHold", true, false]]);
  });
});

describe("compareGrants", () => {
  const spec = support();

  it("revokes holders the code does not list only when the mailbox is authoritative; additive keeps them", () => {
    const grants = [...ix.grants.get(spec.address)!, { mailbox: spec.address, right: "SendAs" as const, trustee: "gina.rossi@contoso.com" }];
    const authoritative = compareGrants(spec, grants);
    expect(authoritative.rights.find((r) => r.right === "SendAs")!.extra).toEqual(["gina.rossi@contoso.com"]);
    expect(authoritative.same).toBe(false);
    const additive = compareGrants({ ...spec, permissionsMode: "additive" }, grants);
    expect(additive.rights.find((r) => r.right === "SendAs")!.extra).toEqual(["gina.rossi@contoso.com"]);
    expect(additive.same).toBe(true);
  });

  it("never calls an autoMapping the provider cannot read a difference, and a readable other one a re-map", () => {
    const unreadable = ix.grants.get(spec.address)!.map((g) => (g.right === "FullAccess" ? { mailbox: g.mailbox, right: g.right, trustee: g.trustee } : g));
    expect(compareGrants(spec, unreadable).same).toBe(true);
    const flipped = ix.grants.get(spec.address)!.map((g) => (g.trustee === "ann.lee@contoso.com" && g.right === "FullAccess" ? { ...g, autoMapping: false } : g));
    expect(compareGrants(spec, flipped).rights[0]!.remapped).toEqual(["ann.lee@contoso.com"]);
  });
});

describe("compareTag", () => {
  it("writes this stack's tag for removalPolicy delete, clears only this stack's for retain, and leaves another stack's alone", () => {
    expect(compareTag("delete", null, "contoso")).toMatchObject({ want: "exoform:stack=contoso;removal=delete", differs: true });
    expect(compareTag("retain", "exoform:stack=contoso;removal=delete", "contoso")).toMatchObject({ want: null, differs: true });
    expect(compareTag("retain", "exoform:stack=other;removal=delete", "contoso")).toMatchObject({ owner: "other", differs: false });
  });
});

describe("indexObserved", () => {
  it("lower-cases addresses, UPNs and trustees once, so case never makes a difference", () => {
    const o = appliedContoso();
    const upper = indexObserved({
      ...o,
      mailboxes: o.mailboxes.map((m) => ({ ...m, address: m.address.toUpperCase() })),
      users: o.users.map((u) => ({ ...u, userPrincipalName: u.userPrincipalName.toUpperCase() })),
      grants: o.grants.map((g) => ({ ...g, mailbox: g.mailbox.toUpperCase(), trustee: g.trustee.toUpperCase() })),
    });
    expect(upper.mailboxes.has("support@contoso.com")).toBe(true);
    expect(upper.users.has("ann.lee@contoso.com")).toBe(true);
    expect(compareGrants(support(), upper.grants.get("support@contoso.com")!).same).toBe(true);
  });
});
