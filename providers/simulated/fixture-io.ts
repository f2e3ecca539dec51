/**
 * Fixture import and export for the simulated tenant: replace the whole
 * tenant with a (validated) fixture, and write the tenant back as a fixture
 * document, the format `tenant init --fixture` reads; the two round-trip
 * exactly. The fixture types, defaults, loading and validation are in
 * fixture.ts.
 */
import type { Right } from "../../lib/provider/observed.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import { initialFaultState } from "./faults.js";
import { DEFAULT_FAULTS, DEFAULT_TIMING, type FaultSettings, type FixtureGrant, type TenantFixture, type TimingSettings } from "./fixture.js";
import type { Runner } from "./runner.js";
import { iso, localPart, lower, type MailboxRow, type SkuTuple, type Store, type UserRow } from "./store.js";

/** Replace the whole tenant with `f` (already validated) in one transaction, logged as admin.seed. The operation log is kept. */
export function replaceState(store: Store, run: Runner, f: TenantFixture): void {
  const { db, q } = store;
  const now = Date.parse(f.clock);
  db.transaction(() => {
    for (const table of ["grants", "mailboxes", "user_licenses", "users", "skus"]) db.exec(`DELETE FROM ${table}`);
    q.setMeta.run("tenant", JSON.stringify({ id: f.tenant.id, domains: f.tenant.domains.map(lower).sort(compareStrings), hybrid: f.tenant.hybrid }));
    run.setClock(now);
    db.prepare("DELETE FROM meta WHERE key IN ('timing', 'faults', 'faultState', 'nextUserSeq')").run();
    if (f.settings?.timing) q.setMeta.run("timing", JSON.stringify({ ...DEFAULT_TIMING, ...f.settings.timing }));
    const faults = { ...DEFAULT_FAULTS, ...(f.settings?.faults ?? {}) };
    q.setMeta.run("faults", JSON.stringify(faults));
    q.setMeta.run("faultState", JSON.stringify(initialFaultState(faults)));
    for (const s of f.skus) q.insertSku.run(s.skuPartNumber, s.skuId, s.prepaidUnits, JSON.stringify([...s.servicePlans].sort(compareStrings)));
    const ms = (t: string | null | undefined) => (t ? Date.parse(t) : null);
    for (const u of f.users) {
      const deletedAt = ms(u.deletedAt);
      q.insertUser.run(u.id, lower(u.userPrincipalName), u.displayName, Number(u.accountEnabled ?? true), u.usageLocation ?? null,
        Number(u.onPremisesSyncEnabled ?? false), deletedAt, ms(u.passwordResetAt));
      for (const sku of u.licenses ?? []) q.insertLicense.run(u.id, sku);
    }
    for (const m of f.mailboxes) {
      const address = lower(m.address);
      q.insertMailbox.run(address, m.displayName, m.alias ?? localPart(address), m.type, m.userId, m.sizeBytes ?? 0,
        Number(m.litigationHold ?? false), Number(m.archive ?? false), ms(m.readyAt), ms(m.deletedAt), ms(m.disconnectAt), m.managementTag ?? null);
    }
    const insertGrant = q.insertGrant;
    for (const g of f.grants) {
      insertGrant.run(lower(g.mailbox), g.right, lower(g.trustee), g.right === "FullAccess" ? Number(g.autoMapping ?? true) : null, ms(g.effectiveAt));
    }
    run.forgetSettled();
    run.log("admin.seed", f.tenant.id, { users: f.users.length, mailboxes: f.mailboxes.length, grants: f.grants.length }, null);
  })();
}

/** The whole tenant as a fixture document (the format `tenant init --fixture` reads), time-driven events applied first. */
export function exportFixture(store: Store, run: Runner): TenantFixture {
  const q = store.q;
  return store.db.transaction(() => {
    run.settle();
    const licenses = store.licensesByUser();
    const users = (q.usersFull.all() as UserRow[]).map((u) => ({
      id: u.id,
      userPrincipalName: u.upn,
      displayName: u.display_name,
      accountEnabled: u.account_enabled === 1,
      usageLocation: u.usage_location,
      licenses: [...(licenses.get(u.id) ?? [])],
      onPremisesSyncEnabled: u.synced === 1,
      deletedAt: iso(u.deleted_at),
      passwordResetAt: iso(u.password_reset_at),
    }));
    const mailboxes = (q.mailboxesFull.all() as MailboxRow[]).map((m) => ({
      address: m.address,
      displayName: m.display_name,
      alias: m.alias,
      type: m.type,
      userId: m.user_id,
      sizeBytes: m.size_bytes,
      litigationHold: m.litigation_hold === 1,
      archive: m.archive === 1,
      readyAt: iso(m.ready_at),
      deletedAt: iso(m.deleted_at),
      disconnectAt: iso(m.disconnect_at),
      managementTag: m.management_tag,
    }));
    const grants = (q.grantsFull.raw().all() as Array<[string, Right, string, number | null, number | null]>).map(
      ([mailbox, right, trustee, autoMapping, effectiveAt]): FixtureGrant => {
        const base = right === "FullAccess" ? { mailbox, right, trustee, autoMapping: autoMapping === 1 } : { mailbox, right, trustee };
        return effectiveAt === null ? base : { ...base, effectiveAt: new Date(effectiveAt).toISOString() };
      },
    );
    const skus = (q.skusAll.raw().all() as SkuTuple[]).map(([skuPartNumber, skuId, prepaidUnits, plans]) => ({
      skuPartNumber, skuId, prepaidUnits, servicePlans: JSON.parse(plans) as string[],
    }));
    const settings = nonDefaultSettings(store, run);
    const doc: TenantFixture = {
      formatVersion: 1,
      tenant: store.tenantInfo(),
      clock: new Date(run.nowMs()).toISOString(),
      skus,
      users,
      mailboxes,
      grants,
    };
    return settings ? { ...doc, settings } : doc;
  })();
}

/** The timing and fault settings that differ from the defaults, for the fixture's `settings`. */
function nonDefaultSettings(store: Store, run: Runner): TenantFixture["settings"] | undefined {
  const timing = store.tryMeta("timing");
  const faults = store.tryMeta("faults");
  const out: { timing?: Partial<TimingSettings>; faults?: Partial<FaultSettings> } = {};
  if (timing !== undefined && timing !== JSON.stringify(DEFAULT_TIMING)) out.timing = store.timing();
  if (faults !== undefined && JSON.stringify(run.faults()) !== JSON.stringify(DEFAULT_FAULTS)) out.faults = run.faults();
  return out.timing || out.faults ? out : undefined;
}
