/**
 * The tenant's shared mailboxes no stack declares: counted in every drift
 * report as information, listed with --unmanaged, never drift.
 */
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import schema from "../../schema/drift.schema.json" with { type: "json" };
import { detectDrift } from "../../lib/drift/detect.js";
import { renderDrift } from "../../lib/drift/render.js";
import type { ObservedMailbox, ObservedState } from "../../lib/provider/observed.js";
import { appliedContoso, contosoDesired, sortObserved } from "./builders.js";

/** appliedContoso with more shared mailboxes nobody declared, each with the given management tag. */
function withUndeclared(tags: Readonly<Record<string, string | null>>, type: ObservedMailbox["type"] = "shared"): ObservedState {
  const o = appliedContoso();
  const template = o.mailboxes.find((m) => m.address === "support@contoso.com")!;
  const extra = Object.entries(tags).map(([address, managementTag]): ObservedMailbox => ({ ...template, address, displayName: address, type, managementTag }));
  return sortObserved({ ...o, mailboxes: [...o.mailboxes, ...extra] });
}

describe("drift: unmanaged shared mailboxes", () => {
  it("counts the shared mailboxes no stack declares, without listing them, and is not drift", () => {
    const report = detectDrift(contosoDesired(), withUndeclared({ "old-projects@contoso.com": null, "archive-2019@contoso.com": null }));
    expect(report.unmanaged).toEqual({ count: 2 });
    expect(report.drifted).toBe(false);
    expect(report.items).toEqual([]);
    expect(report.pending).toBe(0);
  });

  it("lists them, sorted, when asked (exoform drift --unmanaged)", () => {
    const report = detectDrift(contosoDesired(), withUndeclared({ "old-projects@contoso.com": null, "archive-2019@contoso.com": null }), { listUnmanaged: true });
    expect(report.unmanaged).toEqual({ count: 2, mailboxes: ["archive-2019@contoso.com", "old-projects@contoso.com"] });
  });

  it("leaves out mailboxes a stack manages: this stack's tagged ones are pending deletions, another stack's are that stack's", () => {
    const report = detectDrift(
      contosoDesired(),
      withUndeclared({ "mine@contoso.com": "exoform:stack=contoso;removal=delete", "theirs@contoso.com": "exoform:stack=other;removal=delete", "loose@contoso.com": null }),
      { listUnmanaged: true },
    );
    expect(report.unmanaged).toEqual({ count: 1, mailboxes: ["loose@contoso.com"] });
    expect(report.pendingItems.map((p) => [p.mailbox, p.reason])).toEqual([["mine@contoso.com", "deletion_pending"]]);
  });

  it("never counts a person's mailbox", () => {
    expect(detectDrift(contosoDesired(), withUndeclared({ "someone@contoso.com": null }, "user")).unmanaged).toBeUndefined();
  });

  it("is absent when there are none, so a report without them is unchanged", () => {
    expect("unmanaged" in detectDrift(contosoDesired(), appliedContoso())).toBe(false);
  });

  it("validates against schema/drift.schema.json, counted and listed", () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    for (const listUnmanaged of [false, true]) {
      const report = detectDrift(contosoDesired(), withUndeclared({ "old-projects@contoso.com": null }), { listUnmanaged });
      expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("renders one line by default, and the list when asked, in text and markdown", () => {
    const counted = detectDrift(contosoDesired(), withUndeclared({ "old-projects@contoso.com": null }));
    const text = renderDrift(counted, "text");
    expect(text.split("\n")[2]).toBe("1 shared mailbox in the tenant no stack declares (information, not drift; exoform drift --unmanaged lists them, exoform export adopts them)");
    expect(text).not.toContain("  old-projects@contoso.com");
    const listed = detectDrift(contosoDesired(), withUndeclared({ "old-projects@contoso.com": null }), { listUnmanaged: true });
    expect(renderDrift(listed, "text")).toContain("unmanaged (no stack declares them; information, not drift)\n  old-projects@contoso.com\n");
    const md = renderDrift(listed, "markdown");
    expect(md).toContain("1 shared mailbox in the tenant no stack declares (information, not drift).");
    expect(md).toContain("<details><summary>1 unmanaged (no stack declares them; information, not drift)</summary>\n\n- old-projects@contoso.com\n");
  });
});
