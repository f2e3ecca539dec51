/**
 * `exoform demo --provider microsoft`: the same loop through the Microsoft
 * provider, over the local endpoint, in processes that get only the
 * endpoint's env. It must end with the same tenant as the in-process demo.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main.js";
import { SimulatedTenant, type TenantFixture } from "../../providers/simulated/index.js";

function capture(): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
  return out;
}

/** What the loop decides: accounts, mailboxes and grants, without ids and times the two runs may assign differently. */
function outcome(fixture: TenantFixture) {
  return {
    users: fixture.users
      .filter((u) => !u.deletedAt)
      .map((u) => ({ upn: u.userPrincipalName, enabled: u.accountEnabled ?? true, licenses: [...(u.licenses ?? [])].sort(), usageLocation: u.usageLocation ?? null }))
      .sort((a, b) => a.upn.localeCompare(b.upn)),
    mailboxes: fixture.mailboxes
      .filter((m) => !m.deletedAt)
      .map((m) => ({ address: m.address, type: m.type, displayName: m.displayName, hold: m.litigationHold ?? false, archive: m.archive ?? false, tag: m.managementTag ?? null }))
      .sort((a, b) => a.address.localeCompare(b.address)),
    grants: fixture.grants.map((g) => `${g.mailbox} ${g.right} ${g.trustee} ${g.right === "FullAccess" ? String(g.autoMapping ?? true) : ""}`).sort(),
  };
}

async function runDemo(provider: "simulated" | "microsoft"): Promise<{ text: string; tenant: string }> {
  const dir = mkdtempSync(join(tmpdir(), `exoform-demo-${provider}-`));
  const tenant = join(dir, "tenant.db");
  const out = capture();
  const code = await main(["node", "exoform", "--provider", provider, "demo", "--tenant", tenant, "--output", join(dir, "cdktf.out")]);
  vi.restoreAllMocks();
  const text = out.join("");
  expect(code, text).toBe(0);
  return { text, tenant };
}

describe("exoform demo --provider microsoft", () => {
  const saved = process.env["EXOFORM_PROVIDER"];
  afterEach(() => {
    vi.restoreAllMocks();
    if (saved === undefined) delete process.env["EXOFORM_PROVIDER"];
    else process.env["EXOFORM_PROVIDER"] = saved;
  });

  it("serves the tenant, plans, applies, converges and finds no drift through the Microsoft provider, ending where the in-process demo ends", async () => {
    const wire = await runDemo("microsoft");
    expect(wire.text).toContain("serve the tenant as a local Microsoft 365 endpoint");
    expect(wire.text).toContain("$ exoform --provider microsoft plan");
    expect(wire.text).toContain("Converged: the tenant matches the desired state.");
    expect(wire.text).toContain("no drift");
    expect(wire.text).toMatch(/cost: graph \d+ requests/);
    const local = await runDemo("simulated");
    const viaWire = SimulatedTenant.open(wire.tenant);
    const inProcess = SimulatedTenant.open(local.tenant);
    try {
      expect(outcome(viaWire.exportFixture())).toEqual(outcome(inProcess.exportFixture()));
      // every write went over the wire: the served tenant logged them, each once
      expect(viaWire.readRequests().filter((r) => r.method !== "GET" && r.status >= 200 && r.status < 300).length).toBeGreaterThan(0);
    } finally {
      viaWire.close();
      inProcess.close();
    }
  });
});
