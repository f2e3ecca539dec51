/**
 * Apply's progress lines and its summary carry input: targets and trustees
 * from the plan, descriptions, the service's error messages. Control
 * characters and escape sequences in them are shown visibly (`\u{1b}`),
 * never sent to the terminal (lib/render/sanitize.ts).
 */
import { describe, expect, it } from "vitest";
import { applyPlan, PlainProgress, TtyProgress, type ApplyEvent, type ApplyResult } from "../../lib/apply/index.js";
import { renderResult } from "../../lib/cli/commands/apply.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { buildPlan, contoso, FAST, seal } from "./helpers.js";

const ESC_TITLE = "\u001b]0;pwned\u0007";
const ESC_CLEAR = "\u001b[2J";
/** Any C0 or C1 control character but the newline ending each line. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  const out: string[] = [];
  const stream = { write: (s: string) => (out.push(s), true), columns: 200, isTTY: true } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out.join("") };
}

/** A plan whose grant names a trustee with an escape sequence, whose description carries one, and which the service refuses with a message echoing the trustee. */
async function hostileApply(): Promise<{ events: ApplyEvent[]; result: ApplyResult }> {
  const tenant = contoso();
  const trustee = `ben${ESC_CLEAR}@contoso.com`;
  const built = await buildPlan(tenant, [
    { type: "user.blockSignIn", target: "harry.wells@contoso.com" },
    { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee } },
  ]);
  const { contentDigest: _, ...rest } = built;
  const plan: PlanDocument = seal({
    ...rest,
    actions: rest.actions.map((a) => ({ ...a, description: `${a.description} ${ESC_TITLE}` })),
  });
  // the service echoes what it was given, control characters and all
  tenant.fail("addRecipientPermission", { kind: "precondition", code: `InvalidTrustee${ESC_CLEAR}`, message: `the user '${trustee}' ${ESC_TITLE} was not found` });
  const events: ApplyEvent[] = [];
  const result = await applyPlan(plan, tenant, { ...FAST, parallelism: 1, onEvent: (e) => events.push(e) });
  // notes and retries carry the service's words too
  const grant = plan.actions[1]!;
  events.splice(1, 0,
    { type: "note", action: grant, message: `the service answered ACEAlreadyExists (${ESC_TITLE}); counted as done` },
    { type: "retry", action: grant, attempt: 1, delayMs: 10, error: { code: `Throttled${ESC_CLEAR}`, kind: "throttled", message: ESC_TITLE } },
  );
  return { events, result };
}

describe("apply output neutralises terminal escapes", () => {
  it("plain progress lines (CI logs) show them visibly", async () => {
    const { events, result } = await hostileApply();
    expect(result.summary.failed).toBe(1);
    const { stream, text } = sink();
    const progress = new PlainProgress(stream);
    for (const e of events) progress.onEvent(e);
    expect(text()).toContain("ben\\u{1b}[2J@contoso.com");
    expect(text()).toContain("was not found");
    expect(text()).not.toMatch(RAW_CONTROL);
  });

  it("the terminal progress bar draws with its own escapes only", async () => {
    const { events } = await hostileApply();
    const { stream, text } = sink();
    let t = 0;
    const progress = new TtyProgress(stream, () => (t += 1000));
    for (const e of events) progress.onEvent(e);
    // exoform's own redraw sequence (carriage return, erase line) is the only control it writes
    const ours = text().replaceAll("\r\u001b[K", "");
    expect(ours).toContain("ben\\u{1b}[2J@contoso.com");
    expect(ours).not.toMatch(RAW_CONTROL);
  });

  it("the summary after apply shows them visibly: failed actions, their errors, and remaining differences", async () => {
    const { result } = await hostileApply();
    const failed = renderResult(result);
    expect(failed).toContain("Apply failed");
    expect(failed).toContain("ben\\u{1b}[2J@contoso.com");
    expect(failed).not.toMatch(RAW_CONTROL);
    const notConverged: ApplyResult = {
      ...result,
      actions: result.actions.map((a) => ({ ...a, status: "done" as const })),
      summary: { ...result.summary, done: result.summary.total, failed: 0, notStarted: 0 },
      converged: false,
      verification: {
        method: "effects",
        remaining: [{ actionId: `x${ESC_CLEAR}`, type: "mailbox.update", target: `info${ESC_CLEAR}@contoso.com`, description: `Update info: display name ${ESC_TITLE}` }],
      },
    };
    const remaining = renderResult(notConverged);
    expect(remaining).toContain("Not converged");
    expect(remaining).toContain("info\\u{1b}[2J@contoso.com");
    expect(remaining).toContain("display name \\u{1b}]0;pwned\\u{7}");
    expect(remaining).not.toMatch(RAW_CONTROL);
  });
});
