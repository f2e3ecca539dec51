import { beforeAll, describe, expect, it } from "vitest";
import type { PlanDocument } from "../../lib/plan/types.js";
import { GITHUB_COMMENT_LIMIT, PART_SEPARATOR, renderMarkdownParts, renderPlan } from "../../lib/render/index.js";
import { markdownProblems } from "./markdown-checks.js";
import { largePlan } from "./plan-fixtures.js";

describe("splitting a long markdown plan into comments", () => {
  let doc: PlanDocument;
  let parts: string[];
  beforeAll(() => {
    doc = largePlan(5000);
    parts = renderMarkdownParts(doc);
  });

  it("GIVEN 5,000 actions THEN every part is under GitHub's 65,000-character limit", () => {
    expect(parts.length).toBeGreaterThan(5);
    for (const p of parts) expect(p.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
  });

  it("says 'part i of n' at the top of every part", () => {
    parts.forEach((p, i) => expect(p.split("\n")[0]).toBe(`_exoform plan for stack contoso: part ${i + 1} of ${parts.length}_`));
  });

  it("keeps the summary line in part 1 and the access table first", () => {
    const first = parts[0] ?? "";
    expect(first.split("\n")[2]).toMatch(/^\*\*Plan: \d+ to add/);
    expect(first.indexOf("#### Access changes")).toBeLessThan(first.length);
    expect(parts.join("").indexOf("#### Access changes")).toBeLessThan(parts.join("").indexOf("<details>"));
  });

  it("never breaks a table, a details block or a code fence inside a part", () => {
    parts.forEach((p, i) => expect({ part: i + 1, problems: markdownProblems(p) }).toEqual({ part: i + 1, problems: [] }));
  });

  it("repeats the table header when the access table continues in the next part", () => {
    const continued = parts.filter((p) => p.includes("#### Access changes (continued)"));
    expect(continued.length).toBeGreaterThan(0);
    for (const p of continued) expect(p).toContain("#### Access changes (continued)\n\n| Mailbox | Principal | Right | Change |\n| --- | --- | --- | --- |\n| ");
  });

  it("splits a mailbox with more actions than a comment holds into several details blocks, losing none", () => {
    const all = parts.join("\n");
    expect(all).toContain("<b>all-hands@contoso.com</b> · update · 1500 actions · actions 1-");
    expect(all).toMatch(/actions \d+-1500 of 1500<\/summary>/);
  });

  it("contains every action id somewhere in the parts", () => {
    const shown = new Set(parts.flatMap((p) => [...p.matchAll(/^ {4}id: {5}(.+)$/gm)].map((m) => m[1])));
    const missing = doc.actions.filter((a) => !shown.has(a.id)).map((a) => a.id);
    expect(missing).toEqual([]);
  });

  it("renderPlan joins all parts with a horizontal rule, so one file holds the whole plan", () => {
    const whole = renderPlan(doc, "markdown", { color: false });
    expect(whole).toBe(`${parts.map((p) => p.slice(0, -1)).join(PART_SEPARATOR)}\n`);
  });

  it("honours a smaller limit and refuses one too small to hold a mailbox block", () => {
    const small = renderMarkdownParts(doc, 20_000);
    expect(small.length).toBeGreaterThan(parts.length);
    for (const p of small) {
      expect(p.length).toBeLessThan(20_000);
      expect(markdownProblems(p)).toEqual([]);
    }
    expect(() => renderMarkdownParts(doc, 500)).toThrow(RangeError);
  });

  it("splits the same plan into the same parts every time", () => {
    expect(renderMarkdownParts(doc)).toEqual(parts);
  });
});
