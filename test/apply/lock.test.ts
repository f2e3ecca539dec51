import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyPlan, FileLockStore, type LockHolder, type LockInfo } from "../../lib/apply/index.js";
import { LOCK_POLL_FIRST_MS, LOCK_POLL_MAX_MS, type LockWait } from "../../lib/apply/lock.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { buildPlan, contoso, FAST } from "./helpers.js";

const ann: LockHolder = { who: "ann@build-01", host: "build-01", pid: 4242 };
const grantBen = { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } } as const;

function errorOf(fn: () => unknown): Promise<UserError> {
  return Promise.resolve()
    .then(fn)
    .then(
      () => {
        throw new Error("expected a UserError");
      },
      (e: unknown) => {
        if (!UserError.is(e)) throw e;
        return e;
      },
    );
}

describe("one apply per tenant", () => {
  let dir = "";
  let location = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "exoform-lock-"));
    location = join(dir, "tenant.db.lock");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("fails a second concurrent apply fast, saying who holds the lock, since when, and how to release it", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    const release = tenant.hold("addRecipientPermission");
    const first = applyPlan(plan, tenant, { ...FAST, lock: new FileLockStore(location, () => new Date("2026-11-01T09:00:00Z")), holder: ann });
    // its write is in flight (held): the lock was taken before it
    await tenant.called("addRecipientPermission");
    const held = await new FileLockStore(location).read();
    expect(held).toMatchObject({ who: "ann@build-01", pid: 4242, tenantId: "contoso", planId: plan.contentDigest, since: "2026-11-01T09:00:00.000Z" });

    const second = contoso();
    const e = await errorOf(() => applyPlan(plan, second, { ...FAST, lock: new FileLockStore(location), holder: { who: "ben@laptop", host: "laptop", pid: 7 } }));
    expect(e.diagnostics[0]!.code).toBe("tenant_locked");
    expect(e.message).toBe(
      `tenant "contoso" is locked by ann@build-01 (pid 4242) since 2026-11-01T09:00:00.000Z, applying plan ${plan.contentDigest} (lock ${held!.id} in ${location}); wait for it to finish, or if it is gone, release the lock with exoform force-unlock ${held!.id}`,
    );
    expect(second.calls).toEqual([]);

    release();
    expect((await first).summary.done).toBe(1);
    expect(existsSync(location)).toBe(false);
  });

  it("releases the lock when the apply is refused", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [grantBen]);
    tenant.state.mailboxes.delete("support@contoso.com");
    await errorOf(() => applyPlan(plan, tenant, { ...FAST, lock: new FileLockStore(location), holder: ann }));
    expect(existsSync(location)).toBe(false);
  });

  it("says when the holder is a process on this host that no longer runs, and still requires force-unlock", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const store = new FileLockStore(location);
    const dead = await store.acquire({ tenantId: "contoso", planId: "sha256:abc", holder: { who: `ann@${hostname()}`, host: hostname(), pid: gone } });
    const e = await errorOf(() => store.acquire({ tenantId: "contoso", planId: "sha256:def", holder: ann }));
    expect(e.message).toContain(`that process is no longer running on ${hostname()}: if no apply is running, release the lock with exoform force-unlock ${dead.info.id}`);
    expect(existsSync(location)).toBe(true);
  });

  it("force-unlock releases the lock with the id from the message, and refuses any other id", async () => {
    const store = new FileLockStore(location);
    const held = await store.acquire({ tenantId: "contoso", planId: "sha256:abc", holder: ann });
    const wrong = await errorOf(() => store.forceUnlock("not-the-id"));
    expect(wrong.message).toBe(
      `${location}: the lock's id is ${held.info.id}, not not-the-id (held by ann@build-01, pid 4242, since ${held.info.since}); check the id and try again`,
    );
    expect((await store.forceUnlock(held.info.id)).who).toBe("ann@build-01");
    expect(await store.read()).toBeNull();
    expect((await errorOf(() => store.forceUnlock(held.info.id))).message).toBe(`${location}: no lock to release (nothing is applying to this tenant)`);
    // the old holder's release does not remove a lock taken by someone else since
    const next = await store.acquire({ tenantId: "contoso", planId: "sha256:def", holder: ann });
    await held.release();
    expect((await store.read())?.id).toBe(next.info.id);
  });

  it("lets exactly one of many simultaneous acquirers win", async () => {
    const stores = Array.from({ length: 8 }, () => new FileLockStore(location));
    const outcomes = await Promise.allSettled(stores.map((s, i) => s.acquire({ tenantId: "contoso", planId: "sha256:x", holder: { ...ann, pid: i } })));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
  });

  describe("--lock-timeout: waiting for a held lock", () => {
    /** A store that waits up to `timeoutMs` on a virtual clock: each pause moves the clock, and `onPause` may act mid-wait. */
    function waitingStore(timeoutMs: number, onPause: (pausesSoFar: number) => Promise<void> = async () => {}) {
      let now = Date.parse("2026-11-01T09:00:00Z");
      const pauses: number[] = [];
      const waits: Array<{ held: LockInfo; waitedMs: number }> = [];
      const wait: LockWait = {
        timeoutMs,
        sleep: async (ms) => {
          pauses.push(ms);
          now += ms;
          await onPause(pauses.length);
        },
        onWait: (held, waitedMs) => waits.push({ held, waitedMs }),
      };
      return { store: new FileLockStore(location, () => new Date(now), wait), pauses, waits };
    }

    it("takes the lock as soon as its holder releases it, saying while it waits who holds it", async () => {
      const first = await new FileLockStore(location).acquire({ tenantId: "contoso", planId: "sha256:abc", holder: ann });
      const { store, pauses, waits } = waitingStore(60_000, async (n) => {
        if (n === 3) await first.release();
      });
      const second = await store.acquire({ tenantId: "contoso", planId: "sha256:def", holder: { who: "ben@laptop", host: "laptop", pid: 7 } });
      expect((await store.read())?.id).toBe(second.info.id);
      expect(pauses).toEqual([LOCK_POLL_FIRST_MS, LOCK_POLL_FIRST_MS * 2, LOCK_POLL_FIRST_MS * 4]);
      expect(waits.map((w) => [w.held.who, w.waitedMs])).toEqual([
        ["ann@build-01", 0],
        ["ann@build-01", LOCK_POLL_FIRST_MS],
        ["ann@build-01", LOCK_POLL_FIRST_MS * 3],
      ]);
    });

    it("polls with backoff up to a ceiling and gives up at the timeout with the usual lock error, saying how long it waited", async () => {
      const held = await new FileLockStore(location).acquire({ tenantId: "contoso", planId: "sha256:abc", holder: ann });
      const { store, pauses } = waitingStore(30_000);
      const e = await errorOf(() => store.acquire({ tenantId: "contoso", planId: "sha256:def", holder: ann }));
      expect(e.diagnostics[0]!.code).toBe("tenant_locked");
      expect(e.message).toContain(`tenant "contoso" is locked by ann@build-01 (pid 4242)`);
      expect(e.message).toContain(`release the lock with exoform force-unlock ${held.info.id}`);
      expect(e.message).toMatch(/; gave up after waiting 30 s \(--lock-timeout 30 s\)$/);
      expect(pauses.reduce((a, b) => a + b, 0)).toBe(30_000);
      expect(Math.max(...pauses)).toBe(LOCK_POLL_MAX_MS);
      expect(pauses.slice(0, -1).every((p, i) => i === 0 || p >= pauses[i - 1]!)).toBe(true);
      expect((await store.read())?.id).toBe(held.info.id); // waiting never takes a lock over
    });

    it("fails at once without a timeout, and stops waiting when the apply is interrupted", async () => {
      await new FileLockStore(location).acquire({ tenantId: "contoso", planId: "sha256:abc", holder: ann });
      const immediate = waitingStore(0);
      expect((await errorOf(() => immediate.store.acquire({ tenantId: "contoso", planId: "sha256:def", holder: ann }))).message).not.toContain("gave up");
      expect(immediate.pauses).toEqual([]);

      const stop = new AbortController();
      const pauses: number[] = [];
      const sleep = async (ms: number) => {
        pauses.push(ms);
        if (pauses.length === 2) stop.abort();
      };
      const interrupted = new FileLockStore(location, undefined, { timeoutMs: 3_600_000, signal: stop.signal, sleep });
      const e = await errorOf(() => interrupted.acquire({ tenantId: "contoso", planId: "sha256:def", holder: ann }));
      expect(e.diagnostics[0]!.code).toBe("tenant_locked");
      expect(pauses).toHaveLength(2);
    });
  });
});
