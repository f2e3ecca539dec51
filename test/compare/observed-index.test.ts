/**
 * The observation indexed once (lib/compare/observed-index.ts): the live
 * mailboxes in address order with their grants beside them, for the
 * planner's merge walk, whatever order and case a provider lists them in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grantsOn, indexObserved } from "../../lib/compare/observed-index.js";
import type { ObservedState } from "../../lib/provider/observed.js";
import { GrantTexts, grantsByMailboxOf, observedWithGrantTexts } from "../../lib/provider/packed-grants.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import { appliedContoso } from "../drift/builders.js";
import { tenantArb } from "../plan/generators.js";

/** The same tenant with its lists reversed and its addresses upper-cased: a provider that neither sorts nor lower-cases. */
function scrambled(o: ObservedState): ObservedState {
  return {
    ...o,
    mailboxes: [...o.mailboxes].reverse().map((m) => ({ ...m, address: m.address.toUpperCase() })),
    grants: [...o.grants].reverse().map((g) => ({ ...g, mailbox: g.mailbox.toUpperCase(), trustee: g.trustee.toUpperCase() })),
  };
}

/** The same tenant with its grants read a mailbox at a time, as the simulated tenant reads them. */
function byMailbox(o: ObservedState): ObservedState {
  const mailboxes = [...new Set(o.grants.map((g) => g.mailbox))].sort(compareStrings);
  const texts = mailboxes.map((m) =>
    JSON.stringify(o.grants.filter((g) => g.mailbox === m).map((g) => [g.right, g.trustee, g.autoMapping === undefined ? null : Number(g.autoMapping)])),
  );
  return observedWithGrantTexts(o, { mailboxes, texts }, o.groups);
}

describe("indexObserved", () => {
  it("lists the live mailboxes in address order, each beside exactly its grants in (right, trustee) order, leaving soft-deleted ones out", () => {
    const observed = appliedContoso();
    const ix = indexObserved(observed);
    const live = observed.mailboxes.filter((m) => m.deletedAt === null).map((m) => m.address).sort();
    expect(ix.liveMailboxes.map((m) => m.address)).toEqual(live);
    ix.liveMailboxes.forEach((m, k) => expect(ix.liveGrants[k]!.list).toEqual(observed.grants.filter((g) => g.mailbox === m.address)));
  });

  it("indexes a tenant listed in any order and case exactly as the same tenant listed sorted and lower-cased", () => {
    fc.assert(
      fc.property(tenantArb, ({ observed }) => {
        const sorted = indexObserved(observed);
        const other = indexObserved(scrambled(observed));
        expect(other.liveMailboxes).toEqual(sorted.liveMailboxes);
        expect(other.liveGrants).toEqual(sorted.liveGrants);
        expect([...other.grants].sort()).toEqual([...sorted.grants].sort());
        for (const m of observed.mailboxes) expect(grantsOn(other, m.address)).toEqual(grantsOn(sorted, m.address));
      }),
      { numRuns: 60 },
    );
  });

  it("indexes grants read a mailbox at a time exactly as the same grants read as one list, keeping each mailbox's text to compare as a whole", () => {
    fc.assert(
      fc.property(tenantArb, ({ observed }) => {
        const listed = indexObserved(observed);
        const read = indexObserved(byMailbox(observed));
        expect(read.liveGrants.map((h) => h.list)).toEqual(listed.liveGrants.map((h) => h.list));
        expect(new Map(read.grants)).toEqual(new Map(listed.grants));
        read.liveMailboxes.forEach((m, k) => {
          const text = read.liveGrants[k]!.text;
          if (text !== undefined) expect(new GrantTexts().unpack(m.address, text)).toEqual(read.liveGrants[k]!.list);
          else expect(read.liveGrants[k]!.list).toEqual([]);
        });
      }),
    );
  });

  it("reads the list instead of texts whose mailboxes are not lower-case and ascending, as the contract says they are", () => {
    const observed = appliedContoso();
    const texts = grantsByMailboxOf(byMailbox(observed))!;
    const out = observedWithGrantTexts(observed, { mailboxes: [...texts.mailboxes].reverse(), texts: [...texts.texts].reverse() }, observed.groups);
    const ix = indexObserved(out);
    expect(ix.liveGrants.every((h) => h.text === undefined)).toBe(true);
    expect(ix.liveGrants.map((h) => h.list)).toEqual(indexObserved(observed).liveGrants.map((h) => h.list));
  });

  it("finds the grants of a live mailbox by search and of a soft-deleted one through the map, and none for an unknown address", () => {
    const observed = appliedContoso();
    const ix = indexObserved(observed);
    const address = ix.liveMailboxes[0]!.address;
    expect(grantsOn(ix, address)).toBe(ix.liveGrants[0]!.list);
    const gone = { ...observed.mailboxes.find((m) => m.address === address)!, deletedAt: "2026-01-01T00:00:00.000Z" };
    const deleted = indexObserved({ ...observed, mailboxes: observed.mailboxes.map((m) => (m.address === address ? gone : m)) });
    expect(deleted.liveMailboxes.map((m) => m.address)).not.toContain(address);
    expect(grantsOn(deleted, address)).toEqual(observed.grants.filter((g) => g.mailbox === address));
    expect(grantsOn(ix, "nobody@contoso.com")).toEqual([]);
  });
});
