/**
 * Notes (diagnostics of severity "info") in every rendering of a plan: after
 * errors and warnings, under their own heading, never counted as warnings.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../lib/diagnostics/diagnostic.js";
import { formatDiagnostic, sortDiagnostics } from "../../lib/diagnostics/diagnostic.js";
import { renderPlan } from "../../lib/render/index.js";
import { contosoPlan, planDocument } from "./plan-fixtures.js";

const kept: Diagnostic = {
  severity: "info",
  code: "left_code_kept",
  target: "old-projects@contoso.com",
  message: 'mailbox "old-projects@contoso.com" is no longer managed by this stack; kept, as removalPolicy retain',
};
const risky: Diagnostic = { severity: "warning", code: "trustee_unlicensed", target: "legal@contoso.com", message: "gina.rossi@contoso.com has no exchange license" };

describe("notes in a plan", () => {
  it("sort after errors and warnings, and print as `info: <where>: <message> [code]`", () => {
    const error: Diagnostic = { ...risky, severity: "error", target: "zz@contoso.com" };
    expect(sortDiagnostics([kept, risky, error]).map((d) => d.severity)).toEqual(["error", "warning", "info"]);
    expect(formatDiagnostic(kept)).toBe(`info: old-projects@contoso.com: ${kept.message} [left_code_kept]`);
  });

  it("are not counted as warnings in the summary", () => {
    expect(planDocument({ actions: [], diagnostics: [kept, risky] }).summary).toMatchObject({ errors: 0, warnings: 1 });
  });

  it("render as a Notes section after the warnings in text, and beside the no-changes sentence of an empty plan", () => {
    const base = contosoPlan();
    const out = renderPlan(planDocument({ actions: base.actions, diagnostics: [...base.diagnostics, kept] }), "text", { color: false });
    expect(out).toContain(`Notes (1):\n  info: old-projects@contoso.com: ${kept.message} [left_code_kept]`);
    expect(out.indexOf("Warnings (")).toBeLessThan(out.indexOf("Notes (1):"));
    const empty = renderPlan(planDocument({ actions: [], diagnostics: [kept] }), "text", { color: false });
    expect(empty).toContain("Notes (1):");
    expect(empty).toContain("No changes.");
  });

  it("render as a #### Notes list in the pull-request comment, after the warnings", () => {
    const base = contosoPlan();
    const out = renderPlan(planDocument({ actions: base.actions, diagnostics: [...base.diagnostics, kept] }), "markdown", { color: false });
    expect(out).toContain("#### Notes (1)\n\n- note old-projects@contoso.com: mailbox \"old-projects@contoso.com\" is no longer managed by this stack; kept, as removalPolicy retain `left_code_kept`");
    expect(out.indexOf("#### Warnings")).toBeLessThan(out.indexOf("#### Notes"));
  });
});
