/**
 * Settling uncertain writes by reading (lib/apply/settle.ts): a write that
 * failed transiently may have happened, so apply reads before running it
 * again; against an eventually consistent tenant (reads lag writes, the fake's
 * lagReads) it re-reads with backoff on the tenant's clock before it calls an
 * effect absent, trusts a read that shows an effect only once its own earlier
 * writes to the target can show, waits out the lag once on resume, judges a
 * refusal that may be lag by when its request was sent (not when the shared
 * tenant clock says the answer came), and verifies with backoff.
 */
import { describe, expect, it } from "vitest";
import { applyPlan, MemoryJournal, verifyByReplanning, type ApplyEvent, type JournalState } from "../../lib/apply/index.js";
import { plan as makePlan } from "../../lib/plan/index.js";
import { ProviderError } from "../../lib/provider/errors.js";
import { observe } from "../../lib/provider/observe.js";
import { FakeProvider, user } from "../util/fake-provider.js";
import { desiredFrom } from "../integration/helpers.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { buildPlan, contoso, contosoSeed, FAST, type ActionSpec } from "./helpers.js";

const SUPPORT = "support@contoso.com";
const grantBen = { type: "permission.grant", target: SUPPORT, params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } } as const;

/** Indexes in the call log of the calls of `op`. */
function indexesOf(tenant: FakeProvider, op: string): number[] {
  return tenant.calls.flatMap((c, i) => (c.op === op ? [i] : []));
}

/** Calls of `op` between the first two calls of `write`. */
function between(tenant: FakeProvider, write: string, op: string): number {
  const [first, second] = indexesOf(tenant, write);
  if (first === undefined || second === undefined) throw new Error(`${write} was not called twice`);
  return tenant.calls.slice(first + 1, second).filter((c) => c.op === op).length;
}

/** Calls of `op` after the first call of `write`. */
function after(tenant: FakeProvider, write: string, op: string): number {
  const [first] = indexesOf(tenant, write);
  if (first === undefined) throw new Error(`${write} was not called`);
  return tenant.calls.slice(first + 1).filter((c) => c.op === op).length;
}

const appliedOps = (tenant: FakeProvider, op: string) => tenant.state.applied.filter((c) => c.op === op).length;

const NEW = "new@contoso.com";

/** A tenant whose reads lag writes, and a plan that creates NEW and then runs `next` (depending on the create). */
async function afterCreatingNew(next: ActionSpec): Promise<{ tenant: FakeProvider; plan: PlanDocument }> {
  const tenant = contoso();
  const plan = await buildPlan(tenant, [
    { type: "mailbox.create", target: NEW, params: { displayName: "New" } },
    { ...next, dependsOn: [`mailbox.create:${NEW}`] },
  ]);
  tenant.lagReads({ reads: 0 });
  return { tenant, plan };
}

/**
 * Run `apply` with the first call of `op` held in flight while the tenant clock moves on by ten minutes, as
 * another action's wait on a shared virtual clock moves it (a mailbox still provisioning), then let the call answer.
 */
async function whileHeld<T>(tenant: FakeProvider, op: string, apply: () => Promise<T>): Promise<T> {
  const release = tenant.hold(op);
  const applying = apply();
  await tenant.called(op);
  tenant.state.now += 10 * 60_000;
  release();
  return applying;
}

describe("apply settles a write that may have happened by reading, before running it again", () => {
  it("counts a write whose response was lost as done when one read shows its effect, and never sends it again", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.loseResponse("addRecipientPermission");
    const notes: string[] = [];
    const result = await applyPlan(plan, tenant, { ...FAST, onEvent: (e) => e.type === "note" && notes.push(e.message) });
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 1, settledBy: "read" });
    expect(indexesOf(tenant, "addRecipientPermission")).toHaveLength(1);
    expect(appliedOps(tenant, "addRecipientPermission")).toBe(1);
    // a strongly consistent tenant: one read settles it, no waiting
    expect(tenant.sleeps).toEqual([]);
    expect(notes.join("\n")).toContain("OutcomeUnknown");
    expect(result.converged).toBe(true);
  });

  it("reads once, then writes again after backoff, when a transient error left no effect on a strongly consistent tenant", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.fail("addRecipientPermission", { kind: "transient", code: "ServiceUnavailable" });
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 2 });
    expect(result.actions[0]!.settledBy).toBeUndefined();
    expect(between(tenant, "addRecipientPermission", "getGrants")).toBe(1);
    expect(appliedOps(tenant, "addRecipientPermission")).toBe(1);
    expect(tenant.sleeps).toHaveLength(1);
  });

  it("retries a throttled write without reading first: the service refused it before running it", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.fail("addRecipientPermission", { kind: "throttled", code: "TooManyRequests", retryAfterMs: 2000 });
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 2 });
    expect(between(tenant, "addRecipientPermission", "getGrants")).toBe(0);
  });

  it("fails with the write's own error when the read that would settle it fails, without writing again", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.loseResponse("addRecipientPermission");
    // a grant the opening read showed still to do is written with no read before it; every read after the write is refused
    tenant.getGrants = async (address: string) => {
      throw new ProviderError({ kind: "forbidden", code: "AccessDenied", message: "denied", operation: "getGrants", target: address });
    };
    const notes: string[] = [];
    const result = await applyPlan(plan, tenant, { ...FAST, onEvent: (e) => e.type === "note" && notes.push(e.message) });
    expect(result.actions[0]).toMatchObject({ status: "failed", attempts: 1, error: { code: "OutcomeUnknown", kind: "transient" } });
    expect(indexesOf(tenant, "addRecipientPermission")).toHaveLength(1);
    expect(notes.join("\n")).toContain("denied");
  });
});

describe("against an eventually consistent tenant (reads lag writes)", () => {
  it("re-reads with doubling waits on the tenant's clock until a lost write shows, then counts it done without writing again", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.lagReads({ reads: 3 });
    tenant.loseResponse("addRecipientPermission");
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 1, settledBy: "read" });
    expect(indexesOf(tenant, "addRecipientPermission")).toHaveLength(1);
    // three lagging reads, then the fourth shows it: waits of 3, 6 and 12 s
    expect(tenant.sleeps).toEqual([3000, 6000, 12_000]);
    expect(result.converged).toBe(true);
  });

  it("writes again only after settleReads reads over the lag window showed no effect", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.lagReads({ reads: 0 });
    tenant.fail("addRecipientPermission", { kind: "transient", code: "GatewayTimeout" });
    const result = await applyPlan(plan, tenant, { ...FAST, settleReads: 3, settleDelayMs: 1000 });
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 2 });
    expect(between(tenant, "addRecipientPermission", "getGrants")).toBe(3);
    expect(tenant.sleeps.slice(0, 2)).toEqual([1000, 2000]);
    expect(appliedOps(tenant, "addRecipientPermission")).toBe(1);
  });

  it("settles a conflict by re-reading until the effect shows, instead of failing on one lagging read", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    // another writer adds the grant between the pre-check and our write; reads lag it
    tenant.lagReads({ reads: 2 });
    let sneaked = false;
    const add = tenant.addRecipientPermission.bind(tenant);
    tenant.addRecipientPermission = async (address: string, trustee: string) => {
      if (!sneaked) {
        sneaked = true;
        await add(address, trustee);
      }
      return add(address, trustee);
    };
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions[0]).toMatchObject({ status: "done", settledBy: "conflict" });
    expect(tenant.sleeps).toEqual([3000, 6000]);
  });

  it("runs a write once more, after the lag window, when the service refused it right after this apply created what it builds on", async () => {
    const { tenant, plan } = await afterCreatingNew({ type: "user.blockSignIn", target: NEW });
    // the backend the PATCH reached has not seen the new user yet
    tenant.fail("setAccountEnabled", { kind: "notFound", code: "Request_ResourceNotFound" });
    const notes: string[] = [];
    const result = await applyPlan(plan, tenant, { ...FAST, onEvent: (e) => e.type === "note" && notes.push(e.message) });
    expect(result.actions[1]).toMatchObject({ status: "done", attempts: 2 });
    expect(notes.some((n) => n.includes("tried once more"))).toBe(true);
    expect(appliedOps(tenant, "setAccountEnabled")).toBe(1);
  });

  it("runs a refused write once more when it was sent within the lag window, though another action's wait moved the tenant clock past the window before the refusal came back", async () => {
    const { tenant, plan } = await afterCreatingNew({ type: "user.blockSignIn", target: NEW });
    tenant.fail("setAccountEnabled", { kind: "notFound", code: "Request_ResourceNotFound" });
    const result = await whileHeld(tenant, "setAccountEnabled", () => applyPlan(plan, tenant, FAST));
    expect(result.actions[1]).toMatchObject({ status: "done", attempts: 2 });
    expect(appliedOps(tenant, "setAccountEnabled")).toBe(1);
  });

  it("reads a pre-check again that was sent within the lag window, though another action's wait moved the tenant clock past the window before its \"couldn't be found\" came back", async () => {
    const { tenant, plan } = await afterCreatingNew({ type: "user.blockSignIn", target: NEW });
    tenant.fail("getUser", { kind: "notFound", code: "Request_ResourceNotFound" }, 1, NEW);
    const result = await whileHeld(tenant, "getUser", () => applyPlan(plan, tenant, FAST));
    expect(result.actions[1]).toMatchObject({ status: "done", attempts: 1 });
    expect(appliedOps(tenant, "setAccountEnabled")).toBe(1);
  });

  it("does not run a refused write again when nothing this apply wrote precedes it, or when the tenant is strongly consistent", async () => {
    for (const eventual of [true, false]) {
      const tenant = contoso();
      const plan = await buildPlan(tenant, eventual ? [{ type: "user.blockSignIn", target: SUPPORT }] : [
        { type: "mailbox.create", target: "new@contoso.com", params: { displayName: "New" } },
        { type: "user.blockSignIn", target: "new@contoso.com", dependsOn: ["mailbox.create:new@contoso.com"] },
      ]);
      if (eventual) tenant.lagReads({ reads: 0 });
      tenant.fail("setAccountEnabled", { kind: "notFound", code: "Request_ResourceNotFound" }, 2);
      const result = await applyPlan(plan, tenant, FAST);
      expect(result.actions.at(-1), `eventual: ${eventual}`).toMatchObject({ status: "failed", attempts: 1, error: { code: "Request_ResourceNotFound" } });
    }
  });

  it("ends a mailbox.wait as soon as a read shows the new mailbox ready, without waiting out the lag window of its create", async () => {
    const tenant = contoso();
    // a service with no readable readiness (Microsoft: readyAt is always null), so ready as soon as it shows
    tenant.state.createReadyMinutes = 0;
    const plan = await buildPlan(tenant, [
      { type: "mailbox.create", target: "new@contoso.com", params: { displayName: "New" } },
      { type: "mailbox.wait", target: "new@contoso.com", params: { for: "provisioned", minutes: 5 }, dependsOn: ["mailbox.create:new@contoso.com"] },
    ]);
    tenant.lagReads({ reads: 0 });
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions.map((a) => a.status)).toEqual(["done", "skipped"]);
    expect(tenant.sleeps).toEqual([]);
  });

  it("trusts a read that shows an effect only once the lag window has passed since its own earlier write to the target: a temporary license is still removed", async () => {
    const tenant = contoso();
    const ivy = "ivy.chen@contoso.com";
    const assign = { type: "user.assignLicense", target: ivy, params: { sku: "EXCHANGESTANDARD", temporary: true } } as const;
    const plan = await buildPlan(tenant, [
      assign,
      { type: "user.removeLicense", target: ivy, params: { sku: "EXCHANGESTANDARD" }, dependsOn: ["user.assignLicense:ivy.chen@contoso.com:EXCHANGESTANDARD"] },
    ]);
    tenant.lagReads({ ms: 20_000 });
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.actions.map((a) => a.status)).toEqual(["done", "done"]);
    expect(appliedOps(tenant, "assignLicense")).toBe(2);
    expect([...tenant.state.users.values()].find((u) => u.userPrincipalName === ivy)!.licenses).toEqual([]);
    expect(result.converged).toBe(true);
  });

  it("polls a half-run action of an interrupted apply until the tenant shows its write, and does not write it again", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.lagReads({ reads: 2 });
    // the interrupted run: started, written, then the process died
    await tenant.addRecipientPermission(SUPPORT, "ben.ortiz@contoso.com");
    const resumed = tenant.reopen();
    const journal = new MemoryJournal({ begun: true, entries: [{ t: "started", id: plan.actions[0]!.id }] });
    const result = await applyPlan(plan, resumed, { ...FAST, journal });
    expect(result.actions[0]).toMatchObject({ status: "done", settledBy: "read", attempts: 0 });
    expect(resumed.writes()).toEqual([]);
    expect(indexesOf(resumed, "getGrants").length).toBeGreaterThanOrEqual(3);
  });

  it("waits out the lag window once on resume, so a write whose journal entries were lost is not repeated", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [{ type: "user.blockSignIn", target: SUPPORT }, grantBen]);
    tenant.lagReads({ ms: 20_000 });
    const journal = new MemoryJournal();
    let survived: JournalState | null = null;
    tenant.crashAtWrite(1, { afterApply: true, onCrash: () => (survived = journal.snapshot()) });
    await applyPlan(plan, tenant, { ...FAST, journal, parallelism: 1 }).catch(() => undefined);
    expect(survived).not.toBeNull();
    // the `started` entry was never flushed: the resumed run cannot know the block was written
    expect(survived!.entries).toEqual([]);
    const resumed = tenant.reopen();
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan, resumed, { ...FAST, journal: new MemoryJournal(survived!), onEvent: (e) => events.push(e) });
    expect(result.converged).toBe(true);
    expect(appliedOps(tenant, "setAccountEnabled")).toBe(1);
    expect(result.actions[0]).toMatchObject({ status: "skipped" });
    const wait = events.findIndex((e) => e.type === "settle-wait");
    expect(events[wait]).toEqual({ type: "settle-wait", ms: 45_000, reason: "resume" });
    expect(wait).toBeLessThan(events.findIndex((e) => e.type === "action-start"));
  });

  it("does not wait on resume against a strongly consistent tenant", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    const events: ApplyEvent[] = [];
    await applyPlan(plan, tenant, { ...FAST, journal: new MemoryJournal({ begun: true, entries: [] }), onEvent: (e) => events.push(e) });
    expect(events.some((e) => e.type === "settle-wait")).toBe(false);
    expect(tenant.sleeps).toEqual([]);
  });

  it("verifies by reading again with backoff while an effect does not show yet", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.lagReads({ ms: 5000 });
    const result = await applyPlan(plan, tenant, FAST);
    expect(result.verification).toEqual({ method: "effects", remaining: [] });
    expect(result.converged).toBe(true);
    // three observations for verification: at once, after 3 s (still lagging), after 6 more
    expect(after(tenant, "addRecipientPermission", "listGrants")).toBe(3);
  });

  it("reports an effect that never shows after settleReads observations, not sooner", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.lagReads({ reads: 0 });
    tenant.dropWrites.add("addRecipientPermission");
    const result = await applyPlan(plan, tenant, { ...FAST, settleReads: 3, settleDelayMs: 1000 });
    expect(result.converged).toBe(false);
    expect(result.verification.remaining.map((r) => r.actionId)).toEqual([plan.actions[0]!.id]);
    expect(after(tenant, "addRecipientPermission", "listGrants")).toBe(3);
  });

  it("sets a usage location once when its write's response was lost, though the next read does not show it yet", async () => {
    const seed = contosoSeed();
    const tenant = FakeProvider.create({ ...seed, users: [...(seed.users ?? []), user("nolo@contoso.com", { usageLocation: null })] });
    const plan = await buildPlan(tenant, [{ type: "user.assignLicense", target: "nolo@contoso.com", params: { sku: "EXCHANGESTANDARD", usageLocation: "US" } }]);
    tenant.lagReads({ reads: 7 });
    tenant.loseResponse("setUsageLocation");
    const result = await applyPlan(plan, tenant, { ...FAST, verify: false });
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 2 });
    expect(appliedOps(tenant, "setUsageLocation")).toBe(1);
    expect(appliedOps(tenant, "assignLicense")).toBe(1);
  });

  it("re-plans with backoff before calling an apply not converged (verifyByReplanning)", async () => {
    const tenant = contoso();
    const desired = desiredFrom(
      {
        formatVersion: 1,
        stack: "contoso",
        tenant: { id: "contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"] },
        userMailboxes: [],
        sharedMailboxes: [
          {
            address: SUPPORT,
            displayName: "Contoso Support",
            fullAccess: [{ trustee: "ann.lee@contoso.com" }, { trustee: "gina.rossi@contoso.com" }],
            sendAs: ["ann.lee@contoso.com", "ben.ortiz@contoso.com"],
          },
        ],
      },
      "test",
    );
    const doc = makePlan(desired, await observe(tenant));
    expect(doc.actions.length).toBeGreaterThan(0);
    tenant.lagReads({ ms: 5000 });
    const applied = await applyPlan(doc, tenant, { ...FAST, verify: false });
    expect(applied.summary.failed).toBe(0);
    const before = indexesOf(tenant, "listGrants").length;
    const verified = await verifyByReplanning(applied, tenant, desired, doc);
    expect(verified.verification).toEqual({ method: "replan", remaining: [] });
    expect(verified.converged).toBe(true);
    expect(indexesOf(tenant, "listGrants").length - before).toBeGreaterThan(1);
  });
});
