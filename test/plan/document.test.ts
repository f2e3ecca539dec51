import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FingerprintIndex } from "../../lib/plan/fingerprint.js";
import { plan, planDraft } from "../../lib/plan/planner.js";
import { renderMarkdown, renderPlan } from "../../lib/render/index.js";
import { contosoDesired, contosoTenant } from "./contoso.js";
import { scenarioArb, withDrift } from "./generators.js";

describe("a plan draft (digests only when the plan is saved or shown as JSON)", () => {
  it("seals into exactly the document plan() returns, and its view is that document without digests and fingerprints", () => {
    fc.assert(
      fc.property(scenarioArb, ({ t, desired, enable, notReady }) => {
        const observed = withDrift(t.observed, enable, notReady);
        const draft = planDraft(desired, observed);
        const sealed = draft.seal();
        expect(sealed).toEqual(plan(desired, observed));
        const { desiredDigest: _d, fingerprint: _f, contentDigest: _c, ...view } = sealed;
        expect(draft.view).toEqual(view);
        expect(draft.seal()).toBe(sealed);
      }),
      { numRuns: 60 },
    );
  });

  it("renders the same text and markdown before and after it is sealed", () => {
    const draft = planDraft(contosoDesired(), contosoTenant());
    expect(draft.view.actions.length).toBeGreaterThan(0);
    const text = renderPlan(draft.view, "text", { color: false });
    const markdown = renderMarkdown(draft.view);
    expect(renderPlan(draft.seal(), "text", { color: false })).toBe(text);
    expect(renderMarkdown(draft.seal())).toBe(markdown);
  });

  it("fingerprints from the planner's own index equal those of a fresh read of the same tenant (what apply compares)", () => {
    fc.assert(
      fc.property(scenarioArb, ({ t, desired, enable, notReady }) => {
        const observed = withDrift(t.observed, enable, notReady);
        const { fingerprint } = plan(desired, observed);
        expect(FingerprintIndex.over(observed).ofAll(Object.keys(fingerprint.objects))).toEqual(fingerprint.objects);
      }),
      { numRuns: 60 },
    );
  });
});
