import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { renderPlan } from "../../lib/render/index.js";
import { contosoPlan, failedPlan } from "./plan-fixtures.js";

describe("json rendering", () => {
  it("GIVEN the contoso plan THEN the json is the document itself, key-sorted, and matches the golden file", async () => {
    const doc = contosoPlan();
    const out = renderPlan(doc, "json", { color: true });
    expect(out).toBe(`${canonicalJson(doc, 2)}\n`);
    expect(JSON.parse(out)).toEqual(doc);
    await expect(out).toMatchFileSnapshot("__golden__/contoso.json");
  });

  it("prints a failed plan's diagnostics unchanged, with no colour codes", () => {
    const out = renderPlan(failedPlan(), "json", { color: true });
    expect(JSON.parse(out)).toEqual(failedPlan());
    expect(out).not.toContain("\u001b");
  });
});
