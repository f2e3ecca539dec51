/**
 * The alias and display-name rules (R5.1) are stated once, in
 * lib/model/service-rules.ts: `exoform validate` (and so plan) refuses what
 * the simulated tenant would refuse at apply time, every problem at once,
 * each naming the mailbox, the rule and the fix. The schema's copy of the
 * alias pattern is kept equal to the shared one here.
 */
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import schema from "../../schema/desired-state.schema.json" with { type: "json" };
import { ALIAS_PATTERN, derivedAlias, isValidAlias, isValidDisplayName, MAX_ALIAS_LENGTH, MAX_DISPLAY_NAME_LENGTH, suggestAlias } from "../../lib/model/service-rules.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { ProviderError } from "../../lib/provider/errors.js";
import { loadFixture, SimulatedTenant } from "../../providers/simulated/index.js";

type Doc = Record<string, any>;

function doc(shared: Doc[]): Doc {
  return { formatVersion: 1, stack: "contoso", tenant: { id: "contoso", domains: ["contoso.com"] }, sharedMailboxes: shared, userMailboxes: [] };
}

/** Local parts whose derived alias R5.1 refuses, though the address itself passes the schema. */
const AWKWARD_LOCAL_PARTS: ReadonlyArray<[string, string]> = [
  ["a Cyrillic letter", "\u0430nna"],
  ["a zero-width space", "an\u200bna"],
  ["angle brackets", "<anna>"],
  ["quotes", '"anna"'],
  ["an ESC character", "an\u001bna"],
  ["a leading period", ".anna"],
  ["65 characters", "a".repeat(65)],
];

describe("validate refuses the aliases and display names the tenant refuses (R5.1)", () => {
  it.each(AWKWARD_LOCAL_PARTS)("an address whose derived alias has %s, and no alias declared", (_what, local) => {
    const address = `${local}@contoso.com`;
    const result = validateDesiredState(doc([{ address, displayName: "Anna" }]), "d.json");
    expect(result.state).toBeUndefined();
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.code)).toEqual(["alias_derived_invalid"]);
    const [d] = errors;
    expect(d!.target).toBe(address.toLowerCase());
    expect(d!.location).toBe("d.json#/sharedMailboxes/0/address");
    expect(d!.message).toContain("R5.1");
    expect(d!.message).toMatch(/declare an alias/);
  });

  it("accepts the same address with a valid alias declared, and does not judge the address of a converted mailbox", () => {
    const ok = validateDesiredState(
      doc([
        { address: "\u0430nna@contoso.com", displayName: "Anna", alias: "anna" },
        { address: "b\u200bob@contoso.com", displayName: "Bob", origin: "convert" },
      ]),
      "d.json",
    );
    expect(ok.diagnostics).toEqual([]);
    expect(ok.state).toBeDefined();
  });

  it.each([
    ["spaces", "   "],
    ["a tab and a newline", "\t\n"],
    ["no-break spaces", "\u00a0\u00a0"],
  ])("a display name of only %s", (_what, displayName) => {
    const result = validateDesiredState(doc([{ address: "team@contoso.com", displayName }]), "d.json");
    expect(result.diagnostics.map((d) => `${d.code} ${d.target} ${d.location}`)).toEqual(["display_name_blank team@contoso.com d.json#/sharedMailboxes/0/displayName"]);
    expect(result.diagnostics[0]!.message).toMatch(/R5\.1.*give the mailbox a name/);
  });

  it("a display name of 256 characters that is 512 UTF-16 code units is too long for the service", () => {
    const result = validateDesiredState(doc([{ address: "team@contoso.com", displayName: "\u{1F4E7}".repeat(256) }]), "d.json");
    expect(result.diagnostics.map((d) => d.code)).toEqual(["display_name_too_long"]);
  });

  it("reports every problem of every mailbox at once", () => {
    const result = validateDesiredState(
      doc([
        { address: "\u0430nna@contoso.com", displayName: " " },
        { address: "x<y>@contoso.com", displayName: "X" },
        { address: "ok@contoso.com", displayName: "" },
      ]),
      "d.json",
    );
    expect(result.diagnostics.map((d) => `${d.code} ${d.target}`).sort()).toEqual([
      "alias_derived_invalid x<y>@contoso.com",
      "alias_derived_invalid \u0430nna@contoso.com",
      "display_name_blank \u0430nna@contoso.com",
      "schema_minLength ok@contoso.com",
    ].sort());
  });
});

describe("the rules are stated once", () => {
  it("the schema's alias pattern and length are the shared ones", () => {
    expect(schema.definitions.Alias.pattern).toBe(ALIAS_PATTERN.source);
    expect(schema.definitions.Alias.maxLength).toBe(MAX_ALIAS_LENGTH);
    expect(schema.definitions.SharedMailboxSpec.properties.displayName.maxLength).toBe(MAX_DISPLAY_NAME_LENGTH);
  });

  it("a suggested alias is always valid, or empty", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
      const a = suggestAlias(s);
      expect(a === "" || isValidAlias(a)).toBe(true);
    }));
    expect(suggestAlias("<anna.lee>")).toBe("anna.lee");
    expect(derivedAlias("anna@contoso.com")).toBe("anna");
  });

  const dir = mkdtempSync(join(tmpdir(), "exoform-rules-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the simulated tenant accepts exactly the aliases and display names validation accepts", async () => {
    const tenant = SimulatedTenant.create(join(dir, "tenant.db"), loadFixture("empty"));
    try {
      const accepted = async (fn: () => Promise<unknown>): Promise<boolean> => {
        try {
          await fn();
          return true;
        } catch (e) {
          if (ProviderError.is(e) && e.kind === "precondition") return false;
          throw e;
        }
      };
      const chars = fc.constantFrom("a", "Z", "0", ".", "-", "_", "~", "!", " ", "\u0430", "\u200b", "<", ">", '"', "'", "\u001b", "\u00e9", "\t", "\u{1F4E7}", "\u00a0");
      const text = fc.array(chars, { maxLength: 70 }).map((c) => c.join(""));
      const long = fc.integer({ min: 60, max: 300 }).map((n) => "x".repeat(n));
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(text, long), fc.oneof(text, long), async (alias, displayName) => {
          const address = `m${n++}@example.com`;
          const created = await accepted(() => tenant.createSharedMailbox({ address, displayName, alias }));
          expect(created).toBe(isValidAlias(alias) && isValidDisplayName(displayName));
        }),
        { numRuns: 300 },
      );
    } finally {
      tenant.close();
    }
  });
});
