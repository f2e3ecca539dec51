import { join } from "node:path";
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { FileLockStore } from "../../lib/apply/index.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { convergedWorld, type World } from "./world.js";

/** Out-of-band changes of every class: an extra FullAccess and sign-in enabled (security), a removed SendAs (access), a shared mailbox turned back into a user's (review). */
function tamper(w: World): void {
  w.tenant.adminAddGrant("support@contoso.com", "FullAccess", "frank.moss@contoso.com");
  w.tenant.adminSetAccountEnabled("support@contoso.com", true);
  w.tenant.adminRemoveGrant("support@contoso.com", "SendAs", "ann.lee@contoso.com");
  w.tenant.adminConvert("harry.wells@contoso.com", "regular");
}

const SECURITY_WRITES = ["removeMailboxPermission support@contoso.com", "setAccountEnabled support@contoso.com"];
const ACCESS_WRITES = ["addRecipientPermission support@contoso.com"];

describe("a reconcile cycle", () => {
  let w: World;
  beforeEach(async () => {
    w = await convergedWorld();
  });

  it("finds nothing to do on a tenant that matches the code, and says it is ready", async () => {
    const status = await w.reconciler(["security", "access"]).cycle();
    expect(status.remaining).toBe(0);
    expect(status.healed).toEqual([]);
    expect(status.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(["Ready=True/InSync", "Drifted=False/InSync", "Healing=False/NothingToHeal", "Degraded=False/Healthy"]);
    expect(status.observedGeneration).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("heals nothing by default: every difference is reported, none is written", async () => {
    tamper(w);
    const seq = w.lastSeq();
    const status = await w.reconciler([]).cycle();
    expect(w.writesSince(seq)).toEqual([]);
    expect(status.planned.security).toBe(2);
    expect(status.planned.access).toBe(1);
    expect(status.planned.review).toBeGreaterThan(0);
    expect(status.remaining).toBe(status.planned.security + status.planned.access + status.planned.review);
    expect(status.conditions.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "DifferencesRemain" });
  });

  it("heals only the security class when only it is opted into: the extra grant revoked and sign-in blocked again", async () => {
    tamper(w);
    const seq = w.lastSeq();
    const status = await w.reconciler(["security"]).cycle();
    expect(w.writesSince(seq).sort()).toEqual(SECURITY_WRITES);
    expect(status.healed.map((a) => [a.class, a.type, a.outcome])).toEqual(
      expect.arrayContaining([
        ["security", "permission.revoke", "done"],
        ["security", "user.blockSignIn", "done"],
      ]),
    );
    expect(status.notOptedIn.map((a) => a.id)).toEqual(["support@contoso.com:permission.grant:SendAs:ann.lee@contoso.com"]);
    expect(status.conditions.find((c) => c.type === "Healing")).toMatchObject({ status: "True", reason: "Healed" });
  });

  it("heals security and access when both are opted into, and never a change that needs review", async () => {
    tamper(w);
    const seq = w.lastSeq();
    const status = await w.reconciler(["security", "access"]).cycle();
    expect(w.writesSince(seq).sort()).toEqual([...ACCESS_WRITES, ...SECURITY_WRITES].sort());
    expect(status.awaitingReview.map((a) => a.target)).toContain("harry.wells@contoso.com");
    expect(status.awaitingReview.every((a) => a.class === "review")).toBe(true);
    // the conversion back to shared is the reviewer's: a second cycle still leaves it alone
    const again = await w.reconciler(["security", "access"]).cycle();
    expect(w.writesSince(seq).sort()).toEqual([...ACCESS_WRITES, ...SECURITY_WRITES].sort());
    expect(again.healed).toEqual([]);
    expect(again.remaining).toBe(again.awaitingReview.length);
  });

  it("never heals a destructive change, whatever is opted into", async () => {
    tamper(w);
    const status = await w.reconciler(["security", "access"]).cycle();
    const plan = JSON.parse(readFileSync(status.healPlan!, "utf8")) as PlanDocument;
    const allowed = new Set(["user.blockSignIn", "permission.revoke", "permission.grant"]);
    expect(plan.actions.filter((a) => !allowed.has(a.type))).toEqual([]);
    expect(plan.actions.filter((a) => a.destructive).map((a) => a.reason)).toEqual(["grant_not_declared"]);
  });

  it("saves the heal as an ordinary plan document, with the fingerprints of what it touches", async () => {
    tamper(w);
    const status = await w.reconciler(["security"]).cycle();
    expect(status.healPlan).toMatch(new RegExp(`^${w.dir}/reconcile/heal-\\d{8}T\\d{6}Z-[0-9a-f]{12}\\.json$`));
    const plan = JSON.parse(readFileSync(status.healPlan!, "utf8")) as PlanDocument;
    expect(plan.summary.actions).toBe(2);
    expect(Object.keys(plan.fingerprint.objects).sort()).toEqual(["grants:support@contoso.com", "mailbox:support@contoso.com", "user:support@contoso.com"]);
  });

  it("keeps a condition's lastTransitionTime while its status stays, and moves it when it changes", async () => {
    const r = w.reconciler(["security"]);
    const first = await r.cycle();
    w.wall += 60_000;
    const second = await r.cycle();
    const ready = (s: typeof first) => s.conditions.find((c) => c.type === "Ready")!;
    expect(ready(second).lastTransitionTime).toBe(ready(first).lastTransitionTime);
    w.tenant.adminConvert("harry.wells@contoso.com", "regular");
    w.wall += 60_000;
    const third = await r.cycle();
    expect(ready(third).status).toBe("False");
    expect(ready(third).lastTransitionTime).toBe(third.finishedAt);
  });

  it("skips the cycle and says so when an apply holds the tenant lock", async () => {
    tamper(w);
    const held = await new FileLockStore(join(w.dir, "tenant.db.lock")).acquire({ tenantId: "contoso", planId: "sha256:other", holder: { who: "ci@runner", host: "runner", pid: 1 } });
    const seq = w.lastSeq();
    const status = await w.reconciler(["security"]).cycle();
    await held.release();
    expect(w.writesSince(seq)).toEqual([]);
    expect(status.skipped).toMatchObject({ reason: "TenantLocked" });
    expect(status.skipped!.message).toContain("ci@runner");
    expect(status.error).toBeUndefined();
  });

  it("reports a desired state that cannot be read as a failed cycle, Degraded, without touching the tenant", async () => {
    const r = w.reconciler(["security"]);
    const seq = w.lastSeq();
    (r as unknown as { ports: { loadDesired: () => never } }).ports.loadDesired = () => {
      throw new UserError("desired.json: not found", "file_system");
    };
    const status = await r.cycle();
    expect(w.writesSince(seq)).toEqual([]);
    expect(status.error).toEqual({ code: "file_system", message: "desired.json: not found" });
    expect(status.conditions.find((c) => c.type === "Degraded")).toMatchObject({ status: "True", reason: "CycleFailed" });
  });
});

describe("the loop", () => {
  it("backs off exponentially after consecutive failures, capped, and returns to the interval after a success", async () => {
    const w = await convergedWorld();
    const r = w.reconciler([], { intervalMs: 900_000, baseBackoffMs: 10_000, maxBackoffMs: 120_000 });
    const ports = (r as unknown as { ports: { loadDesired: () => unknown } }).ports;
    const desired = ports.loadDesired;
    ports.loadDesired = () => {
      throw new UserError("app failed", "synth_failed");
    };
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(r.delayAfter(await r.cycle()));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 120_000, 120_000]);
    ports.loadDesired = desired;
    expect(r.delayAfter(await r.cycle())).toBe(900_000);
  });

  it("runs one cycle with once, and cycles on the interval until stopped otherwise", async () => {
    const w = await convergedWorld();
    const once = await w.reconciler([]).run(new AbortController().signal, true);
    expect(once?.cycle).toBe(1);

    const stop = new AbortController();
    const r = w.reconciler([], { onStatus: (s) => void (s.cycle === 3 && stop.abort()) });
    const start = w.wall;
    const last = await r.run(stop.signal);
    expect(last?.cycle).toBe(3);
    expect(w.wall - start).toBe(2 * 900_000);
  });

  it("counts cycles, planned actions by class and heals in its metrics", async () => {
    const w = await convergedWorld();
    const r = w.reconciler(["security"]);
    tamper(w);
    await r.cycle();
    const text = r.metrics.render();
    expect(text).toContain('exoform_reconcile_cycles_total{result="ok"} 1');
    expect(text).toContain('exoform_reconcile_drift_actions{class="security"} 2');
    expect(text).toContain('exoform_reconcile_drift_actions{class="access"} 1');
    expect(text).toContain('exoform_reconcile_heals_total{class="security"} 2');
    expect(text).toContain("exoform_reconcile_ready 0");
  });
});

describe("two reconcilers on one tenant", () => {
  it("lets one act while it holds the lease; the other skips, then takes over once the lease expires", async () => {
    const w = await convergedWorld();
    const a = w.reconciler(["security"], { leaseHolder: "replica-a" });
    const b = w.reconciler(["security"], { leaseHolder: "replica-b" });
    tamper(w);
    const seq = w.lastSeq();
    const [first, second] = [await a.cycle(), await b.cycle()];
    expect(first.healed.length).toBe(2);
    expect(second.skipped).toMatchObject({ reason: "LeaseHeld" });
    expect(second.skipped!.message).toContain("replica-a");
    expect(w.writesSince(seq).sort()).toEqual(SECURITY_WRITES);

    // a stops renewing (its pod died): after the lease's 60 s, b acts
    w.tenant.adminSetAccountEnabled("support@contoso.com", true);
    w.wall += 61_000;
    const later = await b.cycle();
    expect(later.skipped).toBeUndefined();
    expect(later.healed.map((x) => x.type)).toEqual(["user.blockSignIn"]);
    const back = await a.cycle();
    expect(back.skipped).toMatchObject({ reason: "LeaseHeld" });
  });

  it("gives the lease up when the loop stops, so a replica takes over at once", async () => {
    const w = await convergedWorld();
    const a = w.reconciler([], { leaseHolder: "replica-a" });
    await a.run(new AbortController().signal, true);
    const b = await w.reconciler([], { leaseHolder: "replica-b" }).cycle();
    expect(b.skipped).toBeUndefined();
  });
});
