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
import { customAttributesOf, DEFAULT_FAULTS, DEFAULT_TIMING, mailboxSettingsOf, type FaultSettings, type FixtureGrant, type FixtureGroup, type FixtureMailbox, type TenantFixture, type TimingSettings } from "./fixture.js";
import type { Runner } from "./runner.js";
import { attributeName, attributeNumber, iso, localPart, lower, type MailboxRow, type MailboxSettingsRow, type SkuTuple, type Store, type UserRow } from "./store.js";

/** Replace the whole tenant with `f` (already validated) in one transaction, logged as admin.seed. The operation log is kept. */
export function replaceState(store: Store, run: Runner, f: TenantFixture): void {
  const { db, q } = store;
  const now = Date.parse(f.clock);
  db.transaction(() => {
    for (const table of ["grants", "proxy_addresses", "mailbox_settings", "custom_attributes", "user_sessions", "mail_group_members", "mail_groups", "mailboxes", "user_licenses", "users", "skus"]) db.exec(`DELETE FROM ${table}`);
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
      if (u.sessionsRevokedAt) q.revokeSessions.run(u.id, Date.parse(u.sessionsRevokedAt));
    }
    for (const m of f.mailboxes) {
      const address = lower(m.address);
      q.insertMailbox.run(address, m.displayName, m.alias ?? localPart(address), m.type, m.userId, m.sizeBytes ?? 0,
        Number(m.litigationHold ?? false), Number(m.archive ?? false), ms(m.readyAt), ms(m.deletedAt), ms(m.disconnectAt), m.managementTag ?? null);
      const s = mailboxSettingsOf(m);
      if (s.hiddenFromAddressLists || s.messageCopyForSentAs || s.messageCopyForSendOnBehalf) {
        q.upsertSettings.run(address, Number(s.hiddenFromAddressLists ?? false), Number(s.messageCopyForSentAs ?? false), Number(s.messageCopyForSendOnBehalf ?? false));
      }
      for (const extra of s.emailAddresses ?? []) q.insertProxy.run(extra, address);
      for (const [name, value] of Object.entries(m.customAttributes ?? {})) q.setAttribute.run(address, attributeNumber(name), value);
    }
    for (const g of f.groups ?? []) {
      q.insertGroup.run(g.id, lower(g.address), g.displayName);
      for (const member of g.members ?? []) q.insertGroupMember.run(g.id, member);
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
      ...(store.sessionsRevokedOf(u.id) !== undefined ? { sessionsRevokedAt: iso(store.sessionsRevokedOf(u.id)!) } : {}),
    }));
    const proxies = store.proxiesByMailbox();
    const attributes = store.customAttributesAll();
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
      ...customAttributesOf(Object.fromEntries([...(attributes.get(m.address) ?? [])].filter(([n]) => n !== 15).map(([n, v]) => [attributeName(n), v]))),
      ...settingsOfRow(store.settingsOf(m.address), proxies.get(m.address)),
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
    const groups = groupsOf(store);
    const doc: TenantFixture = {
      formatVersion: 1,
      tenant: store.tenantInfo(),
      clock: new Date(run.nowMs()).toISOString(),
      skus,
      users,
      mailboxes,
      grants,
    };
    const withGroups = groups.length > 0 ? { ...doc, groups } : doc;
    return settings ? { ...withGroups, settings } : withGroups;
  })();
}

/** The groups in the fixture's form: member ids (deleted users included, as the rows hold them), sorted. */
function groupsOf(store: Store): FixtureGroup[] {
  const rows = store.db.prepare("SELECT g.id, g.address, g.display_name, m.user_id FROM mail_groups g LEFT JOIN mail_group_members m ON m.group_id = g.id ORDER BY g.address, m.user_id").raw().all() as Array<[string, string, string, string | null]>;
  const out: Array<{ id: string; address: string; displayName: string; members: string[] }> = [];
  for (const [id, address, displayName, member] of rows) {
    if (out.at(-1)?.id !== id) out.push({ id, address, displayName, members: [] });
    if (member !== null) out.at(-1)!.members.push(member);
  }
  return out;
}

/** A mailbox's stored settings in the fixture's form: only what differs from the defaults. */
function settingsOfRow(s: MailboxSettingsRow | undefined, emailAddresses: readonly string[] | undefined): Partial<FixtureMailbox> {
  return mailboxSettingsOf({
    hiddenFromAddressLists: s?.hidden === 1,
    messageCopyForSentAs: s?.copy_sent_as === 1,
    messageCopyForSendOnBehalf: s?.copy_on_behalf === 1,
    ...(emailAddresses !== undefined ? { emailAddresses } : {}),
  });
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
