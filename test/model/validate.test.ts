import { describe, expect, it } from "vitest";
import { validateDesiredState } from "../../lib/model/validate.js";
import { canonicalize } from "../../lib/model/normalize.js";
import type { DesiredState } from "../../lib/model/generated/desired-state.js";

type Doc = Record<string, any>;

/** A valid document; each row below breaks one rule of a copy. */
function base(): Doc {
  return {
    formatVersion: 1,
    stack: "contoso",
    tenant: { id: "contoso", domains: ["contoso.com"] },
    sharedMailboxes: [
      { address: "support@contoso.com", displayName: "Support", fullAccess: [{ trustee: "ann.lee@contoso.com" }], sendAs: ["ann.lee@contoso.com"] },
      { address: "info@contoso.com", displayName: "Info" },
    ],
    userMailboxes: [{ address: "kim.nguyen@contoso.com", license: "EXCHANGESTANDARD" }],
  };
}

const support = (d: Doc) => d["sharedMailboxes"][0];

/** [rule, break it, the code expected, the mailbox named ("" = the document), words the message must contain] */
const rows: Array<[string, (d: Doc) => void, string, string, RegExp]> = [
  ["wrong formatVersion", (d) => (d["formatVersion"] = 2), "schema_const", "", /"formatVersion" is 2; it must be 1/],
  ["unknown top-level field", (d) => (d["mailboxes"] = []), "schema_additionalProperties", "", /unknown field "mailboxes"/],
  ["unknown mailbox field", (d) => (support(d).members = ["ann.lee@contoso.com"]), "schema_additionalProperties", "support@contoso.com", /unknown field "members"/],
  ["misspelt mailbox field", (d) => (support(d).licence = "EXCHANGEENTERPRISE"), "schema_additionalProperties", "support@contoso.com", /unknown field "licence"; did you mean "license"\?/],
  ["missing displayName", (d) => delete support(d).displayName, "schema_required", "support@contoso.com", /missing required field "displayName"/],
  ["bad address", (d) => (d["sharedMailboxes"][1].address = "info-at-contoso"), "schema_pattern", "info-at-contoso", /"address" "info-at-contoso" is not valid: expected an address/],
  ["alias of 65 characters", (d) => (support(d).alias = "a".repeat(65)), "schema_maxLength", "support@contoso.com", /"alias" is 65 characters long; at most 64/],
  ["alias with a leading period", (d) => (support(d).alias = ".support"), "schema_pattern", "support@contoso.com", /"alias" ".support" is not valid: .*periods only between/],
  ["bad license", (d) => (support(d).license = "Exchange Plan 2"), "schema_pattern", "support@contoso.com", /"license" "Exchange Plan 2" is not valid/],
  ["bad origin", (d) => (support(d).origin = "migrate"), "schema_enum", "support@contoso.com", /"origin" is "migrate"; it must be one of "new", "convert"/],
  ["wrong type", (d) => (support(d).litigationHold = "yes"), "schema_type", "support@contoso.com", /"litigationHold" is "yes"; it must be boolean/],
  ["no tenant domains", (d) => (d["tenant"].domains = []), "schema_minItems", "", /"tenant.domains" needs at least 1/],
  ["bad stack name", (d) => (d["stack"] = "-contoso"), "schema_pattern", "", /"stack" "-contoso" is not valid: a stack name/],
  ["duplicate address", (d) => (d["sharedMailboxes"][1].address = "SUPPORT@contoso.com"), "duplicate_address", "support@contoso.com", /declared more than once \(also at t\.json#\/sharedMailboxes\/0\)/],
  ["shared and user at once", (d) => (d["userMailboxes"][0].address = "info@contoso.com"), "listed_as_shared_and_user", "info@contoso.com", /both as a shared mailbox and as a user mailbox/],
  ["address outside the tenant", (d) => (d["sharedMailboxes"][1].address = "info@fabrikam.com"), "address_outside_tenant", "info@fabrikam.com", /not in a domain the tenant owns \(contoso\.com\)/],
  ["user mailbox outside the tenant", (d) => (d["userMailboxes"][0].address = "kim@fabrikam.com"), "address_outside_tenant", "kim@fabrikam.com", /add the domain to tenant.domains/],
  ["trustee outside the tenant", (d) => support(d).sendAs.push("bob@gmail.com"), "trustee_outside_tenant", "support@contoso.com", /grants sendAs to "bob@gmail.com", who is not in a domain the tenant owns/],
  ["trustee twice", (d) => support(d).fullAccess.push({ trustee: "Ann.Lee@contoso.com", autoMapping: false }), "duplicate_trustee", "support@contoso.com", /lists "ann.lee@contoso.com" twice in fullAccess/],
  ["self grant", (d) => (support(d).sendOnBehalf = ["support@contoso.com"]), "self_grant", "support@contoso.com", /grants sendOnBehalf to itself/],
  ["converted mailbox with removalPolicy delete", (d) => Object.assign(support(d), { origin: "convert", removalPolicy: "delete" }), "delete_converted_mailbox", "support@contoso.com", /may not have removalPolicy "delete".*use "retain"/],
  ["litigation hold without a license", (d) => (support(d).litigationHold = true), "litigation_hold_needs_license", "support@contoso.com", /litigation hold but has license "none"/],
  ["archive without a license", (d) => (support(d).archive = true), "archive_needs_license", "support@contoso.com", /archive but license "none"/],
  ["user mailbox license none", (d) => (d["userMailboxes"][0].license = "none"), "schema_pattern", "kim.nguyen@contoso.com", /"license" "none" is not valid: expected a SKU part number/],
];

describe("validateDesiredState", () => {
  it("accepts a valid document and returns its canonical form", () => {
    const result = validateDesiredState(base(), "t.json");
    expect(result.diagnostics).toEqual([]);
    expect(result.state).toEqual(canonicalize(base() as DesiredState));
  });

  it.each(rows)("rejects a document with %s, naming the mailbox and the rule", (_rule, breakIt, code, target, words) => {
    const doc = base();
    breakIt(doc);
    const result = validateDesiredState(doc, "t.json");
    expect(result.state).toBeUndefined();
    const found = result.diagnostics.filter((d) => d.code === code);
    expect(found, JSON.stringify(result.diagnostics, null, 1)).toHaveLength(1);
    const d = found[0]!;
    expect(d.severity).toBe("error");
    expect(d.target).toBe(target);
    expect(d.location).toMatch(/^t\.json#\//);
    expect(d.message).toMatch(words);
    // messages are UI: lowercase start, no trailing period
    expect(d.message).not.toMatch(/\.$/);
    expect(d.message[0]).toBe(d.message[0]!.toLowerCase());
  });

  it("warns, without refusing, that a mailbox on litigation hold with removalPolicy delete cannot be deleted while held", () => {
    const doc = base();
    Object.assign(support(doc), { litigationHold: true, license: "EXCHANGEENTERPRISE", removalPolicy: "delete" });
    const result = validateDesiredState(doc, "t.json");
    expect(result.state).toBeDefined();
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.target])).toEqual([["warning", "delete_with_litigation_hold", "support@contoso.com"]]);
    expect(result.diagnostics[0]!.message).toContain("the service will not delete a mailbox on hold (R2.3)");
  });

  it("reports every fault of a document with several, schema and semantic alike", () => {
    const doc = base();
    for (const [, breakIt] of rows.filter(([rule]) => ["wrong formatVersion", "alias of 65 characters", "trustee outside the tenant", "self grant", "duplicate address", "address outside the tenant"].includes(rule))) {
      breakIt(doc);
    }
    const codes = validateDesiredState(doc, "t.json").diagnostics.map((d) => d.code);
    expect(codes.sort()).toEqual(
      ["schema_const", "schema_maxLength", "trustee_outside_tenant", "self_grant", "address_outside_tenant"].sort(),
    );
  });

  it("reports each rule once per fault, not once per schema branch", () => {
    const doc = base();
    support(doc).sendAs = ["not an address"];
    const diagnostics = validateDesiredState(doc, "t.json").diagnostics;
    expect(diagnostics.map((d) => d.code)).toEqual(["schema_pattern"]);
  });

  it("names the document as a whole when it is not an object", () => {
    const result = validateDesiredState([], "t.json");
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: "schema_type", target: "", location: "t.json#/" })]);
  });
});
