/**
 * Planner timing on generated tenants (not a test: run with
 *   npx tsx test/plan/bench-planner.ts [mailboxes] [grantsPerMailbox] [driftPercent]
 * ). Prints the time to plan a no-change tenant and a drifted one.
 */
import { desiredFromObserved } from "../../lib/export/from-observed.js";
import type { CanonicalDesiredState, CanonicalSharedMailbox } from "../../lib/model/normalize.js";
import { plan } from "../../lib/plan/planner.js";
import type { ObservedGrant, ObservedMailbox, ObservedState, ObservedUser, Right } from "../../lib/provider/observed.js";

export function generateTenant(mailboxes: number, grantsPerMailbox: number): ObservedState {
  const people = Math.max(100, Math.floor(mailboxes / 5));
  const pad = (n: number) => String(n).padStart(7, "0");
  const users: ObservedUser[] = [];
  const user = (upn: string, licenses: string[], enabled: boolean): ObservedUser => ({
    id: `id-${upn}`, userPrincipalName: upn, displayName: upn, accountEnabled: enabled, usageLocation: "US",
    licenses, onPremisesSyncEnabled: false, deletedAt: null,
  });
  for (let i = 0; i < people; i++) users.push(user(`p${pad(i)}@contoso.com`, ["EXCHANGESTANDARD"], true));
  const mbx: ObservedMailbox[] = [];
  const grants: ObservedGrant[] = [];
  const rights: Right[] = ["FullAccess", "SendAs", "SendOnBehalf"];
  for (let i = 0; i < mailboxes; i++) {
    const address = `s${pad(i)}@contoso.com`;
    users.push(user(address, [], false));
    mbx.push({
      address, displayName: `Shared ${i}`, alias: `s${pad(i)}`, type: "shared", userId: `id-${address}`, sizeBytes: 1e9,
      quotaBytes: 50 * 1024 ** 3, litigationHold: false, archive: false, readyAt: null, deletedAt: null, managementTag: null,
    });
    for (let j = 0; j < grantsPerMailbox; j++) {
      const right = rights[j % 3]!;
      const trustee = `p${pad((i * 7 + j * 13) % people)}@contoso.com`;
      grants.push({ mailbox: address, right, trustee, ...(right === "FullAccess" ? { autoMapping: true } : {}) });
    }
  }
  users.sort((a, b) => (a.userPrincipalName < b.userPrincipalName ? -1 : 1));
  return {
    tenant: { id: "contoso", domains: ["contoso.com"], hybrid: false },
    observedAt: "2026-11-01T09:00:00.000Z",
    skus: [{ skuPartNumber: "EXCHANGESTANDARD", skuId: "x", prepaidUnits: people + 1000, consumedUnits: people, servicePlans: ["EXCHANGE_S_STANDARD"] }],
    users, mailboxes: mbx, grants,
  };
}

/** Every `1/percent`-th mailbox renamed, one FullAccess trustee swapped, autoMapping flipped on another. */
export function drift(desired: CanonicalDesiredState, percent: number, people: number): CanonicalDesiredState {
  const every = Math.max(1, Math.round(100 / percent));
  const shared = desired.sharedMailboxes.map((m, i): CanonicalSharedMailbox => {
    if (i % every !== 0) return m;
    const [first, ...rest] = m.fullAccess;
    const extra = { trustee: `p${String((i * 31) % people).padStart(7, "0")}@contoso.com`, autoMapping: true };
    const fullAccess = [...rest.map((g, k) => (k === 0 ? { ...g, autoMapping: !g.autoMapping } : g)), ...(first && first.trustee !== extra.trustee ? [extra] : [])];
    const seen = new Set<string>();
    return { ...m, displayName: `${m.displayName} (renamed)`, fullAccess: fullAccess.filter((g) => !seen.has(g.trustee) && seen.add(g.trustee)) };
  });
  return { ...desired, sharedMailboxes: shared };
}

function time<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = f();
  const cpu = process.cpuUsage(c0);
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s cpu`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mailboxes = Number(process.argv[2] ?? 10_000);
  const per = Number(process.argv[3] ?? 10);
  const pct = Number(process.argv[4] ?? 5);
  const observed = time(`generate ${mailboxes} mailboxes / ${mailboxes * per} grants`, () => generateTenant(mailboxes, per));
  const desired = time("desiredFromObserved", () => desiredFromObserved(observed, { stack: "bench" }));
  const same = time("plan, no change", () => plan(desired, observed));
  console.log(`  actions: ${same.actions.length}, diagnostics: ${same.diagnostics.length}`);
  const drifted = drift(desired, pct, Math.max(100, Math.floor(mailboxes / 5)));
  const doc = time(`plan, ${pct}% drift`, () => plan(drifted, observed));
  console.log(`  actions: ${doc.actions.length}, errors: ${doc.summary.errors}, fingerprinted objects: ${Object.keys(doc.fingerprint.objects).length}`);
}
