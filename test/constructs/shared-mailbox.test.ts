/**
 * The issue #13 properties of SharedMailbox: several licences, sign-in
 * exceptions and mailbox settings, from the props through synth and back, and
 * the props a construct does not know.
 */
import { describe, expect, it } from "vitest";
import { ConstructMisuseError, SharedMailbox, TenantStack, Testing, UserMailbox, type SharedMailboxProps } from "../../lib/constructs/index.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { desiredStateFromTerraformJson } from "../../lib/synth/format.js";

const stack = () => Testing.stack("contoso", { tenantId: "contoso", domains: ["contoso.com"] });
const support = { address: "support@contoso.com", displayName: "Support" };

/** The diagnostics of the ConstructMisuseError `fn` throws, as "code: message". */
function misuse(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (!ConstructMisuseError.is(e)) throw e;
    return e.diagnostics.map((d) => `${d.code}: ${d.message}`);
  }
  throw new Error("expected a ConstructMisuseError, nothing was thrown");
}

/** Synthesize `s` and read its document back, validated. */
function synthesized(s: TenantStack) {
  const json = JSON.parse(Testing.synth(s).get(s.stackName)!);
  const { state, diagnostics } = validateDesiredState(desiredStateFromTerraformJson(json, "cdk.tf.json"), "cdk.tf.json");
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return state!;
}

describe("SharedMailbox: issue #13 properties", () => {
  it("synthesizes several licences, a sign-in exception and the mailbox settings, read back canonical", () => {
    const s = stack();
    const settings = {
      litigationHold: true,
      signIn: { allowed: true, reason: "the scanner sends as this mailbox" },
      hiddenFromAddressLists: true,
      messageCopyForSentAs: true,
      messageCopyForSendOnBehalf: true,
    };
    new SharedMailbox(s, "Scanner", { ...support, ...settings, licenses: ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"], emailAddresses: ["Help@contoso.com"] });
    const [m] = synthesized(s).sharedMailboxes;
    // canonical: licences sorted, addresses lower-cased
    expect(m).toMatchObject({ ...settings, licenses: ["EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"], emailAddresses: ["help@contoso.com"] });
  });

  it("synthesizes the same bytes for license: X and licenses: [X]", () => {
    const one = stack();
    new SharedMailbox(one, "S", { ...support, license: "EXCHANGEENTERPRISE" });
    const list = stack();
    new SharedMailbox(list, "S", { ...support, licenses: ["EXCHANGEENTERPRISE"] });
    expect(Testing.synth(one).get("contoso")).toBe(Testing.synth(list).get("contoso"));
  });

  it("rejects license and licenses together, naming the mailbox", () => {
    expect(misuse(() => new SharedMailbox(stack(), "S", { ...support, license: "EXCHANGESTANDARD", licenses: ["EXCHANGESTANDARD"] }))).toEqual([
      expect.stringMatching(/^license_and_licenses: mailbox "support@contoso.com" declares both license and licenses/),
    ]);
  });

  it("rejects the archiving add-on as the only licence", () => {
    expect(misuse(() => new SharedMailbox(stack(), "S", { ...support, licenses: ["EXCHANGEARCHIVE_ADDON"] }))).toEqual([expect.stringMatching(/^archive_addon_alone: /)]);
  });

  it("rejects a sign-in exception without a reason", () => {
    expect(misuse(() => new SharedMailbox(stack(), "S", { ...support, signIn: { allowed: true } }))).toEqual([expect.stringMatching(/^schema_required: missing required field "reason"/)]);
  });

  it("rejects an extra address outside the tenant and one that is another mailbox's primary", () => {
    expect(misuse(() => new SharedMailbox(stack(), "S", { ...support, emailAddresses: ["support@fabrikam.com"] }))).toEqual([expect.stringMatching(/^email_address_outside_tenant: /)]);
    const s = stack();
    new SharedMailbox(s, "Info", { address: "info@contoso.com", displayName: "Info" });
    new SharedMailbox(s, "S", { ...support, emailAddresses: ["info@contoso.com"] });
    expect(s.validateDesiredState().map((d) => d.code)).toEqual(["email_address_taken"]);
  });
});

describe("constructs reject properties they do not know", () => {
  it("names the construct and suggests the property meant for a misspelt one", () => {
    const props = { ...support, hiddenFromAdressLists: true } as unknown as SharedMailboxProps;
    expect(misuse(() => new SharedMailbox(stack(), "Support", props))).toEqual([
      expect.stringMatching(/^unknown_property: SharedMailbox "contoso\/Support" has no property "hiddenFromAdressLists"; did you mean "hiddenFromAddressLists"\?/),
    ]);
  });

  it("reports every unknown property at once, inside grants and sign-in too", () => {
    const props = { ...support, licence: "EXCHANGESTANDARD", fullAccess: [{ trustee: "ann@contoso.com", automapping: false }], signIn: { allowed: false, why: "x" } };
    const found = misuse(() => new SharedMailbox(stack(), "Support", props as unknown as SharedMailboxProps));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining('has no property "licence"; did you mean "license"?'),
        expect.stringContaining('fullAccess[0] of SharedMailbox "contoso/Support" has no property "automapping"; did you mean "autoMapping"?'),
        expect.stringContaining('signIn of SharedMailbox "contoso/Support" has no property "why"'),
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it("checks UserMailbox and TenantStack props as well", () => {
    expect(misuse(() => new UserMailbox(stack(), "Kim", { address: "kim@contoso.com", license: "EXCHANGESTANDARD", licence: "x" } as never))).toEqual([
      expect.stringMatching(/^unknown_property: UserMailbox "contoso\/Kim" has no property "licence"; did you mean "license"\?/),
    ]);
    expect(misuse(() => new TenantStack(Testing.app(), "contoso", { tenantId: "contoso", domains: ["contoso.com"], domain: "contoso.com" } as never))).toEqual([
      expect.stringMatching(/^unknown_property: TenantStack "contoso" has no property "domain"; did you mean "domains"\?/),
    ]);
  });
});
