import { describe, expect, it } from "vitest";
import { ACTION_TYPES } from "../../lib/plan/types.js";
import { describeAction, fallbackDescription, formatChange, glyphOf, painter, renderPlan } from "../../lib/render/index.js";
import { action, planDocument } from "./plan-fixtures.js";

const plain = painter(false);

describe("describing one action", () => {
  it("gives every action type a glyph: + for create/grant/assign/restore, - for revoke/remove/delete, ~ otherwise", () => {
    const byGlyph: Record<string, string[]> = {};
    for (const type of ACTION_TYPES) (byGlyph[glyphOf({ type })] ??= []).push(type);
    expect(byGlyph).toEqual({
      "+": ["user.restore", "user.assignLicense", "mailbox.create", "permission.grant"],
      "-": ["user.removeLicense", "mailbox.delete", "permission.revoke"],
      "~": ["user.resetPassword", "user.blockSignIn", "user.allowSignIn", "user.revokeSessions", "user.rename", "mailbox.convert", "mailbox.rename", "mailbox.update", "mailbox.wait"],
    });
  });

  it("falls back to a description built from the params when the planner left it empty", () => {
    const grant = { ...action("permission.grant", "info@contoso.com", { reason: "r", description: "", params: { right: "SendAs", trustee: "carla.diaz@contoso.com" } }), description: "" };
    expect(describeAction(grant, plain)).toBe("+ grant SendAs on info@contoso.com to carla.diaz@contoso.com");
    for (const type of ACTION_TYPES) expect(fallbackDescription(action(type, "x@contoso.com", { reason: "r", description: "" }))).toContain("x@contoso.com");
  });

  it("appends the destructive marker to destructive steps only", () => {
    const del = action("mailbox.delete", "events-2025@contoso.com", { reason: "r", description: "delete it", destructive: true });
    expect(describeAction(del, plain)).toBe("- Delete it  ! destructive");
    expect(describeAction({ ...del, destructive: false }, plain)).toBe("- Delete it");
  });

  it("marks no words when old and new values share none, and shows non-strings as JSON", () => {
    expect(formatChange("Sales", "Marketing", plain, false)).toBe('"Sales" -> "Marketing"');
    expect(formatChange("Support", "Contoso Support", plain, false)).toBe('"Support" -> "{+Contoso +}Support"');
    expect(formatChange("Old Team Name", "New Team Name", plain, false)).toBe('"[-Old-] Team Name" -> "{+New+} Team Name"');
    expect(formatChange(undefined, 53687091200, plain, false)).toBe("(none) -> 53687091200");
    expect(formatChange(["a"], null, plain, false)).toBe('["a"] -> null');
  });

  it("names the targets when the plan was restricted with --target, in text and markdown", () => {
    const doc = planDocument({ actions: [], targets: ["info@contoso.com", "legal@contoso.com"] });
    expect(renderPlan(doc, "text", { color: false })).toContain(
      'stack "contoso", tenant "contoso", observed 2026-11-01T09:00:00Z, restricted to info@contoso.com, legal@contoso.com\n',
    );
    expect(renderPlan(doc, "markdown", { color: false })).toContain(" · restricted to info@contoso.com, legal@contoso.com");
  });
});
