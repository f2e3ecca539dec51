/**
 * What the Microsoft provider reads through the wire is what the simulated
 * tenant holds (what `exoform tenant show` prints), but for what the real
 * service cannot tell: FullAccess autoMapping, mailbox readiness, and the
 * sizes of user mailboxes (read only where a rule needs them).
 */
import { afterEach, describe, expect, it } from "vitest";
import { observe } from "../../../lib/provider/observe.js";
import type { ObservedState } from "../../../lib/provider/observed.js";
import { tempTenant } from "../../local-endpoint/direct-context.js";
import { wiredProvider, type WiredProvider } from "./wire.js";

let wired: WiredProvider | null = null;
afterEach(async () => {
  await wired?.stop();
  wired = null;
});

/** The observation as the wire can carry it (decisions 0008 and 0009). */
function asTheWireSeesIt(o: ObservedState): ObservedState {
  return {
    ...o,
    mailboxes: o.mailboxes.map((m) => ({ ...m, readyAt: null, sizeBytes: m.type === "shared" && m.deletedAt === null ? m.sizeBytes : 0 })),
    grants: o.grants.map((g) => (g.right === "FullAccess" ? { mailbox: g.mailbox, right: g.right, trustee: g.trustee } : g)),
  };
}

describe("observing a tenant through the local endpoint", () => {
  it("reads the same users, SKUs, mailboxes and grants as the tenant itself", async () => {
    const tenant = tempTenant("contoso");
    const direct = await observe(tenant);
    wired = await wiredProvider(tenant);
    const viaWire = await observe(wired.provider);
    expect(viaWire.users).toEqual(direct.users);
    expect(viaWire.skus).toEqual(direct.skus);
    expect(viaWire.tenant).toEqual(direct.tenant);
    const expected = asTheWireSeesIt(direct);
    expect(viaWire.mailboxes).toEqual(expected.mailboxes);
    expect(viaWire.grants).toEqual(expected.grants);
  });

  it("reads the same through 503s, 504s, connection resets and throttling", async () => {
    const tenant = tempTenant("contoso");
    const direct = await observe(tenant);
    tenant.setFaults({ wireErrorRate: 0.2, wireResetRate: 0.25, exchangeCmdletsPer5s: 10, seed: 7 });
    wired = await wiredProvider(tenant, { provider: { maxRetries: 20 } });
    const viaWire = await observe(wired.provider);
    expect(viaWire.grants).toEqual(asTheWireSeesIt(direct).grants);
    expect(viaWire.mailboxes).toEqual(asTheWireSeesIt(direct).mailboxes);
    expect(viaWire.users).toEqual(direct.users);
    const cost = wired.provider.cost();
    expect(cost.exchange.retries + cost.graph.retries).toBeGreaterThan(0);
    expect(tenant.readRequests().some((r) => r.fault === "reset")).toBe(true);
  });
});
