import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import schema from "../../schema/apply-result.schema.json" with { type: "json" };
import { applyPlan, formatActionLine, PlainProgress, TtyProgress, type ApplyEvent, type ApplyResult } from "../../lib/apply/index.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { buildPlan, contoso, contosoPlan, FAST } from "./helpers.js";

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

function expectValid(result: ApplyResult): void {
  const ok = validate(JSON.parse(canonicalJson(result)));
  expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
}

class Sink {
  text = "";
  columns = 200;
  isTTY = true;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

describe("apply result document", () => {
  it("validates against schema/apply-result.schema.json for a converged apply", async () => {
    const tenant = contoso();
    const result = await applyPlan(await contosoPlan(tenant), tenant, FAST);
    expectValid(result);
    expect(result.converged).toBe(true);
  });

  it("validates for a failed apply with done, failed and not-started actions", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "mailbox.convert", target: "ivy.chen@contoso.com", params: { to: "shared" } },
      { type: "user.blockSignIn", target: "ivy.chen@contoso.com", dependsOn: ["mailbox.convert:ivy.chen@contoso.com:shared"] },
    ]);
    tenant.fail("setMailboxType", { kind: "precondition", code: "NoLicense" });
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions.map((a) => a.status)).toEqual(["failed", "not_started"]);
    expectValid(result);
  });

  it("the schema rejects a failed action without its error", () => {
    expect(
      validate({
        formatVersion: 1,
        planId: `sha256:${"0".repeat(64)}`,
        tenantId: "contoso",
        stack: "contoso",
        resumed: false,
        actions: [{ id: "a", type: "mailbox.delete", target: "x@contoso.com", status: "failed", attempts: 1, durationMs: 0 }],
        summary: { total: 1, done: 0, skipped: 0, failed: 1, notStarted: 0, durationMs: 0 },
        converged: false,
        verification: { method: "none", remaining: [] },
      }),
    ).toBe(false);
  });
});

describe("apply progress", () => {
  it("prints one plain line per finished action, with its counter, label, attempts and duration", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "FullAccess", trustee: "ben.ortiz@contoso.com", autoMapping: true } },
      { type: "user.blockSignIn", target: "support@contoso.com" },
    ]);
    tenant.fail("addMailboxPermission", { kind: "throttled", code: "TooManyRequests", retryAfterMs: 2000 });
    const sink = new Sink();
    const progress = new PlainProgress(sink as unknown as NodeJS.WritableStream);
    await applyPlan(plan, tenant, { ...FAST, onEvent: (e) => progress.onEvent(e) });
    const lines = sink.text.trimEnd().split("\n").map((l) => l.replace(/, \d+ ms\)/, ", N ms)"));
    expect(lines).toEqual([
      "retry permission.grant support@contoso.com FullAccess ben.ortiz@contoso.com: TooManyRequests (attempt 1), waiting 2000 ms",
      "[1/2] done permission.grant support@contoso.com FullAccess ben.ortiz@contoso.com (2 attempts, N ms)",
      "[2/2] done user.blockSignIn support@contoso.com (1 attempt, N ms)",
    ]);
  });

  it("formats failures with the service's code and message, and skips as already in effect", () => {
    const action = { id: "a", type: "mailbox.convert", target: "ivy.chen@contoso.com", params: { to: "shared" }, dependsOn: [], reason: "", description: "", destructive: false, access: [] } as const;
    expect(
      formatActionLine(3, 9, action, {
        id: "a",
        type: "mailbox.convert",
        target: "ivy.chen@contoso.com",
        status: "failed",
        attempts: 1,
        durationMs: 4,
        error: { code: "NoLicense", message: "a license is required", kind: "precondition" },
      }),
    ).toBe("[3/9] failed mailbox.convert ivy.chen@contoso.com to shared (1 attempt, 4 ms): NoLicense: a license is required");
    expect(formatActionLine(4, 9, action, { id: "a", type: "mailbox.convert", target: "ivy.chen@contoso.com", status: "skipped", attempts: 0, durationMs: 1 })).toBe(
      "[4/9] skipped mailbox.convert ivy.chen@contoso.com to shared (0 attempts, 1 ms, already in effect)",
    );
  });

  it("draws a progress bar with done/total, the current action, elapsed time and an ETA on a terminal", async () => {
    const tenant = contoso();
    const plan = await contosoPlan(tenant);
    const sink = new Sink();
    let t = 0;
    const progress = new TtyProgress(sink as unknown as NodeJS.WriteStream, () => (t += 150));
    const events: ApplyEvent[] = [];
    await applyPlan(plan, tenant, { ...FAST, onEvent: (e) => (events.push(e), progress.onEvent(e)) });
    const frames = sink.text.split("\r\x1b[K").filter(Boolean);
    expect(frames[0]).toMatch(/^\[\.{24}\] 0\/35 00:00 eta --:-- $/);
    expect(frames.some((f) => /^\[#+\.*\] \d+\/35 \d\d:\d\d eta \d\d:\d\d (user|mailbox|permission)\./.test(f))).toBe(true);
    expect(frames.at(-1)).toMatch(/^\[#{24}\] 35\/35 \d\d:\d\d eta 00:00 \n$/);
  });
});
