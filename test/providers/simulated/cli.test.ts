/**
 * `exoform tenant ...` (lib/cli/commands/tenant.ts), run in-process against
 * a temp tenant: init, show, export, out-of-band edits, clock, faults, log.
 */
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { UserError } from "../../../lib/diagnostics/errors.js";
import { parseDuration, register } from "../../../lib/cli/commands/tenant.js";
import { SimulatedTenant } from "../../../providers/simulated/index.js";
import { tempTenants } from "./helpers.js";

const tenants = tempTenants();

/** Run `exoform tenant <args> --tenant <path>`; stdout as text. */
async function tenantCli(path: string, ...args: string[]): Promise<string> {
  const program = new Command("exoform").exitOverride();
  register(program);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["node", "exoform", "tenant", ...args, "--tenant", path]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

async function cliError(path: string, ...args: string[]): Promise<UserError> {
  const error = await tenantCli(path, ...args).then(
    () => null,
    (e: unknown) => e,
  );
  expect(UserError.is(error), `expected a UserError, got ${String(error)}`).toBe(true);
  return error as UserError;
}

describe("exoform tenant", () => {
  it("inits the contoso tenant and refuses to overwrite it without --force", async () => {
    const path = tenants.path();
    expect(await tenantCli(path, "init")).toContain('created simulated tenant "contoso"');
    expect((await cliError(path, "init", "--fixture", "empty")).message).toContain("pass --force");
    expect(await tenantCli(path, "init", "--fixture", "empty", "--force")).toContain('"empty"');
  });

  it("shows a summary with seats, mailboxes, sizes, quotas and anchor sign-in", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    const text = await tenantCli(path, "show");
    expect(text).toMatch(/EXCHANGEENTERPRISE\s+2\s+1\s+1/);
    expect(text).toMatch(/support@contoso\.com\s+shared\s+20 GB\s+50 GB\s+enabled/);
    expect(text).toMatch(/legal@contoso\.com\s+shared\s+62 GB\s+100 GB\s+blocked\s+EXCHANGEENTERPRISE\s+2\s+litigation hold/);
    expect(text).toContain("gina.rossi@contoso.com (no license)");
    expect(await tenantCli(path, "show")).toBe(text); // deterministic
  });

  it("shows one mailbox in detail, and as JSON", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    const text = await tenantCli(path, "show", "support@contoso.com");
    expect(text).toContain("sign-in ENABLED");
    expect(text).toMatch(/FullAccess\s+gina\.rossi@contoso\.com/);
    const json = JSON.parse(await tenantCli(path, "show", "support@contoso.com", "--json")) as { grants: unknown[]; quotaBytes: number };
    expect(json.grants).toHaveLength(3);
    expect((await cliError(path, "show", "nobody@contoso.com")).diagnostics[0]).toMatchObject({ target: "nobody@contoso.com", code: "mailbox_not_found" });
  });

  it("exports the tenant as a fixture that init reads back", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    await tenantCli(path, "set", "grant", "support@contoso.com", "sendas", "ben.ortiz@contoso.com");
    const exported = await tenantCli(path, "export");
    const file = tenants.path("exported.json");
    writeFileSync(file, exported);
    const copy = tenants.path();
    await tenantCli(copy, "init", "--fixture", file);
    expect(await tenantCli(copy, "export")).toBe(exported);
  });

  it("makes out-of-band edits and logs them as admin edits", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    await tenantCli(path, "set", "grant", "support@contoso.com", "FullAccess", "ben.ortiz@contoso.com", "--no-automapping");
    await tenantCli(path, "set", "revoke", "support@contoso.com", "SendAs", "ann.lee@contoso.com");
    await tenantCli(path, "set", "sign-in", "support@contoso.com", "disable");
    await tenantCli(path, "set", "license", "kim.nguyen@contoso.com", "add", "exchangestandard");
    await tenantCli(path, "set", "convert", "kim.nguyen@contoso.com", "regular");
    await tenantCli(path, "set", "size", "support@contoso.com", "49.5");
    await tenantCli(path, "set", "delete-user", "old-projects@contoso.com");
    const t = SimulatedTenant.open(path);
    try {
      expect(await t.getGrants("support@contoso.com")).toContainEqual({ mailbox: "support@contoso.com", right: "FullAccess", trustee: "ben.ortiz@contoso.com", autoMapping: false });
      expect((await t.getUser("support@contoso.com"))?.accountEnabled).toBe(false);
      expect((await t.getMailbox("kim.nguyen@contoso.com"))?.type).toBe("user");
      expect((await t.getMailbox("support@contoso.com"))?.sizeBytes).toBe(Math.round(49.5 * 1024 ** 3));
      expect((await t.getMailbox("old-projects@contoso.com"))?.deletedAt).not.toBeNull();
      expect(t.readLog().filter((e) => e.operation.startsWith("admin.") && e.operation !== "admin.seed")).toHaveLength(7);
    } finally {
      t.close();
    }
    expect(await tenantCli(path, "log", "--limit", "1")).toContain("admin.deleteUser");
  });

  it("turns the tenant's refusals into diagnostics naming the object", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    const error = await cliError(path, "set", "grant", "support@contoso.com", "SendAs", "bob@gmail.com");
    expect(error.diagnostics[0]).toMatchObject({ code: "TrusteeOutsideTenant", target: "support@contoso.com" });
    expect((await cliError(path, "set", "grant", "support@contoso.com", "ReadOnly", "ann.lee@contoso.com")).message).toContain('right "ReadOnly" is not one of');
    expect((await cliError(path, "set", "size", "support@contoso.com", "lots")).message).toContain("is not a number of GB");
  });

  it("advances and shows the clock, applying purges on the way", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    expect(await tenantCli(path, "clock", "advance", "1h30m")).toBe("2026-11-01T10:30:00.000Z\n");
    expect(await tenantCli(path, "clock", "show")).toBe("2026-11-01T10:30:00.000Z\n");
    await tenantCli(path, "clock", "advance", "31d");
    expect(await tenantCli(path, "show")).not.toContain("jack.hale@contoso.com");
  });

  it("sets, shows and clears faults, and names every bad flag at once", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    const shown = await tenantCli(path, "faults", "set", "--throttle", "2", "--burst", "4", "--transient", "0.1", "--crash-after", "5", "--crash-mode", "before-commit", "--fail-reads", "1");
    expect(shown).toContain("2 writes/s, burst 4");
    expect(shown).toContain("after 5 more writes (before commit)");
    const json = JSON.parse(await tenantCli(path, "faults", "show", "--json")) as { transientRate: number };
    expect(json.transientRate).toBe(0.1);
    expect(await tenantCli(path, "faults", "clear")).toContain("throttle     off");
    const error = await cliError(path, "faults", "set", "--transient", "2", "--latency", "-1");
    expect(error.diagnostics).toHaveLength(2);
  });

  it("parses durations and refuses bad ones", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("31d")).toBe(31 * 86_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(() => parseDuration("3x")).toThrow(/duration "3x" is not valid/);
    expect(() => parseDuration("")).toThrow(/is not valid/);
  });

  it("refuses to work on a tenant that does not exist", async () => {
    expect((await cliError(tenants.path("nothing.db"), "show")).message).toContain("create one with: exoform tenant init");
  });
});
