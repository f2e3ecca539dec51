import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPlan, FileJournal, journalPath, MemoryJournal, type Journal } from "../../lib/apply/index.js";
import { FingerprintIndex } from "../../lib/plan/fingerprint.js";
import { PLAN_FORMAT_VERSION, type PlanAction } from "../../lib/plan/types.js";
import { observe } from "../../lib/provider/observe.js";
import type { ITenantProvider, ObservedGrant, ObservedMailbox, ObservedUser } from "../../lib/provider/index.js";
import { mailbox, user } from "../util/fake-provider.js";
import { seal } from "./helpers.js";

/**
 * The least a provider can do: maps, no faults, and one turn of the event loop
 * per point read and write (as real I/O would yield, so journal flushes
 * interleave with actions). Only what a grant-only apply calls.
 */
function trivialProvider(mailboxes: ObservedMailbox[], users: ObservedUser[]): ITenantProvider {
  let now = Date.parse("2026-11-01T09:00:00Z");
  const tick = () => new Promise<void>((r) => setImmediate(r));
  const grants = new Map<string, Map<string, ObservedGrant>>();
  const byAddress = new Map(mailboxes.map((m) => [m.address, m]));
  const byUpn = new Map(users.map((u) => [u.userPrincipalName, u]));
  const unused = () => Promise.reject(new Error("not used by this benchmark"));
  return {
    name: "trivial",
    instance: "trivial",
    clock: { now: async () => new Date(now), sleep: async (ms) => void (now += ms) },
    readTenant: async () => ({ id: "contoso", domains: ["contoso.com"], hybrid: false }),
    listSkus: async () => [],
    listUsers: async () => users,
    listMailboxes: async () => mailboxes,
    listGrants: async () => [...grants.values()].flatMap((m) => [...m.values()]),
    getMailbox: async (a) => byAddress.get(a) ?? null,
    getUser: async (u) => byUpn.get(u) ?? null,
    getGrants: async (a) => {
      await tick();
      return [...(grants.get(a)?.values() ?? [])];
    },
    addRecipientPermission: async (a, t) => {
      await tick();
      let m = grants.get(a);
      if (!m) grants.set(a, (m = new Map()));
      m.set(t, { mailbox: a, right: "SendAs", trustee: t });
    },
    createSharedMailbox: unused,
    setMailboxType: unused,
    updateMailbox: unused,
    removeMailbox: unused,
    addMailboxPermission: unused,
    removeMailboxPermission: unused,
    removeRecipientPermission: unused,
    setSendOnBehalf: unused,
    assignLicense: unused,
    setAccountEnabled: unused,
    setUsageLocation: unused,
    resetPassword: unused,
    restoreUser: unused,
    setPrimaryAddress: unused,
    setUserPrincipalName: unused,
    revokeSignInSessions: unused,
  };
}

async function measure(count: number, journal: (planId: string) => Journal): Promise<{ perSecond: number; done: number }> {
  const trustees = Array.from({ length: 100 }, (_, i) => user(`t${i}@contoso.com`));
  const mailboxes = Array.from({ length: count / trustees.length }, (_, i) => mailbox(`m${i}@contoso.com`));
  const provider = trivialProvider(mailboxes, trustees);
  const actions: PlanAction[] = [];
  for (const m of mailboxes) {
    for (const t of trustees) {
      actions.push({
        id: `permission.grant:${m.address}:SendAs:${t.userPrincipalName}`,
        type: "permission.grant",
        target: m.address,
        params: { right: "SendAs", trustee: t.userPrincipalName },
        dependsOn: [],
        reason: "member_added",
        description: "",
        destructive: false,
        access: [],
      });
    }
  }
  const observed = await observe(provider);
  const plan = seal({
    formatVersion: PLAN_FORMAT_VERSION,
    stack: "bench",
    tenantId: "contoso",
    observedAt: observed.observedAt,
    desiredDigest: "sha256:0",
    fingerprint: { algorithm: "sha256", objects: FingerprintIndex.over(observed).ofAll(mailboxes.map((m) => `grants:${m.address}`)) },
    actions,
    diagnostics: [],
    summary: { actions: count, create: 0, update: 0, destroy: 0, destructive: 0, accessGained: count, accessLost: 0, errors: 0, warnings: 0 },
  });
  const j = journal(plan.contentDigest);
  const t0 = performance.now();
  const result = await applyPlan(plan, provider, { parallelism: 4, journal: j });
  const seconds = (performance.now() - t0) / 1000;
  await j.close();
  expect(result.converged).toBe(true);
  return { perSecond: Math.round(count / seconds), done: result.summary.done };
}

describe("apply throughput", () => {
  it("applies 20k grants, each once, with an in-memory journal (the rate is a bench row)", async () => {
    const { perSecond, done } = await measure(20_000, () => new MemoryJournal());
    console.log(`apply throughput (20k grants, memory journal, parallelism 4): ${perSecond} actions/s`);
    expect(done).toBe(20_000); // the rate is `npm run bench`'s row "apply grant actions, no faults" (>= 5,000 actions/s)
  });

  it("applies 100k grants with the fsync'd file journal in under one fsync per ten actions (group commit; the rate is a bench row)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exoform-bench-"));
    try {
      let file: FileJournal | null = null;
      const { perSecond } = await measure(100_000, (planId) => (file = new FileJournal(journalPath(dir, planId), { journal: 1, planId, tenantId: "contoso" })));
      console.log(`apply throughput (100k grants, file journal, parallelism 4): ${perSecond} actions/s, ${file!.fsyncs} fsyncs`);
      expect(file!.fsyncs).toBeLessThan(100_000 / 10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
