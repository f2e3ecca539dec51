/**
 * Fixtures: the contoso cast loads exactly as the brief describes, export
 * round-trips, and bad fixtures are refused with every problem named by
 * file#path.
 */
import { readFileSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../lib/diagnostics/errors.js";
import { loadFixture, SimulatedTenant, type TenantFixture } from "../../../providers/simulated/index.js";
import { GB, tempTenants } from "./helpers.js";

const tenants = tempTenants();

function userErrorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (UserError.is(e)) return e;
    throw e;
  }
  throw new Error("expected a UserError");
}

describe("the contoso fixture", () => {
  it("exports exactly the fixture it was created from", () => {
    const raw = JSON.parse(readFileSync(new URL("../../../providers/simulated/fixtures/contoso.json", import.meta.url), "utf8")) as TenantFixture;
    const { $schema: _ignored, ...expected } = raw;
    expect(tenants.contoso().exportFixture()).toEqual(expected);
  });

  it("seats the cast's licenses and computes consumption from them", async () => {
    const skus = await tenants.contoso().listSkus();
    expect(skus.map((s) => [s.skuPartNumber, s.prepaidUnits, s.consumedUnits])).toEqual([
      ["EXCHANGEARCHIVE_ADDON", 2, 0],
      ["EXCHANGEENTERPRISE", 2, 1],
      ["EXCHANGESTANDARD", 6, 3],
      ["SPB", 1, 0],
      ["SPE_E3", 5, 4],
    ]);
    expect(skus.find((s) => s.skuPartNumber === "SPE_E3")?.skuId).toBe("05e9a617-0261-4cee-bb44-138d3ef5d965");
  });

  it("holds the cast's mailboxes, anchors and grants", async () => {
    const t = tenants.contoso();
    expect(await t.readTenant()).toEqual({ id: "contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"], hybrid: true });
    expect(new Date(t.nowMs()).toISOString()).toBe("2026-11-01T09:00:00.000Z");
    const support = await t.getMailbox("support@contoso.com");
    expect(support).toMatchObject({ type: "shared", sizeBytes: 20 * GB, displayName: "Contoso Support" });
    expect((await t.getUser("support@contoso.com"))?.accountEnabled).toBe(true);
    expect(await t.getMailbox("legal@contoso.com")).toMatchObject({ litigationHold: true, sizeBytes: 62 * GB, quotaBytes: 100 * GB });
    expect((await t.getMailbox("events-2025@contoso.com"))?.managementTag).toBe("exoform:stack=contoso;removal=delete");
    expect((await t.getMailbox("jack.hale@contoso.com"))?.deletedAt).toBe("2026-10-22T09:00:00.000Z");
    expect((await t.getUser("frank.moss@contoso.com"))?.onPremisesSyncEnabled).toBe(true);
    expect(await t.getUser("gina.rossi@contoso.com")).toMatchObject({ licenses: [], usageLocation: null });
    expect(await t.getMailbox("gina.rossi@contoso.com")).toBeNull();
    expect(await t.getGrants("support@contoso.com")).toEqual([
      { mailbox: "support@contoso.com", right: "FullAccess", trustee: "ann.lee@contoso.com", autoMapping: true },
      { mailbox: "support@contoso.com", right: "FullAccess", trustee: "gina.rossi@contoso.com", autoMapping: true },
      { mailbox: "support@contoso.com", right: "SendAs", trustee: "ann.lee@contoso.com" },
    ]);
    const shared = (await t.listMailboxes()).filter((m) => m.type === "shared");
    const users = new Map((await t.listUsers()).map((u) => [u.id, u]));
    for (const m of shared) expect(users.get(m.userId)?.userPrincipalName).toBe(m.address);
  });

  it("round-trips a changed tenant, settings included, through export and init", async () => {
    const t = tenants.contoso();
    await t.createSharedMailbox({ address: "info@contoso.com", displayName: "Contoso Info" });
    t.setFaults({ transientRate: 0.25, seed: 9 });
    t.adminDeleteUser("harry.wells@contoso.com");
    const exported = t.exportFixture();
    const again = tenants.from(exported);
    expect(again.exportFixture()).toEqual(exported);
    expect(again.faults().transientRate).toBe(0.25);
  });

  it("loads the empty fixture", async () => {
    const t = tenants.from(loadFixture("empty"));
    expect(await t.listMailboxes()).toEqual([]);
  });
});

describe("bad fixtures", () => {
  it("names every schema problem with file#path", () => {
    const file = tenants.path("bad-schema.json");
    const doc = { formatVersion: 1, tenant: { id: "x", domains: ["x.com"], hybrid: false }, skus: [], users: [], mailboxes: [{ address: "a@x.com", displayName: "A", type: "room", userId: "u" }], grants: [], extra: true };
    writeFileSync(file, JSON.stringify(doc));
    const error = userErrorOf(() => loadFixture(file));
    const where = error.diagnostics.map((d) => `${d.location}: ${d.message}`);
    expect(where).toContain(`${file}#/: missing required field "clock"`);
    expect(where.some((w) => w.startsWith(`${file}#/mailboxes/0/type:`))).toBe(true);
    expect(where.some((w) => w.startsWith(`${file}#/:`) && w.includes('unknown field "extra"'))).toBe(true);
  });

  it("reports schema and content problems together, so one pass fixes a fixture", () => {
    const file = tenants.path("bad-both.json");
    const doc = {
      formatVersion: 1,
      clock: "2026-11-01T09:00:00Z",
      tenant: { id: "x", domains: ["x.com"], hybrid: false },
      skus: [],
      users: [{ id: "u-1", userPrincipalName: "a@x.com", displayName: "A" }],
      mailboxes: [
        { address: "a@x.com", displayName: "A", type: "room", userId: "u-1" },
        { address: "b@x.com", displayName: "B", type: "shared", userId: "u-404" },
      ],
      grants: [{ mailbox: "nowhere@x.com", right: "SendAs", trustee: "a@x.com" }],
    };
    writeFileSync(file, JSON.stringify(doc));
    const where = userErrorOf(() => loadFixture(file)).diagnostics.map((d) => d.location);
    expect(where).toEqual(
      expect.arrayContaining([`${file}#/mailboxes/0/type`, `${file}#/mailboxes/1/userId`, `${file}#/grants/0/mailbox`]),
    );
  });

  it("names every semantic problem at once: duplicates, dangling references, seats over prepaid", () => {
    const base = loadFixture("empty");
    const doc: TenantFixture = {
      ...base,
      skus: [{ skuPartNumber: "EXCHANGESTANDARD", skuId: "4b9405b0-7788-4568-add1-99614e613b69", prepaidUnits: 0, servicePlans: ["EXCHANGE_S_STANDARD"] }],
      users: [
        { id: "u-1", userPrincipalName: "a@example.com", displayName: "A", usageLocation: "US", licenses: ["EXCHANGESTANDARD"] },
        { id: "u-2", userPrincipalName: "A@example.com", displayName: "A again" },
      ],
      mailboxes: [
        { address: "a@example.com", displayName: "A", type: "user", userId: "u-1" },
        { address: "A@example.com", displayName: "A", type: "user", userId: "u-2" },
        { address: "b@example.com", displayName: "B", type: "shared", userId: "u-404" },
      ],
      grants: [{ mailbox: "nowhere@example.com", right: "SendAs", trustee: "a@example.com" }],
    };
    const file = tenants.path("bad-semantic.json");
    writeFileSync(file, JSON.stringify(doc));
    const codes = userErrorOf(() => loadFixture(file)).diagnostics.map((d) => `${d.code} ${d.location}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        `fixture_duplicate_upn ${file}#/users/1/userPrincipalName`,
        `fixture_duplicate_address ${file}#/mailboxes/1/address`,
        `fixture_anchor_not_found ${file}#/mailboxes/2/userId`,
        `fixture_grant_unknown_mailbox ${file}#/grants/0/mailbox`,
        `fixture_seats_exceeded ${file}#/skus/0`,
      ]),
    );
  });

  it("says how to fix an unknown fixture name", () => {
    expect(userErrorOf(() => loadFixture("nope")).message).toContain("neither a built-in fixture (contoso, empty) nor a readable file");
  });
});

describe("opening and creating tenants", () => {
  it("refuses to open a missing tenant and says how to create one", () => {
    const path = tenants.path("missing.db");
    expect(userErrorOf(() => SimulatedTenant.open(path)).message).toBe(`no simulated tenant at ${path}; create one with: exoform tenant init --fixture contoso --tenant ${path} (or --fixture empty, or your own fixture file)`);
  });

  it("refuses a file that is not a tenant", () => {
    const path = tenants.path("not-a-tenant.db");
    writeFileSync(path, "hello");
    expect(userErrorOf(() => SimulatedTenant.open(path)).message).toContain("is not an exoform simulated tenant");
  });

  it("refuses to replace an existing tenant without force, and replaces it with force", async () => {
    const path = tenants.path();
    SimulatedTenant.create(path, loadFixture("contoso")).close();
    expect(userErrorOf(() => SimulatedTenant.create(path, loadFixture("empty"))).message).toContain("pass --force");
    const t = SimulatedTenant.create(path, loadFixture("empty"), { force: true });
    expect((await t.readTenant()).id).toBe("empty");
    t.close();
  });
});

describe("issue #13 state in fixtures and older tenant files", () => {
  it("round-trips mailbox settings, extra addresses, a rename and revoked sessions through export and init", async () => {
    const t = tenants.contoso();
    await t.updateMailbox("support@contoso.com", { hiddenFromAddressLists: true, messageCopyForSentAs: true, emailAddresses: { add: ["help@contoso.com"], remove: [] } });
    await t.setPrimaryAddress("legal@contoso.com", "law@contoso.com");
    const ann = (await t.getUser("ann.lee@contoso.com"))!;
    await t.revokeSignInSessions(ann.id);
    const exported = t.exportFixture();
    expect(exported.mailboxes.find((m) => m.address === "support@contoso.com")).toMatchObject({ hiddenFromAddressLists: true, messageCopyForSentAs: true, emailAddresses: ["help@contoso.com"] });
    expect(exported.mailboxes.find((m) => m.address === "law@contoso.com")?.emailAddresses).toEqual(["legal@contoso.com"]);
    expect(exported.users.find((u) => u.id === ann.id)?.sessionsRevokedAt).toBe(new Date(t.nowMs()).toISOString());
    expect(tenants.from(exported).exportFixture()).toEqual(exported);
  });

  it("round-trips groups, and refuses a group at a mailbox's address or with a member that is no user", () => {
    const f = loadFixture("contoso");
    const ann = f.users.find((u) => u.userPrincipalName === "ann.lee@contoso.com")!.id;
    const withGroup: TenantFixture = { ...f, groups: [{ id: "g-help", address: "Helpdesk@contoso.com", displayName: "Helpdesk", members: [ann] }] };
    const exported = tenants.from(withGroup).exportFixture();
    expect(exported.groups).toEqual([{ id: "g-help", address: "helpdesk@contoso.com", displayName: "Helpdesk", members: [ann] }]);
    const bad: TenantFixture = { ...f, groups: [{ id: "g-x", address: "support@contoso.com", displayName: "X", members: ["u-nobody"] }] };
    expect(userErrorOf(() => tenants.from(bad)).diagnostics.map((d) => d.code).sort()).toEqual(["fixture_duplicate_proxy", "fixture_group_member_not_found"]);
  });

  it("refuses a fixture that gives one address to two mailboxes", () => {
    const f = loadFixture("contoso");
    const bad: TenantFixture = { ...f, mailboxes: f.mailboxes.map((m) => (m.address === "support@contoso.com" ? { ...m, emailAddresses: ["legal@contoso.com"] } : m)) };
    const messages = userErrorOf(() => tenants.from(bad)).diagnostics.map((d) => `${d.code} ${d.target}: ${d.message}`);
    expect(messages).toEqual([expect.stringMatching(/^fixture_duplicate_proxy support@contoso.com: address "legal@contoso.com" is already used by mailbox "legal@contoso.com"/)]);
  });

  it("opens a tenant file made before the settings tables, reading every mailbox with the service's defaults", async () => {
    const t = tenants.contoso();
    const path = t.path;
    t.close();
    const db = new Database(path);
    db.exec("DROP TABLE mailbox_settings; DROP TABLE proxy_addresses; DROP TABLE user_sessions;");
    db.close();
    const reopened = SimulatedTenant.open(path);
    try {
      expect(await reopened.getMailbox("support@contoso.com")).toMatchObject({ hiddenFromAddressLists: false, emailAddresses: [], messageCopyForSentAs: false, messageCopyForSendOnBehalf: false });
      await reopened.updateMailbox("support@contoso.com", { hiddenFromAddressLists: true });
      expect((await reopened.getMailbox("support@contoso.com"))?.hiddenFromAddressLists).toBe(true);
    } finally {
      reopened.close();
    }
  });
});
