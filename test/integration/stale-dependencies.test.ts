/**
 * A saved plan is refused as stale, before ANY write, when an object one of
 * its actions depends on changed after planning, and not only the objects it
 * changes: a trustee it grants to (deleted by an admin), the anchor account
 * whose licence a settings change relies on. Fingerprint scope: decision 0005.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { plan } from "../../lib/plan/index.js";
import { observe } from "../../lib/provider/observe.js";
import { committedWrites, contosoDesired, createTenant, desiredFrom, tempDir } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fresh() {
  const dir = tempDir("stale-deps");
  dirs.push(dir);
  return createTenant(dir);
}

/** The UserError applyPlan rejects with. */
async function refusal(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (UserError.is(e)) return e;
    throw e;
  }
  throw new Error("apply was not refused");
}

describe("a saved plan whose dependencies moved is refused before any write", () => {
  it("refuses a plan granting to a trustee deleted after planning (stale-trustee)", async () => {
    const tenant = fresh();
    try {
      const doc = plan(contosoDesired(), await observe(tenant));
      // dev.patel only appears as a trustee: SendOnBehalf on ceo-office@, a mailbox the plan creates first
      const grant = doc.actions.find((a) => a.type === "permission.grant" && a.params.trustee === "dev.patel@contoso.com");
      expect(grant).toBeDefined();

      tenant.adminDeleteUser("dev.patel@contoso.com");
      const start = tenant.readLog({ limit: 1 })[0]!.seq;
      const e = await refusal(applyPlan(doc, tenant, { seed: 1 }));

      expect(e.diagnostics.map((d) => d.code)).toEqual(["stale_plan"]);
      expect(e.diagnostics[0]!.target).toBe("dev.patel@contoso.com");
      expect(e.message).toContain("user dev.patel@contoso.com changed since the plan was made");
      // not a single write reached the tenant, refused or committed
      expect(committedWrites(tenant.readLog({ afterSeq: start }))).toEqual([]);
      expect(tenant.readLog({ afterSeq: start }).filter((l) => !l.operation.startsWith("list") && !l.operation.startsWith("read"))).toEqual([]);
    } finally {
      tenant.close();
    }
  });

  it("records every trustee of every grant", async () => {
    const tenant = fresh();
    try {
      const doc = plan(contosoDesired(), await observe(tenant));
      const keys = new Set(Object.keys(doc.fingerprint.objects));
      const missing: string[] = [];
      for (const a of doc.actions) {
        if (a.type === "permission.grant" && !keys.has(`user:${a.params.trustee}`)) missing.push(`${a.id}: user:${a.params.trustee}`);
      }
      expect(missing).toEqual([]);
    } finally {
      tenant.close();
    }
  });

  it("refuses an archive change whose anchor lost the licence it relies on after planning", async () => {
    // team@'s anchor holds SPB (Plan 1 + the archiving add-on): the archive needs it (R1.6), and the
    // quota is 50 GB with or without it, so the mailbox object itself does not change when it goes
    const dir = tempDir("stale-deps");
    dirs.push(dir);
    const tenant = createTenant(dir, {
      formatVersion: 1,
      tenant: { id: "contoso", domains: ["contoso.com"], hybrid: false },
      clock: "2026-11-01T09:00:00.000Z",
      skus: [{ skuPartNumber: "SPB", skuId: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", prepaidUnits: 5, servicePlans: ["EXCHANGE_S_STANDARD", "EXCHANGE_S_ARCHIVE_ADDON"] }],
      users: [{ id: "u-1", userPrincipalName: "team@contoso.com", displayName: "Team", accountEnabled: false, usageLocation: "US", licenses: ["SPB"] }],
      mailboxes: [{ address: "team@contoso.com", displayName: "Team", type: "shared", userId: "u-1", sizeBytes: 1024 }],
      grants: [],
    });
    try {
      const desired = desiredFrom(
        {
          formatVersion: 1,
          stack: "contoso",
          tenant: { id: "contoso", domains: ["contoso.com"] },
          sharedMailboxes: [{ address: "team@contoso.com", displayName: "Team", license: "SPB", archive: true }],
          userMailboxes: [],
        },
        "team-archive",
      );
      const doc = plan(desired, await observe(tenant));
      expect(doc.actions.map((a) => a.id)).toEqual(["team@contoso.com:mailbox.update"]);

      tenant.adminLicense("team@contoso.com", "remove", "SPB");
      const start = tenant.readLog({ limit: 1 })[0]!.seq;
      const e = await refusal(applyPlan(doc, tenant, { seed: 1 }));
      expect(e.diagnostics.map((d) => `${d.code} ${d.target}`)).toEqual(["stale_plan team@contoso.com"]);
      expect(e.message).toContain("user team@contoso.com changed");
      expect(committedWrites(tenant.readLog({ afterSeq: start }))).toEqual([]);
    } finally {
      tenant.close();
    }
  });
});
