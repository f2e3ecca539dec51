import { describe, expect, it } from "vitest";
import { renderMarkdownParts, renderPlan } from "../../lib/render/index.js";
import { cellSeparators, markdownProblems, outsideCode } from "./markdown-checks.js";
import { contosoPlan, emptyPlan, failedPlan, HOSTILE_NAME, hostilePlan, strayUserPlan } from "./plan-fixtures.js";

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
    expect(out).toContain("> [!WARNING]\n> **2 destructive steps**: re-applying the desired state cannot undo them.\n>\n> - ");
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
    expect(summary).toContain("“Ops &#124; R&amp;D &lt;b&gt;team&lt;/b&gt; &#96;x&#96; &#96;&#96;&#96; **bold** @everyone”");
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
});
