/**
 * Input must never drive the terminal: every line exoform prints that can
 * carry input (a display name, an address, a service message) shows control
 * characters and escape sequences visibly (`\u{1b}`), as the plan renderers
 * do (lib/render/sanitize.ts). JSON output keeps the value but writes every
 * control and bidi character as a \u escape (terminalSafeJson), including the
 * DEL, C1 and bidi characters JSON.stringify leaves raw.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { printDiagnostics, printJson } from "../../lib/cli/output.js";
import { exoformInProcess, writeInput } from "./in-process.js";

/** C0 and C1 controls other than the newline that ends each line: none may reach the terminal raw. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const dir = mkdtempSync(join(tmpdir(), "exoform-escapes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hostile = {
  formatVersion: 1,
  stack: "contoso",
  tenant: { id: "contoso", domains: ["contoso.com"] },
  sharedMailboxes: [
    // an ESC sequence in the address (clears the screen) and in the display name (sets the window title)
    { address: "sup\u001b[2Jport@contoso.com", displayName: "Evil \u001b]0;pwned\u0007 \u009b31m name" },
    { address: "info@contoso.com", displayName: "Info", sendAs: ["eve\u001b[31m@gmail.com"] },
  ],
  userMailboxes: [],
};

describe("terminal escapes in input", () => {
  it("validate: the error lines show an ESC sequence in a display name and an address visibly, never raw", async () => {
    const file = writeInput(dir, "hostile.json", hostile);
    const r = await exoformInProcess("validate", "--desired", file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: ");
    expect(r.stderr).toContain("sup\\u{1b}[2jport@contoso.com");
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });

  it("validate --json: stdout is JSON (which escapes them) and the human lines on stderr are neutralised", async () => {
    const file = writeInput(dir, "hostile.json", hostile);
    const r = await exoformInProcess("validate", "--desired", file, "--json");
    expect(r.status).toBe(1);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    const report = JSON.parse(r.stdout) as { diagnostics: Array<{ target: string }> };
    // the document keeps the value as it is: JSON escaped it, nothing was lost
    expect(report.diagnostics.some((d) => d.target === "sup\u001b[2jport@contoso.com")).toBe(true);
  });

  it("printDiagnostics neutralises every part of a diagnostic: where, target, message and code", () => {
    const out: string[] = [];
    const stream = { write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WritableStream;
    printDiagnostics(
      [
        { severity: "error", code: "x\u001b[0m", target: "a\u001b[2J@contoso.com", location: "f\u0007.json#/a", message: "bad \u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\ \u0085 \r over" },
        { severity: "warning", code: "w", target: "", message: "tab\there" },
      ],
      stream,
    );
    expect(out).toHaveLength(2);
    for (const line of out) {
      expect(line.endsWith("\n")).toBe(true);
      expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    expect(out[0]).toBe(
      "error: f\\u{7}.json#/a: a\\u{1b}[2J@contoso.com: bad \\u{1b}]8;;http://evil\\u{1b}\\link\\u{1b}]8;;\\u{1b}\\ \\u{85} \\u{d} over [x\\u{1b}[0m]\n",
    );
    expect(out[1]).toBe("warning: tab\\u{9}here [w]\n");
  });

  it("printJson escapes what JSON.stringify leaves raw (DEL, C1 controls such as the one-byte CSI, bidi overrides): the same value, nothing raw", () => {
    const value = { name: "a\u009b2Jb\u007fc\u001bd\u202ee", list: ["\u0085"] };
    expect(JSON.stringify(value)).toMatch(/[\u007f-\u009f]/); // what JSON alone lets through
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    try {
      printJson(value);
    } finally {
      vi.restoreAllMocks();
    }
    const text = out.join("");
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text).toContain("a\\u009b2Jb\\u007fc\\u001bd\\u202ee");
    expect(JSON.parse(text)).toEqual(value);
  });
});

/** ESC, a C1 control (the one-character CSI) and a right-to-left override: each must reach the terminal escaped. */
const RAW_HOSTILE = /[\u001b\u0080-\u009f\u202a-\u202e]/;
const HOSTILE = "\u001b[2J\u009b31m\u202e";

describe("hostile names in the remaining outputs", () => {
  const tenant = join(dir, "tenant.db");
  beforeAll(async () => {
    expect((await exoformInProcess("tenant", "init", "--fixture", "contoso", "--tenant", tenant)).status).toBe(0);
  });
  const desired = (mailbox: Record<string, unknown>) =>
    writeInput(dir, "hostile-plan.json", { formatVersion: 1, stack: "contoso", tenant: { id: "contoso", domains: ["contoso.com"] }, sharedMailboxes: [mailbox], userMailboxes: [] });

  it("a service error's line names its object and operation with control characters shown visibly", async () => {
    const { reportError } = await import("../../lib/cli/main.js");
    const { ProviderError } = await import("../../lib/provider/errors.js");
    const err: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
    try {
      const e = new ProviderError({ kind: "precondition", code: `Bad${HOSTILE}`, message: `no${HOSTILE} way`, operation: "addMailboxPermission", target: `sup${HOSTILE}port@contoso.com` });
      expect(reportError(e, false)).toBe(1);
    } finally {
      vi.restoreAllMocks();
    }
    const text = err.join("");
    expect(text).not.toMatch(RAW_HOSTILE);
    expect(text).toBe(
      "error: sup\\u{1b}[2J\\u{9b}31m\\u{202e}port@contoso.com: addMailboxPermission failed: Bad\\u{1b}[2J\\u{9b}31m\\u{202e}: no\\u{1b}[2J\\u{9b}31m\\u{202e} way [Bad\\u{1b}[2J\\u{9b}31m\\u{202e}]\n",
    );
  });

  it("plan --format json escapes them in the plan document (the same JSON value)", async () => {
    const trustee = `eve${HOSTILE}@contoso.com`;
    const r = await exoformInProcess("plan", "--desired", desired({ address: "team@contoso.com", displayName: `Team${HOSTILE}`, sendAs: [trustee] }), "--tenant", tenant, "--format", "json");
    expect(r.stdout).not.toMatch(RAW_HOSTILE);
    expect(r.stderr).not.toMatch(RAW_HOSTILE);
    expect(r.status).toBe(1); // the trustee is not in the tenant: a planning error, printed as the plan document
    expect(JSON.stringify(JSON.parse(r.stdout))).toMatch(/\u009b31m\u202e@contoso\.com/); // the value is kept
  });

  it("drift --format json escapes them in the report (the same JSON value)", async () => {
    const name = `Support${HOSTILE}`;
    const r = await exoformInProcess("drift", "--desired", desired({ address: "support@contoso.com", displayName: name }), "--tenant", tenant, "--format", "json");
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).not.toMatch(RAW_HOSTILE);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain(JSON.stringify(name).slice(1, -1)); // the value is kept
  });
});
