/**
 * Fault injection and the tenant clock: deterministic throttling on the
 * tenant clock, seeded transient failures that continue across processes,
 * latency, failing reads, and crashes that leave a consistent tenant.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { observe } from "../../../lib/provider/observe.js";
import { ProviderError } from "../../../lib/provider/errors.js";
import { loadFixture, SimulatedTenant } from "../../../providers/simulated/index.js";
import { decideWrite, initialFaultState, nextRandom } from "../../../providers/simulated/faults.js";
import { DEFAULT_FAULTS } from "../../../providers/simulated/index.js";
import { rejection } from "../conformance.js";
import { MINUTE, tempTenants } from "./helpers.js";

const tenants = tempTenants();
const TRUSTEES = ["ben.ortiz", "carla.diaz", "dev.patel", "erin.kim", "harry.wells", "ivy.chen", "frank.moss"].map((t) => `${t}@contoso.com`);

/** Outcome of each write: "ok" or the error code. */
async function outcomes(t: SimulatedTenant, writes: number, offset = 0): Promise<string[]> {
  const out: string[] = [];
  for (let i = offset; i < offset + writes; i++) {
    const trustee = TRUSTEES[i % TRUSTEES.length]!;
    try {
      await t.addRecipientPermission("support@contoso.com", trustee);
      out.push("ok");
      await t.removeRecipientPermission("support@contoso.com", trustee).catch(() => undefined);
    } catch (e) {
      out.push(ProviderError.is(e) ? e.code : String(e));
    }
  }
  return out;
}

describe("throttling", () => {
  it("throttles writes beyond the burst with TooManyRequests and a retry-after from the bucket", async () => {
    const t = tenants.contoso();
    t.setFaults({ writesPerSecond: 1, burst: 2 });
    await t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com");
    await t.addRecipientPermission("support@contoso.com", "carla.diaz@contoso.com");
    const error = await rejection(t.addRecipientPermission("support@contoso.com", "dev.patel@contoso.com"), "throttled");
    expect(error.code).toBe("TooManyRequests");
    expect(error.retryAfterMs).toBe(1000);
    expect(error.retryable).toBe(true);
    await t.clock.sleep(error.retryAfterMs!);
    await t.addRecipientPermission("support@contoso.com", "dev.patel@contoso.com");
    const log = t.readLog({ operation: "addRecipientPermission" });
    expect(log.map((e) => e.code ?? "ok")).toEqual(["ok", "ok", "TooManyRequests", "ok"]);
    expect(log[2]?.kind).toBe("throttled");
  });

  it("does not throttle admin edits", () => {
    const t = tenants.contoso();
    t.setFaults({ writesPerSecond: 1, burst: 1, transientRate: 1 });
    for (const trustee of TRUSTEES) t.adminAddGrant("support@contoso.com", "SendAs", trustee);
    expect(t.readLog({ operation: "admin.addGrant" }).every((e) => e.outcome === "ok")).toBe(true);
  });

  it("refills the bucket on the tenant clock", () => {
    const settings = { ...DEFAULT_FAULTS, writesPerSecond: 2, burst: 1 };
    const state = initialFaultState(settings);
    expect(decideWrite(settings, state, 0).fault).toBeNull();
    expect(decideWrite(settings, state, 100)).toEqual({ fault: "throttled", retryAfterMs: 400 });
    expect(decideWrite(settings, state, 500).fault).toBeNull();
  });
});

describe("transient failures", () => {
  it("fail the same writes for the same seed, and continue the sequence across processes", async () => {
    const a = tenants.contoso();
    const b = tenants.contoso();
    a.setFaults({ transientRate: 0.5, seed: 42 });
    b.setFaults({ transientRate: 0.5, seed: 42 });
    const first = await outcomes(a, 6);
    expect(first).toContain("ServiceUnavailable");
    expect(first).toContain("ok");
    expect(await outcomes(b, 6)).toEqual(first);

    // a reopened tenant continues the sequence instead of restarting it
    const rest = await outcomes(a, 6, 6);
    const path = b.path;
    b.close();
    const reopened = SimulatedTenant.open(path);
    expect(await outcomes(reopened, 6, 6)).toEqual(rest);
    reopened.close();
  });

  it("draws from a seeded PRNG", () => {
    const draws = (seed: number) => {
      let s = seed;
      return Array.from({ length: 3 }, () => {
        const d = nextRandom(s);
        s = d.state;
        return d.value;
      });
    };
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });
});

describe("latency and the clock", () => {
  it("adds latency to writes on the virtual clock without waiting", async () => {
    const t = tenants.contoso();
    t.setFaults({ latencyMs: 2 * MINUTE });
    const before = t.nowMs();
    // a real wait of two minutes would outlast the test's timeout: no wall-clock threshold needed
    await t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com");
    expect(t.nowMs() - before).toBe(2 * MINUTE);
  });

  it("keeps virtual time in the file, so another process sees the advanced clock", () => {
    const t = tenants.contoso();
    t.advanceClock(90 * MINUTE);
    const other = SimulatedTenant.open(t.path);
    expect(new Date(other.nowMs()).toISOString()).toBe("2026-11-01T10:30:00.000Z");
    other.close();
  });

  it("runs a real clock from the stored time", async () => {
    const t = tenants.contoso();
    const path = t.path;
    t.close();
    const real = SimulatedTenant.open(path, { clock: "real" });
    const start = real.nowMs();
    expect(start).toBeGreaterThanOrEqual(Date.parse("2026-11-01T09:00:00.000Z"));
    await real.clock.sleep(20);
    expect(real.nowMs() - start).toBeGreaterThanOrEqual(15);
    real.close();
  });
});

describe("failing reads", () => {
  it("fails the next N bulk reads as transient, rejecting the whole observation", async () => {
    const t = tenants.contoso();
    t.setFaults({ failReads: 2 });
    const error = await rejection(t.listGrants(), "transient");
    expect(error.code).toBe("ServiceUnavailable");
    await expect(observe(t)).rejects.toSatisfy((e: unknown) => ProviderError.is(e) && e.kind === "transient");
    const state = await observe(t);
    expect(state.grants.length).toBe(5);
    expect(t.faults().failReads).toBe(0);
  });
});

describe("crashes", () => {
  const script = fileURLToPath(new URL("./scripts/crash-writer.ts", import.meta.url));
  const run = (path: string, n: number, mode: string) =>
    spawnSync(process.execPath, ["--import", "tsx", script, path, String(n), mode], { encoding: "utf8", timeout: 60_000 });

  function consistency(path: string): { integrity: string; fkProblems: number; orphanGrants: number; overConsumed: number } {
    const db = new Database(path, { readonly: true });
    try {
      return {
        integrity: db.pragma("integrity_check", { simple: true }) as string,
        fkProblems: (db.pragma("foreign_key_check") as unknown[]).length,
        orphanGrants: db.prepare("SELECT count(*) FROM grants g WHERE NOT EXISTS (SELECT 1 FROM mailboxes m WHERE m.address = g.mailbox)").pluck().get() as number,
        overConsumed: db
          .prepare("SELECT count(*) FROM skus s WHERE (SELECT count(*) FROM user_licenses l WHERE l.sku = s.part_number) > s.prepaid")
          .pluck()
          .get() as number,
      };
    } finally {
      db.close();
    }
  }

  /** Run the writer in a child process until the tenant kills it; check the file; open it. */
  function crashedTenant(n: number, mode: "afterCommit" | "beforeCommit"): { t: SimulatedTenant; stdout: string[] } {
    const path = tenants.path();
    SimulatedTenant.create(path, loadFixture("contoso")).close();
    const result = run(path, n, mode);
    expect(result.signal).toBe("SIGKILL");
    expect(consistency(path)).toEqual({ integrity: "ok", fkProblems: 0, orphanGrants: 0, overConsumed: 0 });
    return { t: SimulatedTenant.open(path), stdout: result.stdout.trim().split("\n") };
  }
  const trusteesWritten = (t: SimulatedTenant) =>
    t.readLog({ operation: "addRecipientPermission" }).map((e) => `${e.outcome} ${(e.args as { trustee: string }).trustee}`);

  it("kills the process after N committed writes, leaving a consistent tenant whose log shows exactly those writes", () => {
    const { t, stdout } = crashedTenant(3, "afterCommit");
    expect(stdout).toEqual(["wrote ben.ortiz", "wrote carla.diaz"]); // the 3rd committed, unreported
    expect(trusteesWritten(t)).toEqual(["ok ben.ortiz@contoso.com", "ok carla.diaz@contoso.com", "ok dev.patel@contoso.com"]);
    expect(t.exportFixture().grants.filter((g) => g.right === "SendAs").map((g) => g.trustee)).toEqual([
      "erin.kim@contoso.com",
      "ann.lee@contoso.com",
      "ben.ortiz@contoso.com",
      "carla.diaz@contoso.com",
      "dev.patel@contoso.com",
    ]);
    expect(t.faults().crashAfterWrites).toBeNull(); // disarmed: the next process runs normally
    t.close();
  });

  it("loses the Nth write when crashing before its commit", () => {
    const { t } = crashedTenant(3, "beforeCommit");
    expect(trusteesWritten(t)).toEqual(["ok ben.ortiz@contoso.com", "ok carla.diaz@contoso.com"]);
    expect((t.exportFixture().grants.some((g) => g.trustee === "dev.patel@contoso.com"))).toBe(false);
    expect(t.faults().crashAfterWrites).toBeNull();
    t.close();
  });
});
