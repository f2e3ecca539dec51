import { describe, expect, it } from "vitest";
import { applyPlan, MemoryJournal, type ApplyEvent, type JournalEntry, type JournalState } from "../../lib/apply/index.js";
import type { Journal } from "../../lib/apply/journal.js";
import { action, buildPlan, contoso, contosoPlan, FAST, type ActionSpec } from "./helpers.js";
import { FakeProvider, mailbox, user } from "../util/fake-provider.js";

/** A journal that records which ids were durable when each action started. */
class ObservedJournal implements Journal {
  readonly inner = new MemoryJournal();
  durableAtStart = new Map<string, Set<string>>();
  load(): Promise<JournalState> {
    return this.inner.load();
  }
  begin(): Promise<void> {
    return this.inner.begin();
  }
  append(entry: JournalEntry): void {
    if (entry.t === "started") {
      this.durableAtStart.set(entry.id, new Set(this.inner.snapshot().entries.filter((e) => e.t === "done").map((e) => e.id)));
    }
    this.inner.append(entry);
  }
  sync(): Promise<void> {
    // a slow disk: the flush lands a few turns later
    return new Promise((r) => setTimeout(r, 1)).then(() => this.inner.sync());
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe("apply engine", () => {
  it("applies every action type of a contoso-like plan, converges, and reports each action done", async () => {
    const tenant = contoso();
    const plan = await contosoPlan(tenant);
    const result = await applyPlan(plan, tenant, { ...FAST, parallelism: 4 });
    expect(result.summary).toMatchObject({ total: 35, done: 35, skipped: 0, failed: 0, notStarted: 0 });
    expect(result.converged).toBe(true);
    expect(result.verification).toEqual({ method: "effects", remaining: [] });
    const s = tenant.state;
    expect([...s.grants.get("support@contoso.com")!.keys()].sort()).toEqual([
      "FullAccess\nann.lee@contoso.com",
      "FullAccess\nben.ortiz@contoso.com",
      "SendAs\nann.lee@contoso.com",
      "SendAs\nben.ortiz@contoso.com",
    ]);
    expect(s.grants.get("info@contoso.com")!.get("FullAccess\nerin.kim@contoso.com")!.autoMapping).toBe(false);
    expect(s.mailboxes.get("jack.hale@contoso.com")).toMatchObject({ type: "shared", deletedAt: null });
    expect(s.users.get("id-jack")).toMatchObject({ accountEnabled: false, licenses: [], deletedAt: null });
    expect(s.mailboxes.get("events-2025@contoso.com")!.deletedAt).not.toBeNull();
    expect(s.mailboxes.get("support@contoso.com")!.displayName).toBe("Contoso Support Desk");
    // the wait for jack's recreated mailbox ran on the tenant's clock, not the wall clock
    expect(s.now - Date.parse("2026-11-01T09:00:00Z")).toBeGreaterThanOrEqual(25 * 60_000);
  });

  it("starts an action only after every action it depends on is done and durably journaled", async () => {
    const tenant = contoso();
    const plan = await contosoPlan(tenant);
    const journal = new ObservedJournal();
    const order: string[] = [];
    await applyPlan(plan, tenant, { ...FAST, journal, onEvent: (e) => e.type === "action-start" && order.push(e.action.id) });
    expect(order).toHaveLength(plan.actions.length);
    for (const a of plan.actions) {
      const durable = journal.durableAtStart.get(a.id)!;
      for (const dep of a.dependsOn) expect(durable.has(dep), `${a.id} started before ${dep} was journaled`).toBe(true);
    }
  });

  it("never has more provider calls in flight than the parallelism allows", async () => {
    const specs: ActionSpec[] = [];
    const users = Array.from({ length: 12 }, (_, i) => user(`u${i}@contoso.com`));
    const mailboxes = Array.from({ length: 12 }, (_, i) => mailbox(`m${i}@contoso.com`));
    for (const m of mailboxes) for (const u of users) specs.push({ type: "permission.grant", target: m.address, params: { right: "SendAs", trustee: u.userPrincipalName } });
    for (const parallelism of [1, 3, 8]) {
      const tenant = FakeProvider.create({ users, mailboxes });
      tenant.latency = 3;
      const plan = await buildPlan(tenant, specs);
      tenant.maxInFlight = 0;
      const result = await applyPlan(plan, tenant, { ...FAST, parallelism, verify: false });
      expect(result.summary.done).toBe(144);
      expect(tenant.maxInFlight).toBeLessThanOrEqual(parallelism);
      expect(tenant.maxInFlight).toBe(parallelism); // and uses what it is given
    }
  });

  it("runs actions on the same mailbox one at a time while other mailboxes proceed in parallel", async () => {
    const users = Array.from({ length: 20 }, (_, i) => user(`u${i}@contoso.com`));
    const tenant = FakeProvider.create({ users, mailboxes: [mailbox("busy@contoso.com"), mailbox("other@contoso.com")] });
    tenant.latency = 3;
    const specs: ActionSpec[] = users.flatMap((u) => [
      { type: "permission.grant", target: "busy@contoso.com", params: { right: "FullAccess", trustee: u.userPrincipalName, autoMapping: true } },
      { type: "permission.grant", target: "other@contoso.com", params: { right: "SendAs", trustee: u.userPrincipalName } },
    ]);
    const plan = await buildPlan(tenant, specs);
    tenant.maxInFlight = 0;
    await applyPlan(plan, tenant, { ...FAST, parallelism: 8, verify: false });
    expect(tenant.maxInFlightPerTarget).toBe(1);
    expect(tenant.maxInFlight).toBe(2);
  });

  it("skips an action whose effect the tenant already has, without writing", async () => {
    const tenant = contoso();
    // the sign-in was blocked by hand after planning; the fingerprint is of the new state (as on a resume)
    tenant.state.users.set("id-support@contoso.com", { ...tenant.state.users.get("id-support@contoso.com")!, accountEnabled: false });
    const plan = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } },
      { type: "user.blockSignIn", target: "support@contoso.com" },
    ]);
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions.map((a) => [a.type, a.status, a.attempts])).toEqual([
      ["permission.grant", "done", 1],
      ["user.blockSignIn", "skipped", 0],
    ]);
    expect(tenant.writes()).toEqual(['addRecipientPermission support@contoso.com "ben.ortiz@contoso.com"']);
  });

  it("counts a conflict on a grant whose effect is already present as done, and says so", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "FullAccess", trustee: "ben.ortiz@contoso.com", autoMapping: true } },
    ]);
    // the grant lands between the opening read and the write (another admin, or the service's lag)
    const events: ApplyEvent[] = [];
    const original = tenant.addMailboxPermission.bind(tenant);
    tenant.addMailboxPermission = async (address, trustee, options) => {
      tenant.state.grants.get(address)!.set("FullAccess\nben.ortiz@contoso.com", { mailbox: address, right: "FullAccess", trustee: "ben.ortiz@contoso.com", autoMapping: true });
      return original(address, trustee, options);
    };
    const result = await applyPlan(plan, tenant, { ...FAST, onEvent: (e) => events.push(e) });
    expect(result.actions[0]).toMatchObject({ status: "done", settledBy: "conflict", attempts: 1 });
    expect(events.some((e) => e.type === "note" && e.message.includes("ACEAlreadyExists"))).toBe(true);
  });

  it("counts a notFound on a revoke whose grant is already absent as done, and says so", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "permission.revoke", target: "support@contoso.com", params: { right: "FullAccess", trustee: "gina.rossi@contoso.com" } },
    ]);
    // the grant goes between the opening read and the write
    const original = tenant.removeMailboxPermission.bind(tenant);
    tenant.removeMailboxPermission = async (address, trustee) => {
      tenant.state.grants.get(address)!.delete("FullAccess\ngina.rossi@contoso.com");
      return original(address, trustee);
    };
    const notes: string[] = [];
    const result = await applyPlan(plan, tenant, { ...FAST, onEvent: (e) => e.type === "note" && notes.push(e.message) });
    expect(result.actions[0]).toMatchObject({ status: "done", settledBy: "notFound" });
    expect(notes.join("\n")).toContain("ACENotFound");
  });

  it("writes a grant or revoke the opening read showed still to do without reading it again first, and reads again one it showed done", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } },
      { type: "permission.revoke", target: "support@contoso.com", params: { right: "FullAccess", trustee: "gina.rossi@contoso.com" } },
      { type: "permission.grant", target: "support@contoso.com", params: { right: "FullAccess", trustee: "ann.lee@contoso.com", autoMapping: true } },
    ]);
    const result = await applyPlan(plan, tenant, { ...FAST, verify: false });
    expect(result.actions.map((a) => a.status)).toEqual(["done", "done", "skipped"]);
    // one point read: ann's grant, shown done by the opening read, is read again before it is skipped
    expect(tenant.calls.filter((c) => c.op === "getGrants")).toHaveLength(1);
  });

  it("reads before every grant and revoke again when it resumes an interrupted run, whose writes the opening read may predate", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } },
      { type: "permission.revoke", target: "support@contoso.com", params: { right: "FullAccess", trustee: "gina.rossi@contoso.com" } },
    ]);
    const result = await applyPlan(plan, tenant, { ...FAST, verify: false, journal: new MemoryJournal({ begun: true, entries: [] }) });
    expect(result.resumed).toBe(true);
    expect(result.actions.map((a) => a.status)).toEqual(["done", "done"]);
    expect(tenant.calls.filter((c) => c.op === "getGrants")).toHaveLength(2);
  });

  it("fails a conflict whose effect is not there (FullAccess held with another autoMapping)", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "FullAccess", trustee: "ann.lee@contoso.com", autoMapping: false } },
    ]);
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "failed", error: { code: "ACEAlreadyExists", kind: "conflict" } });
    expect(result.converged).toBe(false);
  });

  it("polls a mailbox.wait on the tenant's clock until the mailbox is ready", async () => {
    const tenant = FakeProvider.create({ mailboxes: [mailbox("new@contoso.com", { readyAt: "2026-11-01T09:20:00.000Z" })] });
    const plan = await buildPlan(tenant, [{ type: "mailbox.wait", target: "new@contoso.com", params: { for: "provisioned", minutes: 5 } }]);
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "done" });
    expect(tenant.state.now).toBeGreaterThanOrEqual(Date.parse("2026-11-01T09:20:00Z"));
    expect(tenant.state.now).toBeLessThan(Date.parse("2026-11-01T09:22:00Z"));
  });

  it("fails a mailbox.wait that exceeds its budget with a message naming the mailbox and the wait", async () => {
    const tenant = FakeProvider.create({ mailboxes: [mailbox("slow@contoso.com", { readyAt: "2026-11-01T12:00:00.000Z" })] });
    const plan = await buildPlan(tenant, [{ type: "mailbox.wait", target: "slow@contoso.com", params: { for: "recreated", minutes: 30 } }]);
    const result = await applyPlan(plan, tenant, { ...FAST, waitMarginMinutes: 10 });
    expect(result.actions[0]).toMatchObject({ status: "failed", error: { code: "WaitTimeout", kind: "timeout" } });
    expect(result.actions[0]!.error!.message).toMatch(/^mailbox slow@contoso\.com is still not ready after 40 minutes/);
    const waited = tenant.state.now - Date.parse("2026-11-01T09:00:00Z");
    expect(waited).toBeGreaterThanOrEqual(40 * 60_000);
    expect(waited).toBeLessThan(42 * 60_000);
  });

  it("reports an effect the tenant does not show after apply instead of claiming convergence", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [{ type: "user.blockSignIn", target: "support@contoso.com" }]);
    tenant.dropWrites.add("setAccountEnabled");
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.summary.done).toBe(1);
    expect(result.converged).toBe(false);
    expect(result.verification.remaining).toEqual([
      { actionId: plan.actions[0]!.id, type: "user.blockSignIn", target: "support@contoso.com", description: "user.blockSignIn support@contoso.com: not in effect after apply" },
    ]);
  });

  it("verifies only the last effect per object: a temporary license assigned then removed is converged", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "user.assignLicense", target: "ivy.chen@contoso.com", params: { sku: "EXCHANGESTANDARD", temporary: true } },
      { type: "user.removeLicense", target: "ivy.chen@contoso.com", params: { sku: "EXCHANGESTANDARD" }, dependsOn: ["user.assignLicense:ivy.chen@contoso.com:EXCHANGESTANDARD"] },
    ]);
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.converged).toBe(true);
    expect(tenant.writes()).toHaveLength(2);
  });

  it("maps user.resetPassword to resetPassword and always runs it (a password cannot be read back)", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [{ type: "user.resetPassword", target: "harry.wells@contoso.com" }]);
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]!.status).toBe("done");
    expect(tenant.writes()).toEqual(["resetPassword harry.wells@contoso.com null"]);
  });

  it("fails an action whose params lack what its type needs, without calling the provider", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [{ type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs" } }]);
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "failed", error: { kind: "internal", message: expect.stringContaining("params.trustee is missing") } });
    expect(tenant.writes()).toEqual([]);
    expect(action({ type: "user.blockSignIn", target: "x" }).dependsOn).toEqual([]);
  });

  it("does not hold a mailbox's writes back while a wait on it polls", async () => {
    const tenant = FakeProvider.create({
      users: [user("slow@contoso.com")],
      mailboxes: [mailbox("slow@contoso.com", { readyAt: "2026-11-01T09:10:00.000Z" })],
    });
    const plan = await buildPlan(tenant, [
      { type: "mailbox.wait", target: "slow@contoso.com", params: { for: "provisioned", minutes: 5 } },
      { type: "user.blockSignIn", target: "slow@contoso.com" },
    ]);
    const ends: string[] = [];
    await applyPlan(plan, tenant, { ...FAST, parallelism: 1, onEvent: (e) => e.type === "action-end" && ends.push(e.action.type) });
    expect(ends).toEqual(["user.blockSignIn", "mailbox.wait"]);
  });
});
