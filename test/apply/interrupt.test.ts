/**
 * The engine interrupted (the CLI aborts its signal on SIGINT, SIGTERM,
 * SIGHUP): writes in flight finish, but waiting does not go on: a backoff, a
 * readiness poll or a settle wait ends at once and its action is reported not
 * started; an apply interrupted before its first write does not begin the
 * journal; the lock is released either way.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyPlan, FileLockStore, MemoryJournal } from "../../lib/apply/index.js";
import type { TenantClock } from "../../lib/provider/provider.js";
import { buildPlan, contoso, FAST } from "./helpers.js";

let dir = "";
afterEach(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
  dir = "";
});

const grant = (trustee: string) => ({ type: "permission.grant" as const, target: "support@contoso.com", params: { right: "SendAs" as const, trustee } });

describe("an interrupted apply", () => {
  it("ends a throttling backoff at once: the waiting action is not started, the lock released, and the next run writes it once", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-interrupt-"));
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grant("ben.ortiz@contoso.com")]);
    // the service asks to come back in an hour, and an hour of sleep never ends in this test
    const clock = tenant.clock;
    const endless: TenantClock = { now: () => clock.now(), sleep: (ms) => (ms >= 3_600_000 ? new Promise<void>(() => {}) : clock.sleep(ms)) };
    Object.defineProperty(tenant, "clock", { value: endless });
    tenant.fail("addRecipientPermission", { kind: "throttled", code: "TooManyRequests", message: "slow down", retryAfterMs: 3_600_000 });
    const interrupt = new AbortController();
    const journal = new MemoryJournal();
    const lock = new FileLockStore(join(dir, "tenant.lock"));
    const applying = applyPlan(plan, tenant, {
      ...FAST,
      journal,
      lock,
      signal: interrupt.signal,
      onEvent: (e) => {
        if (e.type === "retry") setImmediate(() => interrupt.abort());
      },
    });
    const result = await applying;
    expect(result.actions.map((a) => a.status)).toEqual(["not_started"]);
    expect(result.summary).toMatchObject({ done: 0, failed: 0, notStarted: 1 });
    expect(existsSync(join(dir, "tenant.lock"))).toBe(false);
    expect(tenant.writes()).toEqual([]);
    // the journal says it started and nothing more: the next run reads before writing, and writes it once
    expect(journal.snapshot().entries).toEqual([{ t: "started", id: plan.actions[0]!.id }]);
    const again = tenant.reopen();
    const resumed = await applyPlan(plan, again, { ...FAST, journal: new MemoryJournal(journal.snapshot()) });
    expect(resumed.converged).toBe(true);
    expect(again.writes()).toEqual(['addRecipientPermission support@contoso.com "ben.ortiz@contoso.com"']);
  });

  it("ends a mailbox.wait's polling at once and reports it not started", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [{ type: "mailbox.wait", target: "support@contoso.com", params: { minutes: 30 } }]);
    // not ready for a while: the wait sleeps between polls, and those sleeps never end in this test
    const mailbox = tenant.state.mailboxes.get("support@contoso.com")!;
    tenant.state.mailboxes.set("support@contoso.com", { ...mailbox, readyAt: new Date(tenant.state.now + 20 * 60_000).toISOString() });
    const clock = tenant.clock;
    let polling = false;
    Object.defineProperty(tenant, "clock", {
      value: { now: () => clock.now(), sleep: () => ((polling = true), new Promise<void>(() => {})) } satisfies TenantClock,
    });
    const interrupt = new AbortController();
    const applying = applyPlan(plan, tenant, { ...FAST, signal: interrupt.signal });
    while (!polling) await new Promise((r) => setImmediate(r));
    interrupt.abort();
    const result = await applying;
    expect(result.actions.map((a) => a.status)).toEqual(["not_started"]);
  });

  it("interrupted before its first write: begins no journal, changes nothing, releases the lock", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-interrupt-"));
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grant("ben.ortiz@contoso.com")]);
    const interrupt = new AbortController();
    interrupt.abort();
    const journal = new MemoryJournal();
    const result = await applyPlan(plan, tenant, { ...FAST, journal, lock: new FileLockStore(join(dir, "tenant.lock")), signal: interrupt.signal });
    expect(result.summary).toMatchObject({ done: 0, notStarted: 1 });
    expect(journal.snapshot()).toEqual({ begun: false, entries: [] });
    expect(tenant.writes()).toEqual([]);
    expect(existsSync(join(dir, "tenant.lock"))).toBe(false);
  });
});
