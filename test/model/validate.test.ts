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
  ["a user mailbox declared twice", (d) => d["userMailboxes"].push({ address: "Kim.Nguyen@contoso.com", license: "EXCHANGESTANDARD" }), "duplicate_address", "kim.nguyen@contoso.com", /declared more than once \(also at t\.json#\/userMailboxes\/0\)/],
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
  ["license and licenses together", (d) => Object.assign(support(d), { license: "EXCHANGESTANDARD", licenses: ["EXCHANGESTANDARD"] }), "license_and_licenses", "support@contoso.com", /declares both license and licenses; give every SKU in licenses/],
  ["a licence listed twice", (d) => (support(d).licenses = ["EXCHANGESTANDARD", "EXCHANGESTANDARD"]), "duplicate_license", "support@contoso.com", /lists license EXCHANGESTANDARD twice/],
  ["the archiving add-on alone in licenses", (d) => (support(d).licenses = ["EXCHANGEARCHIVE_ADDON"]), "archive_addon_alone", "support@contoso.com", /the Exchange Online Archiving add-on is not a mailbox licence.*licenses: \["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"\]/],
  ["the archiving add-on alone as license", (d) => (support(d).license = "EXCHANGEARCHIVE_ADDON"), "archive_addon_alone", "support@contoso.com", /is licensed with EXCHANGEARCHIVE_ADDON only/],
  ["a bad SKU in licenses", (d) => (support(d).licenses = ["exchange standard"]), "schema_pattern", "support@contoso.com", /"licenses\[0\]" "exchange standard" is not valid: expected a SKU part number/],
  ["litigation hold with an empty licenses list", (d) => Object.assign(support(d), { licenses: [], litigationHold: true }), "litigation_hold_needs_license", "support@contoso.com", /litigation hold/],
  ["a sign-in exception without a reason", (d) => (support(d).signIn = { allowed: true }), "schema_required", "support@contoso.com", /missing required field "reason"/],
  ["a sign-in exception with an empty reason", (d) => (support(d).signIn = { allowed: true, reason: "" }), "schema_minLength", "support@contoso.com", /"signIn.reason" must not be empty/],
  ["sign-in given as a bare string", (d) => (support(d).signIn = "allowed"), "schema_type", "support@contoso.com", /"signIn" is "allowed"; it must be object/],
  ["the primary address among the extra ones", (d) => (support(d).emailAddresses = ["Support@contoso.com"]), "email_address_is_primary", "support@contoso.com", /lists its primary address in emailAddresses/],
  ["an extra address twice", (d) => (support(d).emailAddresses = ["help@contoso.com", "HELP@contoso.com"]), "duplicate_email_address", "support@contoso.com", /lists "help@contoso.com" twice in emailAddresses/],
  ["an extra address outside the tenant", (d) => (support(d).emailAddresses = ["support@fabrikam.com"]), "email_address_outside_tenant", "support@contoso.com", /"support@fabrikam.com", which is not in a domain the tenant owns \(contoso\.com\)/],
  ["an extra address that is another mailbox's primary", (d) => (support(d).emailAddresses = ["info@contoso.com"]), "email_address_taken", "support@contoso.com", /that is the primary address of another mailbox/],
  ["an extra address two mailboxes list", (d) => { support(d).emailAddresses = ["help@contoso.com"]; d["sharedMailboxes"][1].emailAddresses = ["help@contoso.com"]; }, "email_address_taken", "info@contoso.com", /mailbox "support@contoso.com" lists it too/],
  ["its own address as a previous one", (d) => (support(d).previousAddresses = ["SUPPORT@contoso.com"]), "previous_address_is_current", "support@contoso.com", /lists its own address in previousAddresses/],
  ["a previous address twice", (d) => (support(d).previousAddresses = ["help@contoso.com", "Help@contoso.com"]), "duplicate_previous_address", "support@contoso.com", /lists "help@contoso.com" twice in previousAddresses/],
  ["a previous address that is declared as a mailbox too", (d) => (support(d).previousAddresses = ["info@contoso.com"]), "previous_address_in_use", "support@contoso.com", /one mailbox cannot be both renamed and kept/],
  ["a previous address two mailboxes claim", (d) => { support(d).previousAddresses = ["help@contoso.com"]; d["sharedMailboxes"][1].previousAddresses = ["help@contoso.com"]; }, "previous_address_claimed_twice", "info@contoso.com", /and so does mailbox "support@contoso.com"/],
  ["a misspelt setting", (d) => (support(d).hiddenFromAddressList = true), "schema_additionalProperties", "support@contoso.com", /unknown field "hiddenFromAddressList"; did you mean "hiddenFromAddressLists"\?/],
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

  it("accepts Plan 1 with the archiving add-on for a mailbox on hold with an archive", () => {
    const doc = base();
    Object.assign(support(doc), { licenses: ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"], litigationHold: true, archive: true });
    const result = validateDesiredState(doc, "t.json");
    expect(result.diagnostics).toEqual([]);
    expect(result.state!.sharedMailboxes.find((m) => m.address === "support@contoso.com")!.licenses).toEqual(["EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"]);
  });

  it("accepts the new settings and a sign-in exception, and canonicalises them", () => {
    const doc = base();
    Object.assign(support(doc), {
      signIn: { allowed: true, reason: "the scanner sends as this mailbox" },
      hiddenFromAddressLists: true,
      emailAddresses: ["Helpdesk@contoso.com", "help@contoso.com"],
      messageCopyForSentAs: true,
      messageCopyForSendOnBehalf: true,
    });
    Object.assign(doc["sharedMailboxes"][1], { signIn: { allowed: false } });
    const { state, diagnostics } = validateDesiredState(doc, "t.json");
    expect(diagnostics).toEqual([]);
    const [info, sup] = state!.sharedMailboxes;
    expect(sup).toMatchObject({
      signIn: { allowed: true, reason: "the scanner sends as this mailbox" },
      hiddenFromAddressLists: true,
      emailAddresses: ["help@contoso.com", "helpdesk@contoso.com"],
      messageCopyForSentAs: true,
      messageCopyForSendOnBehalf: true,
    });
    // blocked is the default: one form, no signIn
    expect(info!.signIn).toBeUndefined();
    expect(info).toMatchObject({ hiddenFromAddressLists: false, emailAddresses: [], messageCopyForSentAs: false, messageCopyForSendOnBehalf: false });
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
