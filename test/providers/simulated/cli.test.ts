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

  it("sets and shows the wire faults of `exoform tenant serve`", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    const defaults = await tenantCli(path, "faults", "show");
    expect(defaults).toContain("over the wire (exoform tenant serve)");
    expect(defaults).toContain("  throttling   on");
    expect(defaults).toContain("resource units by tenant size (3,500 / 5,000 / 8,000) per 10 s, 3000 writes per 150 s");
    expect(defaults).toContain("25 cmdlets per 5 s, 120 writing cmdlets per 60 s, 9 requests in flight");
    expect(defaults).toContain("  read lag     off");
    const shown = await tenantCli(
      path, "faults", "set",
      "--wire-throttling", "off", "--graph-ru", "400", "--graph-writes", "30", "--exchange-rate", "5", "--exchange-writes", "12", "--exchange-concurrency", "3",
      "--wire-errors", "0.05", "--wire-slow", "0.1", "--wire-slow-ms", "2000", "--wire-resets", "0.02", "--lost-responses", "0.01", "--read-lag", "3000",
    );
    expect(shown).toContain("  throttling   off");
    expect(shown).toContain("400 resource units per 10 s, 30 writes per 150 s");
    expect(shown).toContain("5 cmdlets per 5 s, 12 writing cmdlets per 60 s, 3 requests in flight");
    expect(shown).toContain("0.05 of requests answered 503 or 504");
    expect(shown).toContain("0.01 of write responses");
    expect(shown).toContain("0.02 of responses");
    expect(shown).toContain("0.1 of responses, held 2000 ms (wall time)");
    expect(shown).toContain("3000 ms (tenant time)");
    const json = JSON.parse(await tenantCli(path, "faults", "show", "--json")) as Record<string, unknown>;
    expect(json).toMatchObject({
      wireThrottling: false, graphResourceUnitsPer10s: 400, graphWritesPer150s: 30, exchangeCmdletsPer5s: 5, exchangeWritesPer60s: 12, exchangeConcurrency: 3,
      wireErrorRate: 0.05, wireSlowRate: 0.1, wireSlowMs: 2000, wireResetRate: 0.02, wireLostResponseRate: 0.01, readLagMs: 3000,
    });
    expect(await tenantCli(path, "faults", "set", "--graph-ru", "auto", "--wire-throttling", "on")).toContain("resource units by tenant size");
    expect(JSON.parse(await tenantCli(path, "faults", "show", "--json"))).toMatchObject({ graphResourceUnitsPer10s: null, wireThrottling: true });
  });

  it("names every bad wire fault flag at once", async () => {
    const path = tenants.path();
    await tenantCli(path, "init");
    const error = await cliError(
      path, "faults", "set",
      "--wire-throttling", "maybe", "--graph-ru", "0", "--graph-writes", "1.5", "--exchange-rate", "x", "--exchange-writes", "-1", "--exchange-concurrency", "0",
      "--wire-errors", "1.5", "--wire-slow", "-0.1", "--wire-slow-ms", "-5", "--wire-resets", "2", "--lost-responses", "abc", "--read-lag", "1.5",
    );
    expect(error.diagnostics.map((d) => d.message.split(" ")[0])).toEqual([
      "--wire-throttling", "--graph-ru", "--graph-writes", "--exchange-rate", "--exchange-writes", "--exchange-concurrency", "--wire-errors", "--wire-slow", "--wire-slow-ms", "--wire-resets", "--lost-responses", "--read-lag",
    ]);
    expect(error.diagnostics[1]?.message).toBe('--graph-ru "0" is not valid; expected a whole number of resource units of at least 1, or auto');
    expect(JSON.parse(await tenantCli(path, "faults", "show", "--json"))).toMatchObject({ wireThrottling: true, readLagMs: 0 }); // nothing changed
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
