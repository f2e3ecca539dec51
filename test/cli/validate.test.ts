import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCliSync } from "./cli-child.js";
import { exoformInProcess, writeInput } from "./in-process.js";

/** The real command, as people run it. */
const exoformProcess = (args: string[]) => runCliSync(args);

/** The same command in this process (fast), output captured. */
const exoform = (args: string[]) => exoformInProcess(...args);

afterEach(() => vi.restoreAllMocks());

const tempJson = (name: string, value: unknown) => writeInput(mkdtempSync(join(tmpdir(), "exoform-validate-")), name, value);

const faulty = {
  formatVersion: 1,
  stack: "contoso",
  tenant: { id: "contoso", domains: ["contoso.com"] },
  sharedMailboxes: [
    { address: "support@contoso.com", displayName: "Support", sendAs: ["bob@gmail.com"], origin: "convert", removalPolicy: "delete" },
    { address: "support@contoso.com", displayName: "Again", alias: ".again" },
  ],
  userMailboxes: [],
};

describe("exoform validate", () => {
  it("lists every fault of a document on stderr and exits 1, without a stack trace", () => {
    const file = tempJson("bad.json", faulty);
    const { status, stdout, stderr } = exoformProcess(["validate", "--desired", file]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(4);
    for (const code of ["schema_pattern", "duplicate_address", "trustee_outside_tenant", "delete_converted_mailbox"]) {
      expect(lines.some((l) => l.startsWith(`error: ${file}#/sharedMailboxes/`) && l.includes("support@contoso.com") && l.endsWith(`[${code}]`)), code).toBe(true);
    }
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("prints the counts for a valid document", async () => {
    const { status, stdout } = await exoform(["validate", "--desired", "examples/contoso/desired-state.json"]);
    expect(status).toBe(0);
    expect(stdout).toBe("ok: 7 shared mailboxes, 1 user mailboxes\n");
  });

  it("prints JSON with every diagnostic when asked, still exiting 1", async () => {
    const { status, stdout, stderr } = await exoform(["validate", "--desired", tempJson("bad.json", faulty), "--json"]);
    expect(status).toBe(1);
    // the human lines stay on stderr (test/cli/json-errors.test.ts)
    expect(stderr.trim().split("\n")).toHaveLength(4);
    const report = JSON.parse(stdout);
    expect(report.formatVersion).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.diagnostics.map((d: { code: string }) => d.code).sort()).toEqual(["delete_converted_mailbox", "duplicate_address", "schema_pattern", "trustee_outside_tenant"]);
  });

  it("reports a file that is not JSON as JSON too, naming the file", async () => {
    const file = tempJson("broken.json", "{ nope");
    const { status, stdout } = await exoform(["validate", "--desired", file, "--json"]);
    expect(status).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ formatVersion: 1, ok: false, diagnostics: [expect.objectContaining({ code: "bad_json", message: expect.stringContaining(`${file}: not valid JSON`) })] });
  });

  it("refuses --desired and --app together", async () => {
    const { status, stderr } = await exoform(["validate", "--desired", "x.json", "--app", "true"]);
    expect(status).toBe(1);
    expect(stderr).toContain("pass either --desired <file> or --app <command>, not both");
  });
});
