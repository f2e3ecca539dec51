import { describe, expect, it } from "vitest";
import { renderPlan } from "../../lib/render/index.js";
import { contosoPlan, emptyPlan, failedPlan, hostilePlan, OBSERVED_AT, strayUserPlan } from "./plan-fixtures.js";

const text = (doc = contosoPlan(), color = false) => renderPlan(doc, "text", { color });
const ESC = "\u001b";

describe("text rendering", () => {
  it("GIVEN the contoso plan WHEN rendered without colour THEN it matches the golden file", async () => {
    await expect(text()).toMatchFileSnapshot("__golden__/contoso.text.txt");
  });

  it("GIVEN the contoso plan WHEN rendered with colour THEN it matches the golden file", async () => {
    await expect(text(contosoPlan(), true)).toMatchFileSnapshot("__golden__/contoso.text.color.txt");
  });

  it("GIVEN the empty, failed, hostile and stray-user plans THEN each matches its golden file", async () => {
    await expect(text(emptyPlan())).toMatchFileSnapshot("__golden__/empty.text.txt");
    await expect(text(failedPlan())).toMatchFileSnapshot("__golden__/failed.text.txt");
    await expect(text(hostilePlan())).toMatchFileSnapshot("__golden__/hostile.text.txt");
    await expect(text(strayUserPlan())).toMatchFileSnapshot("__golden__/stray-user.text.txt");
  });

  it("shows the access changes before any action, and the summary line last", () => {
    const out = text();
    const access = out.indexOf("Access changes:");
    const firstAction = out.indexOf("Actions by mailbox");
    expect(access).toBeGreaterThan(0);
    expect(access).toBeLessThan(firstAction);
    expect(out).toMatch(/  - gina\.rossi@contoso\.com +loses +FullAccess +on support@contoso\.com\n/);
    expect(out).toMatch(/  \+ ben\.ortiz@contoso\.com +gains +SendAs +on support@contoso\.com\n/);
    expect(out.trimEnd().split("\n").at(-1)).toBe(
      "Plan: 15 to add, 22 to change, 2 to destroy (2 destructive). Access: 12 gained, 1 lost.",
    );
  });

  it("groups user actions under the mailbox they serve and keeps plan order inside a mailbox", () => {
    const out = text();
    const jack = out.slice(out.indexOf("+ jack.hale@contoso.com"), out.indexOf("~ kim.nguyen@contoso.com"));
    const order = ["user.restore", "user.assignLicense", "user.resetPassword", "mailbox.wait", "mailbox.convert", "user.blockSignIn", "user.removeLicense", "permission.grant"];
    const positions = order.map((type) => jack.indexOf(`id:     jack.hale@contoso.com:${type}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(jack).toContain("(restore, convert to shared mailbox, 9 actions)");
  });

  it("marks destructive steps and lists them before the actions", () => {
    const out = text();
    expect(out).toContain("    - Delete events-2025@contoso.com \"Events 2025\": no longer declared and tagged removal=delete; recoverable for 30 days only  ! destructive\n");
    const block = out.slice(out.indexOf("Destructive steps"), out.indexOf("Warnings (1):"));
    expect(block).toContain("id: events-2025@contoso.com:mailbox.delete");
    expect(block).toContain("id: support@contoso.com:permission.revoke:FullAccess:gina.rossi@contoso.com");
    expect(out).toContain("- events-2025@contoso.com  (delete, 1 action, 1 destructive)");
  });

  it("shows each action's reason and what it runs after, indented under it", () => {
    expect(text()).toContain(
      [
        "    ~ Wait up to 30 min until the mailbox of jack.hale@contoso.com is re-created",
        "        id:     jack.hale@contoso.com:mailbox.wait:recreated",
        "        reason: restored_mailbox_recreation",
        "        after:  jack.hale@contoso.com:user.assignLicense:EXCHANGESTANDARD, jack.hale@contoso.com:user.resetPassword",
      ].join("\n"),
    );
  });

  it("highlights the changed words of a display name, with marks when colour is off and green when on", () => {
    expect(text()).toContain(`displayName: "Harry Wells" -> "Harry Wells{+ (departed)+}"`);
    expect(text(contosoPlan(), true)).toContain(`displayName: "Harry Wells" -> "Harry Wells${ESC}[32m (departed)${ESC}[0m"`);
    expect(text(hostilePlan())).toContain("litigationHold: false -> true");
  });

  it("shows the warning about gina.rossi's missing Exchange license prominently, before the actions", () => {
    const out = text();
    const warning = out.indexOf("warning: desired.json#/sharedMailboxes/3/fullAccess/0: legal@contoso.com: gina.rossi@contoso.com has no exchange license");
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(out.indexOf("Actions by mailbox"));
  });

  it("uses ANSI colour only when asked: green +, yellow ~, red -", () => {
    expect(text()).not.toContain(ESC);
    const colored = text(contosoPlan(), true);
    expect(colored).toContain(`${ESC}[32m+${ESC}[0m Give member ben.ortiz@contoso.com`);
    expect(colored).toContain(`${ESC}[33m~${ESC}[0m Convert harry.wells@contoso.com`);
    expect(colored).toContain(`${ESC}[31m-${ESC}[0m Remove the EXCHANGESTANDARD license from harry.wells`);
    // Colour replaces the word-diff marks; everything else is the same text.
    expect(colored.replace(/\u001b\[[0-9;]*m/g, "")).toBe(text().replace(/\{\+|\+\}/g, ""));
  });

  it("renders an empty plan as the no-changes sentence", () => {
    expect(text(emptyPlan())).toContain("\nNo changes. The tenant matches the desired state.\n");
    expect(text(emptyPlan())).not.toContain("Plan:");
  });

  it("renders a failed plan as its errors and the failure verdict, without actions", () => {
    const out = text(failedPlan());
    expect(out).toContain("Errors (2):\n  error: desired.json#/sharedMailboxes/7: frank.moss@contoso.com: cannot convert");
    expect(out.trimEnd().split("\n").at(-1)).toBe("Plan failed: 2 errors. Nothing will be changed.");
    expect(out).not.toContain("Actions by mailbox");
    expect(out).not.toContain("Access changes");
  });

  it("never shows a time other than the document's observedAt", () => {
    const times = text().match(/\d{4}-\d{2}-\d{2}T[\d:.]+Z?/g) ?? [];
    expect(times).toEqual([OBSERVED_AT]);
  });

  it("neutralises control characters and bidi overrides in user strings, so a display name cannot drive the terminal", () => {
    const out = text(hostilePlan(), true);
    const withoutOurColours = out.replace(/\u001b\[[0-9;]*m/g, "");
    expect(withoutOurColours).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(out).toContain("\\u{1b}[2J\\u{202e}");
    expect(out).toContain("Revoke | </details> ```\\u{a}<script>");
  });

  it("renders the same document to the same bytes every time", () => {
    expect(text(contosoPlan(), true)).toBe(text(contosoPlan(), true));
  });
});
