/**
 * The canonical form is one representation per meaning: the licence
 * shorthand and the list mean the same and canonicalise alike, canonicalising
 * is idempotent through JSON (what synth writes and --desired reads back), and
 * the transitional single licence the planner reads never reaches a document.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SharedMailboxSpec } from "../../lib/model/generated/desired-state.js";
import { canonicalSharedMailbox } from "../../lib/model/normalize.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";

const sku = fc.constantFrom("EXCHANGESTANDARD", "EXCHANGEENTERPRISE", "EXCHANGEARCHIVE_ADDON", "SPE_E3");
const address = fc.constantFrom("help", "Desk", "info.team", "x").map((l) => `${l}@contoso.com`);

const spec = fc.record(
  {
    licenses: fc.array(sku, { maxLength: 3 }),
    signIn: fc.option(fc.record({ allowed: fc.boolean(), reason: fc.string({ minLength: 1, maxLength: 20 }) }), { nil: undefined }),
    hiddenFromAddressLists: fc.boolean(),
    emailAddresses: fc.array(address, { maxLength: 3 }),
    messageCopyForSentAs: fc.boolean(),
    messageCopyForSendOnBehalf: fc.boolean(),
  },
  { requiredKeys: [] },
).map((fields): SharedMailboxSpec => {
  const out: Record<string, unknown> = { address: "Support@contoso.com", displayName: "Support" };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out as unknown as SharedMailboxSpec;
});

describe("canonical shared mailbox", () => {
  it("gives license: X and licenses: [X] the same canonical form, and license none the empty list", () => {
    fc.assert(
      fc.property(sku, (x) => {
        expect(canonicalJson(canonicalSharedMailbox({ address: "a@contoso.com", displayName: "A", license: x }))).toBe(
          canonicalJson(canonicalSharedMailbox({ address: "a@contoso.com", displayName: "A", licenses: [x] })),
        );
      }),
    );
    expect(canonicalSharedMailbox({ address: "a@contoso.com", displayName: "A", license: "none" }).licenses).toEqual([]);
  });

  it("is idempotent through JSON: the canonical form read back canonicalises to the same bytes", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const once = canonicalSharedMailbox(s);
        const twice = canonicalSharedMailbox(JSON.parse(canonicalJson(once)) as SharedMailboxSpec);
        expect(canonicalJson(twice)).toBe(canonicalJson(once));
      }),
    );
  });

  it("keeps the licences sorted and once each, whatever the order declared", () => {
    fc.assert(
      fc.property(fc.array(sku, { maxLength: 4 }), (list) => {
        const { licenses } = canonicalSharedMailbox({ address: "a@contoso.com", displayName: "A", licenses: list });
        expect(licenses).toEqual([...new Set(list)].sort());
      }),
    );
  });

  it("never writes the license shorthand into the canonical document: licenses is the one form", () => {
    fc.assert(
      fc.property(spec, (s) => {
        expect(JSON.parse(canonicalJson(canonicalSharedMailbox(s)))).not.toHaveProperty("license");
      }),
    );
  });
});
