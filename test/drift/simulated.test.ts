/**
 * Drift against the simulated tenant: seeded as a successful apply left it,
 * then changed with the tenant's out-of-band admin edits (what an admin does
 * in the portal), and read through the real provider contract.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { checkDrift } from "../../lib/cli/commands/drift.js";
import { main } from "../../lib/cli/main.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { ProviderError } from "../../lib/provider/errors.js";
import type { ITenantProvider } from "../../lib/provider/provider.js";
import { BUILTIN_FIXTURES, SimulatedTenant, type TenantFixture } from "../../providers/simulated/index.js";
import { appliedContoso, contosoDesired, contosoDesiredDocument, sortObserved } from "./builders.js";
import { fixtureOf } from "../util/fixture-of.js";

const DAY = 24 * 60 * 60 * 1000;
const dir = mkdtempSync(join(tmpdir(), "exoform-drift-"));
let counter = 0;

function appliedTenant(): SimulatedTenant {
  return SimulatedTenant.create(join(dir, `tenant-${++counter}.db`), fixtureOf(appliedContoso()));
}

async function driftOf(tenant: SimulatedTenant) {
  return checkDrift(tenant, contosoDesired());
}

describe("drift after out-of-band edits on the simulated tenant", () => {
  it("finds no drift on the tenant as apply left it", async () => {
    const tenant = appliedTenant();
    const report = await driftOf(tenant);
    tenant.close();
    expect(report.items).toEqual([]);
    expect(report.pending).toBe(0);
  });

  it("reports grants an admin added and removed", async () => {
    const tenant = appliedTenant();
    tenant.adminAddGrant("support@contoso.com", "FullAccess", "gina.rossi@contoso.com");
    tenant.adminRemoveGrant("ceo-office@contoso.com", "SendOnBehalf", "dev.patel@contoso.com");
    const report = await driftOf(tenant);
    tenant.close();
    expect(report.items.map((i) => [i.mailbox, i.code, i.right, i.trustee])).toEqual([
      ["ceo-office@contoso.com", "grant_removed", "SendOnBehalf", "dev.patel@contoso.com"],
      ["support@contoso.com", "grant_added", "FullAccess", "gina.rossi@contoso.com"],
    ]);
  });

  it("reports sign-in re-enabled and a license removed from a 62 GB mailbox on hold", async () => {
    const tenant = appliedTenant();
    tenant.adminSetAccountEnabled("support@contoso.com", true);
    tenant.adminLicense("legal@contoso.com", "remove", "EXCHANGEENTERPRISE");
    const report = await driftOf(tenant);
    tenant.close();
    expect(report.items.map((i) => [i.mailbox, i.code, i.severity])).toEqual([
      ["legal@contoso.com", "license_removed", "critical"],
      ["support@contoso.com", "signin_enabled", "high"],
    ]);
  });

  it("reports a shared mailbox converted back to a user mailbox", async () => {
    const tenant = appliedTenant();
    tenant.adminConvert("harry.wells@contoso.com", "regular");
    const report = await driftOf(tenant);
    tenant.close();
    expect(report.items.map((i) => [i.mailbox, i.code, i.actual])).toEqual([["harry.wells@contoso.com", "mailbox_reverted_to_user", "user"]]);
  });

  it("reports directory sync flipping a synced shared mailbox back to a user mailbox (R6.3), with the on-premises fix", async () => {
    const applied = appliedContoso();
    const synced = { ...applied, users: applied.users.map((u) => (u.id === "u-support" ? { ...u, onPremisesSyncEnabled: true } : u)) };
    const tenant = SimulatedTenant.create(join(dir, `tenant-${++counter}.db`), fixtureOf(synced));
    expect((await driftOf(tenant)).items).toEqual([]);
    tenant.adminConvert("support@contoso.com", "regular");
    const report = await driftOf(tenant);
    tenant.close();
    expect(report.items.map((i) => [i.mailbox, i.code, i.severity])).toEqual([["support@contoso.com", "mailbox_reverted_to_user", "critical"]]);
    expect(report.items[0]!.message).toContain("on premises run Set-RemoteMailbox support@contoso.com -Type Shared");
  });

  it("reports a deleted anchor as critical, counting down the restore window on the tenant clock", async () => {
    const tenant = appliedTenant();
    tenant.adminDeleteUser("support@contoso.com");
    tenant.advanceClock(10 * DAY);
    const report = await driftOf(tenant);
    tenant.close();
    expect(report.items).toHaveLength(1);
    expect(report.items[0]).toMatchObject({ mailbox: "support@contoso.com", code: "anchor_deleted", severity: "critical" });
    expect(report.items[0]!.message).toContain("purged for good on 2026-12-01, 20 days from now");
  });
});

describe("drift before the first apply (the contoso fixture)", () => {
  it("lists new, unconverted, soft-deleted and not-given-back mailboxes as pending, and cries wolf only on mailboxes that already exist", async () => {
    const doc = contosoDesiredDocument();
    const example = contosoDesired({
      sharedMailboxes: [
        ...doc.sharedMailboxes,
        { address: "ivy.chen@contoso.com", displayName: "Ivy Chen (departed)", origin: "convert", fullAccess: [{ trustee: "carla.diaz@contoso.com" }] },
        { address: "jack.hale@contoso.com", displayName: "Jack Hale (departed)", origin: "convert", fullAccess: [{ trustee: "ann.lee@contoso.com" }] },
      ],
    });
    const tenant = SimulatedTenant.create(join(dir, `tenant-${++counter}.db`), BUILTIN_FIXTURES["contoso"] as TenantFixture);
    const report = await checkDrift(tenant, example);
    tenant.close();
    expect(report.pendingItems.map((p) => [p.mailbox, p.reason])).toEqual([
      ["ceo-office@contoso.com", "not_created"],
      ["events-2025@contoso.com", "deletion_pending"],
      ["harry.wells@contoso.com", "not_converted"],
      ["info@contoso.com", "not_created"],
      ["ivy.chen@contoso.com", "not_converted"],
      ["jack.hale@contoso.com", "not_converted"],
      ["kim.nguyen@contoso.com", "not_converted_back"],
    ]);
    // support@ and legal@ exist already: their differences from the code are real until the first apply
    expect(new Set(report.items.map((i) => i.mailbox))).toEqual(new Set(["legal@contoso.com", "support@contoso.com"]));
  });
});

describe("a failed read is an error, never drift", () => {
  it("rejects when listGrants fails transiently, saying nothing is concluded", async () => {
    const tenant = appliedTenant();
    const unavailable = () =>
      Promise.reject(new ProviderError({ kind: "transient", code: "ServiceUnavailable", message: "The service is temporarily unavailable.", operation: "listGrants", target: "" }));
    // the grant read fails whichever way it is made: as one list, or a mailbox at a time
    const failing: ITenantProvider = Object.assign(Object.create(tenant) as SimulatedTenant, { listGrants: unavailable, listGrantsByMailbox: unavailable });
    const error = await checkDrift(failing, contosoDesired()).catch((e: unknown) => e);
    tenant.close();
    expect(UserError.is(error)).toBe(true);
    const d = (error as UserError).diagnostics[0]!;
    expect(d.code).toBe("tenant_read_failed");
    expect(d.message).toContain("reading the tenant failed (listGrants: ServiceUnavailable");
    expect(d.message).toContain("drift was NOT checked and nothing is concluded");
  });

  it("rejects when the simulated tenant's injected read failure hits a bulk read", async () => {
    const tenant = appliedTenant();
    tenant.setFaults({ failReads: 1 });
    await expect(driftOf(tenant)).rejects.toThrow(/drift was NOT checked/);
    // the next read succeeds: the fault was transient
    expect((await driftOf(tenant)).items).toEqual([]);
    tenant.close();
  });
});

describe("exoform drift (command line)", () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    process.exitCode = undefined;
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  const desiredFile = join(dir, "desired.json");
  writeFileSync(desiredFile, JSON.stringify(contosoDesiredDocument()));
  const run = (tenant: SimulatedTenant, ...args: string[]) => {
    tenant.close();
    return main(["node", "exoform", "drift", "--desired", desiredFile, "--tenant", tenant.path, ...args]);
  };

  it("exits 0 with no drift, 2 with drift, and prints the chosen format", async () => {
    expect(await run(appliedTenant())).toBe(0);
    expect(out.join("")).toContain("no drift");
    out.length = 0;
    process.exitCode = undefined;
    const tenant = appliedTenant();
    tenant.adminAddGrant("support@contoso.com", "SendAs", "gina.rossi@contoso.com");
    expect(await run(tenant, "--format", "json", "--ignore", "legal@contoso.com")).toBe(2);
    expect(JSON.parse(out.join(""))).toMatchObject({ drifted: true, summary: { high: 1, total: 1 } });
  });

  it("writes the report with --out and counts --ignore rules", async () => {
    const tenant = appliedTenant();
    tenant.adminAddGrant("support@contoso.com", "SendAs", "gina.rossi@contoso.com");
    const file = join(dir, "drift.md");
    expect(await run(tenant, "--format", "markdown", "--out", file, "--ignore", "*:sendAs")).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("**No drift.**");
    expect(out.join("")).toContain("0 pending (not drift), 1 ignored (report written to");
  });

  it("exits 1 on a failed read, with the reason on stderr and no report", async () => {
    const tenant = appliedTenant();
    tenant.setFaults({ failReads: 1 });
    expect(await run(tenant)).toBe(1);
    expect(out.join("")).toBe("");
    expect(err.join("")).toContain("drift was NOT checked and nothing is concluded");
  });

  it("exits 1 naming every bad --ignore rule and a bad --format", async () => {
    expect(await run(appliedTenant(), "--ignore", "support@contoso.com:members", "--ignore", "nobody")).toBe(1);
    expect(err.join("")).toContain('unknown field "members"');
    expect(err.join("")).toContain('got "nobody"');
    expect(await run(appliedTenant(), "--format", "html")).toBe(1);
    expect(err.join("")).toContain("--format html is not a drift report format");
  });

  it("counts the shared mailboxes no stack declares in one line, lists them with --unmanaged, and exits 0 for them alone", async () => {
    const o = appliedContoso();
    const support = o.mailboxes.find((m) => m.address === "support@contoso.com")!;
    const anchor = o.users.find((u) => u.id === support.userId)!;
    const unmanaged = () =>
      SimulatedTenant.create(
        join(dir, `tenant-${++counter}.db`),
        fixtureOf(sortObserved({
          ...o,
          users: [...o.users, { ...anchor, id: "u-old", userPrincipalName: "old-projects@contoso.com", displayName: "Old Projects" }],
          mailboxes: [...o.mailboxes, { ...support, address: "old-projects@contoso.com", alias: "old-projects", displayName: "Old Projects", userId: "u-old" }],
        })),
      );
    expect(await run(unmanaged())).toBe(0);
    expect(out.join("")).toContain("1 shared mailbox in the tenant no stack declares (information, not drift; exoform drift --unmanaged lists them");
    out.length = 0;
    expect(await run(unmanaged(), "--unmanaged", "--format", "json")).toBe(0);
    expect(JSON.parse(out.join(""))).toMatchObject({ drifted: false, unmanaged: { count: 1, mailboxes: ["old-projects@contoso.com"] } });
  });
});
