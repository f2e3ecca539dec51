import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyPlan, FileJournal, journalPath, MemoryJournal, type ApplyEvent, type JournalState } from "../../lib/apply/index.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { buildPlan, contoso, contosoPlan, FAST } from "./helpers.js";
import type { FakeProvider } from "../util/fake-provider.js";

/** Checks a resumed run: each action starts at most once, and only after everything it depends on completed. */
class OrderCheck {
  readonly problems: string[] = [];
  private readonly finished: Set<string>;
  private readonly started = new Set<string>();
  private readonly deps: Map<string, readonly string[]>;
  constructor(plan: PlanDocument, survived: JournalState) {
    this.finished = new Set(survived.entries.filter((e) => e.t === "done").map((e) => e.id));
    this.deps = new Map(plan.actions.map((a) => [a.id, a.dependsOn]));
  }
  onEvent(e: ApplyEvent): void {
    if (e.type === "action-start") {
      if (this.started.has(e.action.id)) this.problems.push(`${e.action.id} started twice`);
      if (this.finished.has(e.action.id)) this.problems.push(`${e.action.id} started though the journal has it done`);
      this.started.add(e.action.id);
      for (const d of this.deps.get(e.action.id) ?? []) if (!this.finished.has(d)) this.problems.push(`${e.action.id} started before ${d} completed`);
    }
    if (e.type === "action-end" && e.result.status !== "failed") this.finished.add(e.action.id);
  }
}

/** The writes an uninterrupted apply of the contoso plan performs. */
async function baseline(): Promise<{ writes: string[]; plan: PlanDocument }> {
  const tenant = contoso();
  const plan = await contosoPlan(tenant);
  await applyPlan(plan, tenant, FAST);
  return { writes: tenant.state.applied.map((c) => `${c.op} ${c.target} ${c.args}`).sort(), plan };
}

/** Apply until write `n` crashes the process; return what survived: the tenant and the durable journal. */
async function crashAt(n: number, afterApply: boolean, parallelism: number): Promise<{ tenant: FakeProvider; survived: JournalState; plan: PlanDocument }> {
  const tenant = contoso();
  const plan = await contosoPlan(tenant);
  const journal = new MemoryJournal();
  let survived: JournalState | null = null;
  tenant.crashAtWrite(n, { afterApply, onCrash: () => (survived = journal.snapshot()) });
  // the crashed engine is dropped: whatever it does after the crash cannot reach the tenant or the journal snapshot
  await applyPlan(plan, tenant, { ...FAST, journal, parallelism }).catch(() => undefined);
  if (survived === null) throw new Error(`write ${n} never happened`);
  return { tenant, survived, plan };
}

describe("resuming an interrupted apply", () => {
  it("performs each write exactly once when the process dies before any write N+1, for every N", async () => {
    const { writes } = await baseline();
    expect(writes.length).toBeGreaterThanOrEqual(30);
    for (const parallelism of [1, 4]) {
      for (let n = 0; n < writes.length; n++) {
        const { tenant, survived, plan } = await crashAt(n + 1, false, parallelism);
        expect(tenant.state.applied).toHaveLength(n);
        const resumed = tenant.reopen();
        const order = new OrderCheck(plan, survived);
        const result = await applyPlan(plan, resumed, { ...FAST, journal: new MemoryJournal(survived), parallelism, onEvent: (e) => order.onEvent(e) });
        const context = `crash before write ${n + 1}, parallelism ${parallelism}`;
        expect(order.problems, context).toEqual([]);
        expect(result.summary.failed, context).toBe(0);
        expect(result.summary.notStarted, context).toBe(0);
        expect(result.converged, context).toBe(true);
        expect(result.resumed, context).toBe(true);
        expect(tenant.state.applied.map((c) => `${c.op} ${c.target} ${c.args}`).sort(), context).toEqual(writes);
      }
    }
  });

  it("settles a write that reached the tenant but not the journal (a half-run action), for every N", async () => {
    const { writes } = await baseline();
    for (let n = 0; n < writes.length; n++) {
      const { tenant, survived, plan } = await crashAt(n + 1, true, 4);
      expect(tenant.state.applied).toHaveLength(n + 1);
      const order = new OrderCheck(plan, survived);
      const result = await applyPlan(plan, tenant.reopen(), { ...FAST, journal: new MemoryJournal(survived), parallelism: 4, onEvent: (e) => order.onEvent(e) });
      const context = `crash after write ${n + 1}`;
      expect(order.problems, context).toEqual([]);
      expect(result.converged, context).toBe(true);
      expect(tenant.state.applied.map((c) => `${c.op} ${c.target} ${c.args}`).sort(), context).toEqual(writes);
    }
  });

  it("reports an action the journal says started (but not done) as done when the tenant shows its effect, without writing", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } },
      { type: "user.blockSignIn", target: "support@contoso.com" },
    ]);
    const [grant, block] = plan.actions;
    // the first run: grant done and journaled; block started, its write reached the tenant, then the process died
    tenant.state.grants.get("support@contoso.com")!.set("SendAs\nben.ortiz@contoso.com", { mailbox: "support@contoso.com", right: "SendAs", trustee: "ben.ortiz@contoso.com" });
    tenant.state.users.set("id-support@contoso.com", { ...tenant.state.users.get("id-support@contoso.com")!, accountEnabled: false });
    const journal = new MemoryJournal({
      begun: true,
      entries: [
        { t: "started", id: grant!.id },
        { t: "done", id: grant!.id, how: "ran" },
        { t: "started", id: block!.id },
      ],
    });
    const resumed = tenant.reopen();
    const result = await applyPlan(plan, resumed, { ...FAST, journal });
    expect(result.resumed).toBe(true);
    expect(result.actions.map((a) => [a.status, a.settledBy])).toEqual([
      ["done", "journal"],
      ["done", "read"],
    ]);
    expect(resumed.writes()).toEqual([]);
    // and it was settled by reading the user, not by trusting the journal
    expect(resumed.calls.some((c) => c.op === "getUser" && c.target === "support@contoso.com")).toBe(true);
    expect(journal.snapshot().entries.at(-1)).toEqual({ t: "done", id: block!.id, how: "settled" });
  });

  it("runs a half-run action again when the tenant does not show its effect", async () => {
    const tenant = contoso();
    const plan = await buildPlan(tenant, [{ type: "user.blockSignIn", target: "support@contoso.com" }]);
    const journal = new MemoryJournal({ begun: true, entries: [{ t: "started", id: plan.actions[0]!.id }] });
    const result = await applyPlan(plan, tenant, { ...FAST, journal });
    expect(result.actions[0]).toMatchObject({ status: "done", attempts: 1 });
    expect(tenant.writes()).toEqual(["setAccountEnabled support@contoso.com false"]);
  });

  it("does not refuse the resumed plan as stale because of the plan's own changes, but still refuses other changes", async () => {
    const { tenant, survived, plan } = await crashAt(10, false, 4);
    // a trustee the plan relies on was changed meanwhile: that is not the plan's doing
    const carla = tenant.state.users.get("id-carla.diaz@contoso.com")!;
    tenant.state.users.set(carla.id, { ...carla, displayName: "Carla Díaz-Ruiz" });
    await expect(applyPlan(plan, tenant.reopen(), { ...FAST, journal: new MemoryJournal(survived) })).rejects.toThrow(
      /stale plan: user carla\.diaz@contoso\.com changed/,
    );
    tenant.state.users.set(carla.id, carla);
    const result = await applyPlan(plan, tenant.reopen(), { ...FAST, journal: new MemoryJournal(survived) });
    expect(result.converged).toBe(true);
  });
});

describe("file journal", () => {
  let dir = "";
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const header = (planId: string) => ({ journal: 1 as const, planId, tenantId: "contoso" });

  it("keeps completed actions across processes, so a second run of the same plan does nothing again", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-"));
    const tenant = contoso();
    const plan = await contosoPlan(tenant);
    const file = journalPath(dir, plan.contentDigest);
    expect(file).toBe(join(dir, "journal", `${plan.contentDigest.slice(7, 23)}.jsonl`));
    const first = new FileJournal(file, header(plan.contentDigest));
    await applyPlan(plan, tenant, { ...FAST, journal: first });
    await first.close();
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(JSON.parse(lines[0]!)).toEqual(header(plan.contentDigest));
    expect(lines.filter((l) => l.includes('"t":"done"'))).toHaveLength(35);

    const again = tenant.reopen();
    const second = new FileJournal(file, header(plan.contentDigest));
    const result = await applyPlan(plan, again, { ...FAST, journal: second });
    await second.close();
    expect(result.resumed).toBe(true);
    expect(result.actions.every((a) => a.settledBy === "journal")).toBe(true);
    expect(again.writes()).toEqual([]);
  });

  it("batches fsyncs: a thousand completions cost far fewer than a thousand fsyncs", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-"));
    const journal = new FileJournal(join(dir, "j.jsonl"), header("sha256:aa"));
    await journal.begin();
    const syncs: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      journal.append({ t: "done", id: `a${i}`, how: "ran" });
      syncs.push(journal.sync());
    }
    await Promise.all(syncs);
    expect(journal.fsyncs).toBeLessThanOrEqual(3);
    expect((await journal.load()).entries).toHaveLength(1000);
    await journal.close();
  });

  it("ignores a torn last line left by a crash mid-write and appends after it", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-"));
    const file = join(dir, "j.jsonl");
    writeFileSync(file, `${JSON.stringify(header("sha256:bb"))}\n{"t":"done","id":"a","how":"ran"}\n{"t":"do`);
    const journal = new FileJournal(file, header("sha256:bb"));
    expect(await journal.load()).toEqual({ begun: true, entries: [{ t: "done", id: "a", how: "ran" }] });
    await journal.begin();
    journal.append({ t: "done", id: "b", how: "skipped" });
    await journal.close();
    expect((await new FileJournal(file, header("sha256:bb")).load()).entries.map((e) => e.id)).toEqual(["a", "b"]);
  });

  it("treats a journal whose header never completed as not begun", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-"));
    const file = join(dir, "j.jsonl");
    writeFileSync(file, `{"journal":1,"planId":"sha`);
    const journal = new FileJournal(file, header("sha256:cc"));
    expect(await journal.load()).toEqual({ begun: false, entries: [] });
    await journal.begin();
    await journal.close();
    expect(readFileSync(file, "utf8")).toBe(`${JSON.stringify(header("sha256:cc"))}\n`);
  });

  it("refuses a journal that belongs to another plan", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-"));
    const file = join(dir, "j.jsonl");
    writeFileSync(file, `${JSON.stringify(header("sha256:other"))}\n`);
    await expect(new FileJournal(file, header("sha256:mine")).load()).rejects.toThrow(/journal of plan sha256:other/);
  });
});
