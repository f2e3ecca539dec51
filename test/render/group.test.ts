import { describe, expect, it } from "vitest";
import { groupByMailbox } from "../../lib/render/index.js";
import { action, contosoPlan, strayUserPlan } from "./plan-fixtures.js";

describe("grouping actions by mailbox", () => {
  it("puts an anchor user's actions with the mailbox of the same address and sorts groups by address", () => {
    const groups = groupByMailbox(contosoPlan().actions);
    expect(groups.map((g) => g.address)).toEqual([
      "ceo-office@contoso.com",
      "events-2025@contoso.com",
      "harry.wells@contoso.com",
      "info@contoso.com",
      "ivy.chen@contoso.com",
      "jack.hale@contoso.com",
      "kim.nguyen@contoso.com",
      "legal@contoso.com",
      "support@contoso.com",
    ]);
    expect(groups.every((g) => g.kind === "mailbox")).toBe(true);
    const kim = groups.find((g) => g.address === "kim.nguyen@contoso.com");
    expect(kim?.actions.map((a) => a.type)).toEqual(["mailbox.convert", "user.assignLicense", "user.resetPassword", "user.allowSignIn"]);
    expect(kim?.verb).toBe("convert to user mailbox");
  });

  it("puts a user action on another UPN with the mailbox its dependency neighbours act on", () => {
    const groups = groupByMailbox(strayUserPlan().actions);
    const projects = groups.find((g) => g.address === "projects@contoso.com");
    expect(projects?.actions.map((a) => a.target)).toEqual(["projects@contoso.com", "projects-anchor@contoso.onmicrosoft.com"]);
  });

  it("also follows a dependency from the mailbox side (a mailbox action that runs after the user action)", () => {
    const license = action("user.assignLicense", "anchor-7@contoso.onmicrosoft.com", { reason: "r", description: "d", params: { sku: "SPE_E3" } });
    const convert = action("mailbox.convert", "room7@contoso.com", { reason: "r", description: "d", after: [license.id] });
    const groups = groupByMailbox([license, convert]);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.address).toBe("room7@contoso.com");
  });

  it("gives a user no mailbox action relates to a group of its own, marked as a user", () => {
    const lonely = groupByMailbox(strayUserPlan().actions).find((g) => g.address === "lonely@contoso.com");
    expect(lonely?.kind).toBe("user");
    expect(lonely?.verb).toBe("update");
  });

  it("names what happens to each mailbox as a whole", () => {
    const verbs = Object.fromEntries(groupByMailbox(contosoPlan().actions).map((g) => [g.address, `${g.glyph} ${g.verb}`]));
    expect(verbs).toMatchObject({
      "info@contoso.com": "+ create",
      "events-2025@contoso.com": "- delete",
      "jack.hale@contoso.com": "+ restore, convert to shared mailbox",
      "harry.wells@contoso.com": "~ convert to shared mailbox",
      "support@contoso.com": "~ update",
    });
  });
});
