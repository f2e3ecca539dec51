/**
 * Grants a mailbox at a time (lib/provider/packed-grants.ts): the JSON text
 * of one mailbox's grants, read back into grant objects, and compared with
 * declared lists in place. The comparison may say "exactly these" only of a
 * text that decodes to exactly those grants, whatever the trustees hold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ObservedGrant, ObservedState } from "../../lib/provider/observed.js";
import { GrantTexts, grantsByMailboxOf, observedWithGrantTexts, textHoldsExactly, type GrantsByMailbox } from "../../lib/provider/packed-grants.js";
import { compareStrings } from "../../lib/private/canonical-json.js";

type Cell = [right: string, trustee: string, autoMapping: number | null];

interface Declared {
  readonly fullAccess: Array<{ trustee: string; autoMapping: boolean }>;
  readonly sendAs: string[];
  readonly sendOnBehalf: string[];
}

/** The cells a provider would write for `d`, in (right, trustee) order. */
function cellsOf(d: Declared): Cell[] {
  return [
    ...d.fullAccess.map((g): Cell => ["FullAccess", g.trustee, g.autoMapping ? 1 : 0]),
    ...d.sendAs.map((t): Cell => ["SendAs", t, null]),
    ...d.sendOnBehalf.map((t): Cell => ["SendOnBehalf", t, null]),
  ];
}

const sortedUnique = (list: string[]) => [...new Set(list)].sort(compareStrings);

/** Trustees from a small alphabet that includes what JSON escapes, so texts collide with raw insertions if they can. */
const trusteeArb = fc.string({ unit: fc.constantFrom("a", "b", "@", ".", '"', "\\", ",", "[", "]", "n", "u", "l"), minLength: 1, maxLength: 6 });
const declaredArb: fc.Arbitrary<Declared> = fc.record({
  fullAccess: fc.uniqueArray(fc.record({ trustee: trusteeArb, autoMapping: fc.boolean() }), { selector: (g) => g.trustee, maxLength: 3 }).map((l) => [...l].sort((x, y) => compareStrings(x.trustee, y.trustee))),
  sendAs: fc.array(trusteeArb, { maxLength: 3 }).map(sortedUnique),
  sendOnBehalf: fc.array(trusteeArb, { maxLength: 3 }).map(sortedUnique),
});

describe("textHoldsExactly", () => {
  it("says yes to the text a provider writes for exactly the declared grants, when no trustee needs escaping", () => {
    const d: Declared = { fullAccess: [{ trustee: "ann@contoso.com", autoMapping: true }, { trustee: "ben@contoso.com", autoMapping: false }], sendAs: ["cy@contoso.com"], sendOnBehalf: [] };
    expect(textHoldsExactly(JSON.stringify(cellsOf(d)), d.fullAccess, d.sendAs, d.sendOnBehalf)).toBe(true);
    expect(textHoldsExactly("[]", [], [], [])).toBe(true);
  });

  it("says no to a grant more or less, another autoMapping, or an autoMapping the service could not read", () => {
    const d: Declared = { fullAccess: [{ trustee: "ann@contoso.com", autoMapping: true }], sendAs: ["cy@contoso.com"], sendOnBehalf: [] };
    const no = (text: string) => expect(textHoldsExactly(text, d.fullAccess, d.sendAs, d.sendOnBehalf), text).toBe(false);
    no('[["FullAccess","ann@contoso.com",1]]');
    no('[["FullAccess","ann@contoso.com",1],["SendAs","cy@contoso.com",null],["SendOnBehalf","cy@contoso.com",null]]');
    no('[["FullAccess","ann@contoso.com",0],["SendAs","cy@contoso.com",null]]');
    no('[["FullAccess","ann@contoso.com",null],["SendAs","cy@contoso.com",null]]');
    no('[["SendAs","cy@contoso.com",null],["FullAccess","ann@contoso.com",1]]');
  });

  it("never takes a trustee holding a quote for the cells it would spell out in the text", () => {
    // one declared trustee whose raw characters read as two grants: the text of those two is not this grant
    const sneaky = 'a",null],["SendAs","b@contoso.com';
    expect(textHoldsExactly('[["SendAs","a",null],["SendAs","b@contoso.com",null]]', [], [sneaky], [])).toBe(false);
  });

  it("says yes only of a text that decodes to exactly the declared grants, and to every such text without escapes", () => {
    fc.assert(
      fc.property(declaredArb, declaredArb, fc.boolean(), (declared, other, same) => {
        const text = JSON.stringify(cellsOf(same ? declared : other));
        const yes = textHoldsExactly(text, declared.fullAccess, declared.sendAs, declared.sendOnBehalf);
        if (yes) expect(JSON.parse(text)).toEqual(cellsOf(declared));
        const plain = cellsOf(declared).every(([, t]) => !t.includes('"') && !t.includes("\\"));
        if (same && plain) expect(yes).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("GrantTexts", () => {
  it("reads a mailbox's text into its grants, autoMapping on FullAccess only, one string per trustee across mailboxes", () => {
    const texts = new GrantTexts();
    const a = texts.unpack("a@contoso.com", '[["FullAccess","ann@contoso.com",1],["SendAs","ann@contoso.com",null]]');
    const b = texts.unpack("b@contoso.com", '[["FullAccess","ann@contoso.com",0]]');
    expect(a).toEqual([
      { mailbox: "a@contoso.com", right: "FullAccess", trustee: "ann@contoso.com", autoMapping: true },
      { mailbox: "a@contoso.com", right: "SendAs", trustee: "ann@contoso.com" },
    ]);
    expect(b).toEqual([{ mailbox: "b@contoso.com", right: "FullAccess", trustee: "ann@contoso.com", autoMapping: false }]);
  });

  it("refuses a text that is not [right, trustee, autoMapping] cells, naming the mailbox", () => {
    const texts = new GrantTexts();
    expect(() => texts.unpack("a@contoso.com", '{"FullAccess":1}')).toThrow(/grants of a@contoso\.com/);
    expect(() => texts.unpack("a@contoso.com", '[["ReadPermission","ann@contoso.com",null]]')).toThrow(/grants of a@contoso\.com: \["ReadPermission"/);
    expect(() => texts.unpack("a@contoso.com", '[["toString","ann@contoso.com",null]]')).toThrow(/is not \[right, trustee, autoMapping\]/);
    expect(() => texts.unpack("a@contoso.com", '[["SendAs",7,null]]')).toThrow(/is not \[right, trustee, autoMapping\]/);
  });
});

describe("observedWithGrantTexts", () => {
  const byMailbox: GrantsByMailbox = {
    mailboxes: ["a@contoso.com", "b@contoso.com"],
    texts: ['[["FullAccess","ann@contoso.com",1]]', '[["SendAs","ben@contoso.com",null]]'],
  };
  const fields = { tenant: { id: "contoso", domains: ["contoso.com"], hybrid: false }, observedAt: "2026-11-30T00:00:00.000Z", skus: [], users: [], mailboxes: [] };

  it("is the plain observation once its grants are read: the same list, the same JSON, key for key", () => {
    const grants: ObservedGrant[] = [
      { mailbox: "a@contoso.com", right: "FullAccess", trustee: "ann@contoso.com", autoMapping: true },
      { mailbox: "b@contoso.com", right: "SendAs", trustee: "ben@contoso.com" },
    ];
    const plain: ObservedState = { ...fields, grants, groups: [] };
    const read = observedWithGrantTexts(fields, byMailbox, []);
    expect(read.grants).toEqual(grants);
    expect(read.grants).toBe(read.grants); // made once
    expect(JSON.stringify(read)).toBe(JSON.stringify(plain));
    expect({ ...read }).toEqual(plain);
  });

  it("keeps the texts beside the observation it made, and beside no other", () => {
    const read = observedWithGrantTexts(fields, byMailbox, undefined);
    expect(grantsByMailboxOf(read)).toBe(byMailbox);
    expect(grantsByMailboxOf({ ...read })).toBeUndefined();
    expect("groups" in read).toBe(false);
  });
});
