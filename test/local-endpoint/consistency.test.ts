/**
 * ReadLag (providers/local-endpoint/consistency.ts): a write is seen at once on
 * its own backend and only after readLagMs (tenant clock) on the other one, in
 * point reads and in bulk reads, which keep their sort order.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { BACKENDS, ReadLag } from "../../providers/local-endpoint/consistency.js";
import type { ObjectKey, ReadView, TenantReads } from "../../providers/local-endpoint/context.js";
import type { FaultSettings, SimulatedTenant } from "../../providers/simulated/index.js";
import { tempTenant } from "./direct-context.js";

const opened: SimulatedTenant[] = [];
afterAll(() => opened.forEach((t) => t.close()));

const LAG = 5_000;
const writer: ReadView = { backend: 0 };
const other: ReadView = { backend: 1 };

function setup(faults: Partial<FaultSettings> = { readLagMs: LAG }) {
  const tenant = tempTenant();
  opened.push(tenant);
  tenant.setFaults(faults);
  return { tenant, lag: new ReadLag({ settings: () => tenant.faults(), nowMs: () => tenant.nowMs(), tenant }) };
}

const keysOf = (address: string): ObjectKey[] => [`mailbox:${address}`, `user:${address}`, `grants:${address}`];

async function bulk(reads: TenantReads) {
  return { mailboxes: await reads.listMailboxes(), users: await reads.listUsers(), grants: await reads.listGrants() };
}

describe("ReadLag", () => {
  it("sends every request to backend 0 without drawing when readLagMs is 0, and reads the tenant itself", () => {
    const { tenant, lag } = setup({ readLagMs: 0 });
    expect(Array.from({ length: 50 }, () => lag.pickBackend().backend)).toEqual(Array(50).fill(0));
    expect(lag.reads(other)).toBe(tenant);
  });

  it("spreads requests over the backends, the same way for the same seed", () => {
    const picks = (seed: number) => {
      const { lag } = setup({ readLagMs: LAG, seed });
      return Array.from({ length: 100 }, () => lag.pickBackend().backend);
    };
    const a = picks(5);
    expect(new Set(a)).toEqual(new Set(Array.from({ length: BACKENDS }, (_, i) => i)));
    expect(picks(5)).toEqual(a);
    expect(picks(6)).not.toEqual(a);
  });

  it("shows a write at once on its own backend and after the lag on another", async () => {
    const { tenant, lag } = setup();
    await lag.write(writer, ["mailbox:support@contoso.com"], (t) => t.updateMailbox("support@contoso.com", { displayName: "Help Desk" }));
    expect((await lag.reads(writer).getMailbox("support@contoso.com"))?.displayName).toBe("Help Desk");
    expect((await lag.reads(other).getMailbox("Support@Contoso.com"))?.displayName).toBe("Contoso Support");
    tenant.advanceClock(LAG - 1);
    expect((await lag.reads(other).getMailbox("support@contoso.com"))?.displayName).toBe("Contoso Support");
    tenant.advanceClock(1);
    expect((await lag.reads(other).getMailbox("support@contoso.com"))?.displayName).toBe("Help Desk");
    expect(lag.reads(other)).toBe(tenant); // nothing lags any more
  });

  it("shows the other backend every bulk read as it was before a lagging removal", async () => {
    const { tenant, lag } = setup();
    const before = await bulk(tenant);
    await lag.write(writer, keysOf("events-2025@contoso.com"), (t) => t.removeMailbox("events-2025@contoso.com"));
    const now = await bulk(tenant);
    expect(now).not.toEqual(before);
    expect(await bulk(lag.reads(other))).toEqual(before);
    expect(await bulk(lag.reads(writer))).toEqual(now);
    expect(await lag.reads(other).getUser("events-2025@contoso.com")).toEqual(before.users.find((u) => u.userPrincipalName === "events-2025@contoso.com"));
    expect(await lag.reads(writer).getUser("events-2025@contoso.com")).toBeNull();
  });

  it("keeps the order of bulk reads when a lagging mailbox is put back", async () => {
    const { tenant, lag } = setup();
    const before = await tenant.listMailboxes();
    const address = "kim.nguyen@contoso.com"; // in the middle of the list
    await lag.write(writer, [`mailbox:${address}`], (t) => t.updateMailbox(address, { displayName: "Kim N." }));
    const lagged = await lag.reads(other).listMailboxes();
    expect(lagged.map((m) => m.address)).toEqual(before.map((m) => m.address));
    expect(lagged).toEqual(before);
    expect(lagged.find((m) => m.address === address)?.displayName).toBe("Kim Nguyen");
  });

  it("hides a new mailbox and its anchor user from the other backend during the lag", async () => {
    const { tenant, lag } = setup();
    const before = await bulk(tenant);
    await lag.write(writer, keysOf("helpdesk@contoso.com"), (t) => t.createSharedMailbox({ address: "helpdesk@contoso.com", displayName: "Helpdesk" }));
    expect(await bulk(lag.reads(other))).toEqual(before);
    expect(await lag.reads(other).getMailbox("helpdesk@contoso.com")).toBeNull();
    expect((await lag.reads(writer).getMailbox("helpdesk@contoso.com"))?.displayName).toBe("Helpdesk");
    tenant.advanceClock(LAG);
    expect((await lag.reads(other).listMailboxes()).map((m) => m.address)).toContain("helpdesk@contoso.com");
  });

  it("lags grants in point and bulk reads, and keeps the grant order", async () => {
    const { tenant, lag } = setup();
    const before = await tenant.listGrants();
    await lag.write(writer, ["grants:support@contoso.com"], (t) => t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com"));
    expect(await lag.reads(other).listGrants()).toEqual(before);
    expect(await lag.reads(other).getGrants("support@contoso.com")).toEqual(before.filter((g) => g.mailbox === "support@contoso.com"));
    const seen = await lag.reads(writer).listGrants();
    expect(seen).toContainEqual({ mailbox: "support@contoso.com", right: "SendAs", trustee: "ben.ortiz@contoso.com" });
    const key = (g: { mailbox: string; right: string; trustee: string }) => `${g.mailbox}\u0000${g.right}\u0000${g.trustee}`;
    expect(seen.map(key)).toEqual(seen.map(key).sort());
  });

  it("shows the state before the oldest write still lagging", async () => {
    const { tenant, lag } = setup();
    const rename = (name: string) => lag.write(writer, ["mailbox:support@contoso.com"], (t) => t.updateMailbox("support@contoso.com", { displayName: name }));
    const seen = async () => (await lag.reads(other).getMailbox("support@contoso.com"))?.displayName;
    await rename("First");
    tenant.advanceClock(1_000);
    await rename("Second");
    expect(await seen()).toBe("Contoso Support");
    tenant.advanceClock(LAG - 1_000);
    expect(await seen()).toBe("First");
    tenant.advanceClock(1_000);
    expect(await seen()).toBe("Second");
  });

  it("lags a user's write in getUser and listUsers", async () => {
    const { lag } = setup();
    await lag.write(writer, ["user:Gina.Rossi@contoso.com"], (t) => t.setUsageLocation("gina.rossi@contoso.com", "DE")); // keys match whatever their case
    expect((await lag.reads(other).getUser("gina.rossi@contoso.com"))?.usageLocation).toBeNull();
    expect((await lag.reads(other).listUsers()).find((u) => u.userPrincipalName === "gina.rossi@contoso.com")?.usageLocation).toBeNull();
    expect((await lag.reads(writer).getUser("gina.rossi@contoso.com"))?.usageLocation).toBe("DE");
  });

  it("never lags listSkus and readTenant", async () => {
    const { tenant, lag } = setup();
    await lag.write(writer, ["user:gina.rossi@contoso.com"], async (t) => {
      await t.setUsageLocation("gina.rossi@contoso.com", "US");
      return t.assignLicense("gina.rossi@contoso.com", { add: ["EXCHANGESTANDARD"], remove: [] });
    });
    const reads = lag.reads(other);
    expect(reads).not.toBe(tenant);
    expect(await reads.listSkus()).toEqual(await tenant.listSkus());
    expect(await reads.readTenant()).toEqual(await tenant.readTenant());
  });

  it("records nothing for a write that fails, and passes its error on", async () => {
    const { tenant, lag } = setup();
    await expect(lag.write(writer, ["mailbox:legal@contoso.com"], (t) => t.removeMailbox("legal@contoso.com"))).rejects.toThrow(/litigation hold/);
    expect(lag.reads(other)).toBe(tenant);
  });

  it("reads nothing before a write while readLagMs is 0", async () => {
    const { tenant, lag } = setup({ readLagMs: 0 });
    const spy = vi.spyOn(tenant, "getMailbox");
    await lag.write(writer, ["mailbox:support@contoso.com"], (t) => t.updateMailbox("support@contoso.com", { displayName: "Help Desk" }));
    expect(spy).not.toHaveBeenCalled();
    tenant.setFaults({ readLagMs: LAG });
    expect(lag.reads(other)).toBe(tenant);
  });

  it("stops lagging at once when readLagMs is set back to 0", async () => {
    const { tenant, lag } = setup();
    await lag.write(writer, ["mailbox:support@contoso.com"], (t) => t.updateMailbox("support@contoso.com", { displayName: "Help Desk" }));
    expect(lag.reads(other)).not.toBe(tenant);
    tenant.setFaults({ readLagMs: 0 });
    expect(lag.reads(other)).toBe(tenant);
    tenant.setFaults({ readLagMs: LAG }); // the write was forgotten, not just hidden
    expect(lag.reads(other)).toBe(tenant);
  });
});
