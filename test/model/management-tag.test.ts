/**
 * The management attribute: configurable in the desired state, and a value
 * exoform did not write there is an error for the planner to raise, never a
 * value to overwrite.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foreignManagementValues, formatManagementTag, isForeignManagementValue } from "../../lib/model/management-tag.js";
import { validateDesiredState } from "../../lib/model/validate.js";

const doc = (tenant: Record<string, unknown>) => ({ formatVersion: 1, stack: "contoso", tenant: { id: "contoso", domains: ["contoso.com"], ...tenant }, sharedMailboxes: [], userMailboxes: [] });
const TAG = formatManagementTag({ stack: "contoso", removal: "delete" });

describe("tenant.managementAttribute", () => {
  it("accepts CustomAttribute1 to 15, and keeps the default out of the canonical form", () => {
    expect(validateDesiredState(doc({ managementAttribute: "CustomAttribute7" }), "t.json").state?.tenant.managementAttribute).toBe("CustomAttribute7");
    expect(validateDesiredState(doc({ managementAttribute: "CustomAttribute15" }), "t.json").state?.tenant).not.toHaveProperty("managementAttribute");
  });

  it("refuses an attribute that is not a custom attribute, naming the allowed ones", () => {
    const { diagnostics } = validateDesiredState(doc({ managementAttribute: "Department" }), "t.json");
    expect(diagnostics.map((d) => [d.code, d.location])).toEqual([["schema_enum", "t.json#/tenant/managementAttribute"]]);
    expect(diagnostics[0]!.message).toContain('"CustomAttribute15"');
  });
});

describe("foreignManagementValues", () => {
  const mailboxes = [
    { address: "sales@contoso.com", managementTag: "dept=sales" },
    { address: "ours@contoso.com", managementTag: TAG },
    { address: "other-stack@contoso.com", managementTag: formatManagementTag({ stack: "fabrikam", removal: "delete" }) },
    { address: "empty@contoso.com", managementTag: null },
    { address: "blank@contoso.com", managementTag: "" },
    { address: "untouched@contoso.com", managementTag: "dept=it" },
  ];
  const about = new Set(["sales@contoso.com", "ours@contoso.com", "other-stack@contoso.com", "empty@contoso.com", "blank@contoso.com"]);

  it("reports a value exoform did not write on a mailbox it is about to tag, naming the attribute, the value and the fixes", () => {
    const found = foreignManagementValues(mailboxes, about, "CustomAttribute9");
    expect(found.map((d) => [d.severity, d.code, d.target])).toEqual([["error", "management_attribute_in_use", "sales@contoso.com"]]);
    expect(found[0]!.message).toContain('CustomAttribute9 = "dept=sales"');
    expect(found[0]!.message).toContain("set tenant.managementAttribute");
    expect(found[0]!.message).toContain("Set-Mailbox -CustomAttribute9 $null");
  });

  it("says nothing of mailboxes exoform leaves alone, whatever their attribute holds", () => {
    // sales@ and untouched@ hold foreign values, but exoform does not write to them here
    expect(foreignManagementValues(mailboxes, new Set(["ours@contoso.com", "empty@contoso.com"]))).toEqual([]);
  });

  it("treats every exoform tag, any stack's, and only those, as exoform's own", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), (stack) => {
        expect(isForeignManagementValue(formatManagementTag({ stack, removal: "delete" }))).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => !s.startsWith("exoform:")), (value) => {
        expect(isForeignManagementValue(value)).toBe(true);
      }),
    );
  });
});
