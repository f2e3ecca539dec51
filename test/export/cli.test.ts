/**
 * `exoform export` on the command line: the adoption round trip through the
 * real binary (export > file, then plan --detailed-exitcode exits 0), and the
 * flags (--mailbox, --format, --stack, --out) in process.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { appliedContosoTenant, contosoTenant, ROOT, tempPath } from "./helpers.js";

let applied: string;
let fresh: string;
beforeAll(async () => {
  applied = tempPath("applied.db");
  (await appliedContosoTenant(applied)).close();
  fresh = tempPath("fresh.db");
  contosoTenant(fresh).close();
}, 30_000);

describe("exoform export, through bin/exoform.js", () => {
  it("exports a document that plan --detailed-exitcode finds nothing to change in", () => {
    const file = tempPath("exported.json");
    const exported = spawnSync(process.execPath, ["bin/exoform.js", "export", "--tenant", applied, "--format", "json"], { cwd: ROOT, encoding: "utf8" });
    expect(exported.stderr).toBe(`exported 8 shared mailboxes and 16 grants of tenant "contoso" as stack "contoso"\n`);
    expect(exported.status).toBe(0);
    writeFileSync(file, exported.stdout);
    const planned = spawnSync(process.execPath, ["bin/exoform.js", "plan", "--desired", file, "--tenant", applied, "--detailed-exitcode"], { cwd: ROOT, encoding: "utf8" });
    expect(planned.stderr).toBe("");
    expect(planned.status).toBe(0);
  }, 30_000);
});

describe("exoform export, in process", () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });
  const exoform = (...args: string[]) => main(["node", "exoform", ...args]);

  it("writes canonical JSON by default, and notes on stderr the sign-in exception to review", async () => {
    expect(await exoform("export", "--tenant", fresh)).toBe(0);
    const text = out.join("");
    const doc = JSON.parse(text) as { stack: string; sharedMailboxes: unknown[] };
    expect(text).toBe(`${canonicalJson(doc, 2)}\n`);
    expect(doc.stack).toBe("contoso");
    expect(doc.sharedMailboxes).toHaveLength(5);
    expect(err.join("")).toContain(
      "warning: support@contoso.com: sign-in is enabled on support@contoso.com, the account of shared mailbox \"support@contoso.com\"; it is exported as a sign-in exception (reason \"found enabled at export; review\")",
    );
  });

  it("exports only the mailboxes named with --mailbox", async () => {
    expect(await exoform("export", "--tenant", applied, "--mailbox", "Legal@contoso.com", "--mailbox", "info@contoso.com", "--stack", "adopted")).toBe(0);
    const doc = JSON.parse(out.join("")) as { stack: string; sharedMailboxes: Array<{ address: string }> };
    expect(doc.stack).toBe("adopted");
    expect(doc.sharedMailboxes.map((m) => m.address)).toEqual(["info@contoso.com", "legal@contoso.com"]);
  });

  it("refuses every unknown --mailbox at once, naming each, and writes nothing", async () => {
    expect(await exoform("export", "--tenant", applied, "--mailbox", "nobody@contoso.com", "--mailbox", "ann.lee@contoso.com")).toBe(1);
    expect(out).toEqual([]);
    const stderr = err.join("");
    expect(stderr).toContain("error: nobody@contoso.com: --mailbox nobody@contoso.com is not a mailbox in the tenant; check the address [export_unknown_mailbox]");
    expect(stderr).toContain("error: ann.lee@contoso.com: --mailbox ann.lee@contoso.com is a person's user mailbox");
  });

  it("writes a TypeScript program to --out that imports exoform by its package name, wherever it is written", async () => {
    const outside = tempPath("adopted.ts");
    expect(await exoform("export", "--tenant", applied, "--format", "ts", "--out", outside)).toBe(0);
    const program = readFileSync(outside, "utf8");
    expect(program).toMatch(/^import \{ RemovalPolicy, SharedMailbox, TenantStack \} from "@exoform\/exoform";$/m);
    expect(program).toContain(`new SharedMailbox(stack, "Info", {`);
    expect(out).toEqual([]);
  });

  it("rejects an unknown --format and an invalid --stack", async () => {
    expect(await exoform("export", "--tenant", applied, "--format", "yaml")).toBe(1);
    expect(await exoform("export", "--tenant", applied, "--stack", "-bad")).toBe(1);
    expect(err.join("")).toContain("--format yaml is not an export format; use one of json, ts");
    expect(err.join("")).toContain("--stack -bad is not a valid stack name");
  });
});
