import { describe, expect, it } from "vitest";
import { renderMarkdownParts, renderPlan } from "../../lib/render/index.js";
import { cellSeparators, markdownProblems, outsideCode } from "./markdown-checks.js";
import { action, contosoPlan, emptyPlan, failedPlan, HOSTILE_NAME, hostilePlan, planDocument, revoke, strayUserPlan } from "./plan-fixtures.js";

const md = (doc = contosoPlan()) => renderPlan(doc, "markdown", { color: true });

describe("markdown rendering", () => {
  it("GIVEN each fixture plan THEN its markdown matches the golden file", async () => {
    await expect(md()).toMatchFileSnapshot("__golden__/contoso.md");
    await expect(md(emptyPlan())).toMatchFileSnapshot("__golden__/empty.md");
    await expect(md(failedPlan())).toMatchFileSnapshot("__golden__/failed.md");
    await expect(md(hostilePlan())).toMatchFileSnapshot("__golden__/hostile.md");
    await expect(md(strayUserPlan())).toMatchFileSnapshot("__golden__/stray-user.md");
  });

  it("starts with the summary line and puts the access-changes table before anything else", () => {
    const out = md();
    expect(out.split("\n")[0]).toBe("**Plan: 15 to add, 22 to change, 2 to destroy (2 destructive). Access: 12 gained, 1 lost.**");
    const table = out.indexOf("| Mailbox | Principal | Right | Change |");
    expect(table).toBeGreaterThan(0);
    expect(table).toBeLessThan(out.indexOf("> [!WARNING]"));
    expect(table).toBeLessThan(out.indexOf("#### Warnings"));
    expect(table).toBeLessThan(out.indexOf("<details>"));
    expect(out).toContain("| support@contoso.com | gina.rossi@contoso.com | FullAccess | 🔴 **lost** |");
    expect(out).toContain("| ceo-office@contoso.com | dev.patel@contoso.com | SendOnBehalf | 🟢 gained |");
  });

  it("calls out destructive steps in a warning alert", () => {
    const out = md();
    expect(out).toContain(
      "> [!WARNING]\n> **2 destructive steps**: review each before approving.\n" +
        "> The deleted mailbox can be restored with its mail only within the service's restore window (30 days); after that the mail is gone, and re-applying the desired state cannot bring it back.\n" +
        "> A revoked grant ends at once for whoever relies on it, but it is not lost: declaring it again grants it again.\n>\n> - ",
    );
    expect(out).not.toContain("cannot undo them");
    expect(out).toContain("> - Delete events-2025@contoso.com \"Events 2025\": no longer declared and tagged removal=delete; recoverable for 30 days only `events-2025@contoso.com:mailbox.delete`");
  });

  it("folds each mailbox into a details block holding a diff with +, - and ~ lines", () => {
    const out = md();
    expect(out.match(/<details>/g)).toHaveLength(9);
    const harry = out.slice(out.indexOf("<b>harry.wells@contoso.com</b>"));
    expect(harry).toMatch(/^<b>harry\.wells@contoso\.com<\/b> “Harry Wells \(departed\)” · convert to shared mailbox · 6 actions<\/summary>\n\n```diff\n~ Convert/);
    expect(harry).toContain('-     displayName: "Harry Wells"\n+     displayName: "Harry Wells (departed)"\n');
    expect(harry).toContain("- Remove the EXCHANGESTANDARD license from harry.wells@contoso.com");
    expect(markdownProblems(out)).toEqual([]);
  });

  it("lists warnings and errors with their code", () => {
    expect(md()).toContain("#### Warnings (1)\n\n- **warning** legal@contoso.com · `desired.json#/sharedMailboxes/3/fullAccess/0`: gina.rossi@contoso.com has no exchange license");
    const failed = md(failedPlan());
    expect(failed.split("\n")[0]).toBe("**Plan failed: 2 errors. Nothing will be changed.**");
    expect(failed).toContain("#### Errors (2)\n\n- **error** frank.moss@contoso.com");
    expect(failed).toContain("`license_seats_exhausted`");
    expect(failed).not.toContain("<details>");
    expect(failed).not.toContain("Access changes");
  });

  it("renders an empty plan as the no-changes sentence", () => {
    expect(md(emptyPlan()).split("\n")[0]).toBe("**No changes. The tenant matches the desired state.**");
    expect(md(emptyPlan())).not.toContain("####");
  });

  it("escapes a hostile display name and description so tables, HTML and code fences stay intact", () => {
    const out = md(hostilePlan());
    expect(markdownProblems(out)).toEqual([]);
    const row = out.split("\n").find((l) => l.startsWith("| ops@contoso.com"));
    expect(row).toBeDefined();
    expect(cellSeparators(row ?? "")).toBe(5);
    const markup = outsideCode(out);
    expect(markup).not.toContain("<script>");
    expect(markup).not.toContain("<b>team</b>");
    expect(markup.match(/<\/details>/g)).toHaveLength(1);
    expect(out).toContain("- Revoke | </details> ```\\u{a}<script>alert(1)</script>  ! destructive\n");
    const summary = out.split("\n").find((l) => l.startsWith("<details>")) ?? "";
    expect(summary).toContain("“Ops &#124; R&amp;D &lt;b&gt;team&lt;/b&gt; &#96;x&#96; &#96;&#96;&#96; **bold** @&#8203;everyone”");
    expect(outsideCode(out)).not.toMatch(/(^|[\s(>“])@everyone/m); // notifies no one
    // The diff block's fence is longer than the ``` inside the display name.
    expect(out).toContain("````diff\n");
    expect(out).toContain(`+     displayName: ${JSON.stringify(HOSTILE_NAME)}`);
    expect(out).toContain("a \\| pipe, a &lt;tag&gt; and a\\\\u{a}new line");
  });

  it("returns one part without a part header when the plan fits in a comment", () => {
    const parts = renderMarkdownParts(contosoPlan());
    expect(parts).toEqual([md()]);
    expect(parts[0]).not.toContain("part 1 of");
  });

  it("splits exactly when the whole document reaches the limit", () => {
    const whole = md();
    expect(renderMarkdownParts(contosoPlan(), whole.length + 1)).toEqual([whole]);
    const split = renderMarkdownParts(contosoPlan(), whole.length);
    expect(split.length).toBeGreaterThan(1);
    for (const p of split) expect(p.length).toBeLessThan(whole.length);
  });

  describe("the pull-request comment's access changes", () => {
    /** A plan that deletes a mailbox holding 13 grants and revokes one real grant elsewhere. */
    function deletionPlan() {
      const old = "events-2025@contoso.com";
      const ending = Array.from({ length: 13 }, (_, i) => ({
        mailbox: old,
        principal: `guest${String(i).padStart(2, "0")}@contoso.com`,
        right: i % 2 === 0 ? ("FullAccess" as const) : ("SendAs" as const),
        change: "lose" as const,
      }));
      return planDocument({
        actions: [
          action("mailbox.delete", old, { reason: "removed_from_code_with_delete_policy", description: "delete shared mailbox events-2025@contoso.com", destructive: true, access: ending }),
          revoke("support@contoso.com", "FullAccess", "gina.rossi@contoso.com", { reason: "full_access_not_declared", description: "revoke full access to support@contoso.com from gina.rossi@contoso.com" }),
        ],
      });
    }

    it("groups the changes by mailbox with their counts, losses first", () => {
      const out = md();
      expect(out).toContain(
        "| **support@contoso.com** | _**1 lost**, 2 gained_ | | |\n| support@contoso.com | gina.rossi@contoso.com | FullAccess | 🔴 **lost** |\n| support@contoso.com | ben.ortiz@contoso.com | FullAccess | 🟢 gained |",
      );
      expect(out).toContain("| **info@contoso.com** | _3 gained_ | | |");
    });

    it("folds the grants that end with a deleted mailbox into one row, details collapsed, so a single revocation is not buried", () => {
      const out = md(deletionPlan());
      const table = out.slice(out.indexOf("| Mailbox |"), out.indexOf("\n\n", out.indexOf("| Mailbox |")));
      expect(table.split("\n")).toEqual([
        "| Mailbox | Principal | Right | Change |",
        "| --- | --- | --- | --- |",
        "| **events-2025@contoso.com** | 13 grants end with the mailbox (listed below) | FullAccess, SendAs | 🗑️ mailbox deleted |",
        "| **support@contoso.com** | _**1 lost**_ | | |",
        "| support@contoso.com | gina.rossi@contoso.com | FullAccess | 🔴 **lost** |",
      ]);
      const details = out.slice(out.indexOf("<details><summary>13 grants end with the mailbox events-2025@contoso.com (deleted)</summary>"));
      expect(details).toMatch(/^<details><summary>13 grants end with the mailbox events-2025@contoso\.com \(deleted\)<\/summary>\n\n\| Principal \| Right \|\n\| --- \| --- \|\n\| guest00@contoso\.com \| FullAccess \|/);
      expect(details.indexOf("</details>")).toBeGreaterThan(details.indexOf("| guest12@contoso.com | SendAs |"));
      expect(out.indexOf("<details><summary>13 grants")).toBeLessThan(out.indexOf("> [!WARNING]"));
      expect(markdownProblems(out)).toEqual([]);
    });

    it("puts the policy verdict at the top, next to the summary", () => {
      const verdict = ":x: **policy: 2 rules, 1 mandatory failed, 0 advisory failed: the plan must not be applied**";
      for (const doc of [contosoPlan(), emptyPlan(), failedPlan()]) {
        const lines = renderMarkdownParts(doc, undefined, { verdict })[0]!.split("\n");
        expect(lines[1]).toBe("");
        expect(lines[2]).toBe(verdict);
      }
    });
  });
});
