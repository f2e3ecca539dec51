/** Group trustees: automapping through a group is a warning the planner raises with the tenant's groups. */
import { describe, expect, it } from "vitest";
import { groupAutoMappingWarnings } from "../../lib/model/group-trustees.js";
import { validateDesiredState } from "../../lib/model/validate.js";

const desired = validateDesiredState(
  {
    formatVersion: 1,
    stack: "contoso",
    tenant: { id: "contoso", domains: ["contoso.com"] },
    sharedMailboxes: [
      {
        address: "support@contoso.com",
        displayName: "Support",
        fullAccess: [{ trustee: "Helpdesk@contoso.com" }, { trustee: "ann.lee@contoso.com" }, { trustee: "auditors@contoso.com", autoMapping: false }],
        sendAs: ["helpdesk@contoso.com"],
      },
    ],
    userMailboxes: [],
  },
  "t.json",
).state!;

describe("groupAutoMappingWarnings", () => {
  it("warns once per FullAccess grant to a group with autoMapping on, naming the mailbox, the group and the fix", () => {
    const found = groupAutoMappingWarnings(desired, new Set(["helpdesk@contoso.com", "auditors@contoso.com"]));
    expect(found.map((d) => [d.severity, d.code, d.target])).toEqual([["warning", "group_automapping", "support@contoso.com"]]);
    expect(found[0]!.message).toContain('group "helpdesk@contoso.com"');
    expect(found[0]!.message).toContain("grant FullAccess to the people");
  });

  it("says nothing when no trustee is a group: a person's autoMapping works", () => {
    expect(groupAutoMappingWarnings(desired, new Set())).toEqual([]);
  });
});
