import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clean, codeFence, codeSpan, escapeHtml, escapeMarkdown, renderPlan } from "../../lib/render/index.js";
import { cellSeparators, markdownProblems } from "./markdown-checks.js";
import { action, grant, planDocument } from "./plan-fixtures.js";

const anyText = fc.string({ unit: "binary", maxLength: 60 });
const nasty = fc.array(fc.constantFrom("|", "<", ">", "&", "`", "```", "\\", "*", "_", "\n", "\r", "\u001b", "\u202e", "<details>", "</details>", "a", " ", "@x", "#"), { maxLength: 20 }).map((a) => a.join(""));
const text = fc.oneof(anyText, nasty);

describe("escaping user-controlled strings (properties)", () => {
  it("clean leaves no control or bidi character", () => {
    fc.assert(fc.property(text, (s) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(clean(s))));
  });

  it("escapeMarkdown leaves no cell separator, tag opener or code delimiter", () => {
    fc.assert(
      fc.property(text, (s) => {
        const e = escapeMarkdown(s);
        return cellSeparators(e) === 0 && !e.includes("<") && !e.includes("\n") && !/(^|[^\\])(\\\\)*`/.test(e);
      }),
    );
  });

  it("escapeHtml leaves no character that opens a tag, entity or attribute", () => {
    fc.assert(fc.property(text, (s) => !/[<>"'`|]|&(?!(amp|lt|gt|quot|#39|#96|#124|#8203);)/.test(escapeHtml(s))));
  });

  it("escapeMarkdown and escapeHtml leave no @mention that would notify anyone, and e-mail addresses as they are", () => {
    const mention = /(^|[^A-Za-z0-9_.+\-/@`])@[A-Za-z0-9]/;
    const handle = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,10}(\/[a-z]{1,6})?$/);
    const withMentions = fc.tuple(text, handle, text).map(([a, h, b]) => `${a} @${h}${b}`);
    fc.assert(fc.property(fc.oneof(text, withMentions), (s) => !mention.test(escapeMarkdown(s)) && !mention.test(escapeHtml(s))));
    expect(escapeMarkdown("cc @security-team and @org/admins")).toBe("cc @&#8203;security-team and @&#8203;org/admins");
    expect(escapeMarkdown("ben.ortiz@contoso.com")).toBe("ben.ortiz@contoso.com");
  });

  it("no backtick run inside content can close codeFence or codeSpan", () => {
    fc.assert(
      fc.property(text, (s) => {
        const fence = codeFence(s);
        const runs = s.match(/`+/g) ?? [];
        const span = codeSpan(s);
        const ticks = /^`+/.exec(span)?.[0] ?? "";
        const inner = clean(s).match(/`+/g) ?? [];
        return runs.every((r) => r.length < fence.length) && inner.every((r) => r.length !== ticks.length);
      }),
    );
  });

  it("GIVEN any display name, trustee and description THEN the markdown plan keeps its tables, details and fences intact", () => {
    fc.assert(
      fc.property(text, text, text, (name, trustee, description) => {
        const mbx = "ops@contoso.com";
        const doc = planDocument({
          actions: [
            action("mailbox.update", mbx, { reason: "r", description, params: { changes: { displayName: { from: "Ops", to: name } } } }),
            grant(mbx, "SendAs", trustee, { reason: "r", description }),
          ],
          diagnostics: [{ severity: "warning", code: "c", target: mbx, message: description }],
        });
        expect(markdownProblems(renderPlan(doc, "markdown", { color: false }))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
