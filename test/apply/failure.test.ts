import { describe, expect, it } from "vitest";
import { applyPlan, MemoryJournal, type ApplyEvent } from "../../lib/apply/index.js";
import { buildPlan, contoso, FAST, type ActionSpec } from "./helpers.js";

describe("apply after a terminal error", () => {
  it("stops starting work, lets running actions finish, and reports exactly what was done, failed and not started", async () => {
    const tenant = contoso();
    const a = (trustee: string, target = "support@contoso.com"): ActionSpec => ({
      type: "permission.grant",
      target,
      params: { right: "SendAs", trustee },
    });
    const specs: ActionSpec[] = [
      a("ben.ortiz@contoso.com"), // 0: done first
      { type: "user.blockSignIn", target: "harry.wells@contoso.com" }, // 1: running (held) when 2 fails
      { type: "mailbox.convert", target: "ivy.chen@contoso.com", params: { to: "shared" } }, // 2: fails
      a("carla.diaz@contoso.com"), // 3: not started (queued behind the failure)
      { type: "user.blockSignIn", target: "ivy.chen@contoso.com", dependsOn: ["mailbox.convert:ivy.chen@contoso.com:shared"] }, // 4: never ready
    ];
    const plan = await buildPlan(tenant, specs);
    const release = tenant.hold("setAccountEnabled", "harry.wells@contoso.com");
    tenant.fail("setMailboxType", { kind: "precondition", code: "NoLicense", message: "a license is required to convert this mailbox" });
    const events: ApplyEvent[] = [];
    const applying = applyPlan(plan, tenant, {
      ...FAST,
      parallelism: 2,
      onEvent: (e) => {
        events.push(e);
        if (e.type === "stopping") setTimeout(release, 5); // the held write completes after the failure
      },
    });
    const result = await applying;
    expect(result.actions.map((r) => [r.id, r.status])).toEqual([
      [plan.actions[0]!.id, "done"],
      [plan.actions[1]!.id, "done"],
      [plan.actions[2]!.id, "failed"],
      [plan.actions[3]!.id, "not_started"],
      [plan.actions[4]!.id, "not_started"],
    ]);
    expect(result.actions[2]!.error).toEqual({ code: "NoLicense", message: "a license is required to convert this mailbox", kind: "precondition" });
    expect(result.summary).toMatchObject({ total: 5, done: 2, skipped: 0, failed: 1, notStarted: 2 });
    expect(result.converged).toBe(false);
    expect(result.verification.method).toBe("none");
    // the held action was running when the failure stopped new work, and it finished
    const stopAt = events.findIndex((e) => e.type === "stopping");
    const heldEnd = events.findIndex((e) => e.type === "action-end" && e.action.id === plan.actions[1]!.id);
    expect(heldEnd).toBeGreaterThan(stopAt);
    expect(tenant.state.users.get("id-harry.wells@contoso.com")!.accountEnabled).toBe(false);
    expect(tenant.writes()).not.toContain('addRecipientPermission support@contoso.com "carla.diaz@contoso.com"');
  });

  it("treats a failure of the pre-check read like a failure of the write", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [{ type: "user.blockSignIn", target: "support@contoso.com" }]);
    tenant.fail("getUser", { kind: "forbidden", code: "Authorization_RequestDenied", message: "insufficient privileges" });
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "failed", attempts: 0, error: { kind: "forbidden", code: "Authorization_RequestDenied" } });
    expect(tenant.writes()).toEqual([]);
  });

  it("stops new work when interrupted, lets the running action finish, and reports the rest as not started", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "user.blockSignIn", target: "support@contoso.com" },
      { type: "user.blockSignIn", target: "harry.wells@contoso.com", dependsOn: ["user.blockSignIn:support@contoso.com"] },
    ]);
    const interrupt = new AbortController();
    const release = tenant.hold("setAccountEnabled", "support@contoso.com");
    const events: string[] = [];
    const applying = applyPlan(plan, tenant, { ...FAST, signal: interrupt.signal, onEvent: (e) => events.push(e.type) });
    await tenant.called("setAccountEnabled", "support@contoso.com");
    interrupt.abort();
    release();
    const result = await applying;
    expect(result.actions.map((a) => a.status)).toEqual(["done", "not_started"]);
    expect(events).toContain("interrupted");
    expect(tenant.writes()).toEqual(["setAccountEnabled support@contoso.com false"]);
  });

  it("stops and says so when the journal cannot be written, never starting a dependent of an unrecorded action", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "user.blockSignIn", target: "support@contoso.com" },
      { type: "user.blockSignIn", target: "harry.wells@contoso.com", dependsOn: ["user.blockSignIn:support@contoso.com"] },
    ]);
    const journal = new MemoryJournal();
    journal.sync = () => Promise.reject(new Error("ENOSPC: no space left on device"));
    await expect(applyPlan(plan, tenant, { ...FAST, journal })).rejects.toThrow(
      /^the apply journal could not be written \(ENOSPC: no space left on device\); the apply stopped/,
    );
    expect(tenant.writes()).toEqual(["setAccountEnabled support@contoso.com false"]);
  });
});
