/**
 * With JSON output asked (`--format json` or `--json`, on every command that has it), every
 * error comes out on stdout as a JSON document carrying its diagnostics
 * (schema/diagnostics.schema.json: {"formatVersion":1,"ok":false,"diagnostics":[...]}),
 * the exit code is 1, and stderr still has the human lines. Planning errors
 * keep coming out as the plan document (schema/plan.schema.json), whose
 * diagnostics have the same shape.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import diagnosticsSchema from "../../schema/diagnostics.schema.json" with { type: "json" };
import planSchema from "../../schema/plan.schema.json" with { type: "json" };
import { exoformInProcess, writeInput } from "./in-process.js";

const dir = mkdtempSync(join(tmpdir(), "exoform-json-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const diagnosticsReport = ajv.compile(diagnosticsSchema);
const planDocument = ajv.compile(planSchema);

const exoform = exoformInProcess;

interface Report {
  readonly formatVersion: number;
  readonly ok: boolean;
  readonly diagnostics: ReadonlyArray<{ severity: string; code: string; target: string; message: string; location?: string }>;
  readonly documents?: unknown[];
}

/** stdout as a diagnostics report valid against its schema; stderr has one human line per error. */
function report(r: { stdout: string; stderr: string }): Report {
  const doc = JSON.parse(r.stdout) as Report;
  expect(diagnosticsReport(doc), JSON.stringify(diagnosticsReport.errors, null, 2)).toBe(true);
  for (const d of doc.diagnostics.filter((x) => x.severity === "error")) {
    expect(r.stderr).toContain(d.message);
    expect(r.stderr).toMatch(new RegExp(`^error: .*\\[${d.code}\\]$`, "m"));
  }
  return doc;
}

const TENANT = () => ["--tenant", join(dir, "tenant.db")];

const write = (name: string, value: unknown) => writeInput(dir, name, value);

const badDesired = {
  formatVersion: 1,
  stack: "contoso",
  tenant: { id: "contoso", domains: ["contoso.com"] },
  sharedMailboxes: [
    { address: "\u0430nna@contoso.com", displayName: "  " },
    { address: "team@contoso.com", displayName: "Team", sendAs: ["eve@gmail.com"] },
  ],
  userMailboxes: [],
};

beforeAll(async () => {
  const init = await exoform("tenant", "init", "--fixture", "contoso", ...TENANT());
  expect(init.status, init.stderr).toBe(0);
});

describe("validate --json", () => {
  it("prints every desired-state error as JSON on stdout, the human lines on stderr, and exits 1", async () => {
    const r = await exoform("validate", "--desired", write("bad.json", badDesired), "--json");
    expect(r.status).toBe(1);
    const doc = report(r);
    expect(doc).toMatchObject({ formatVersion: 1, ok: false, documents: [] });
    expect(doc.diagnostics.map((d) => d.code).sort()).toEqual(["alias_derived_invalid", "display_name_blank", "trustee_outside_tenant"]);
    expect(r.stderr.trim().split("\n")).toHaveLength(3);
  });

  it("prints a file it cannot read as JSON too", async () => {
    for (const [file, code] of [[join(dir, "missing.json"), "file_not_found"], [write("broken.json", "{ not json"), "bad_json"]] as const) {
      const r = await exoform("validate", "--desired", file, "--json");
      expect(r.status).toBe(1);
      expect(report(r)).toMatchObject({ formatVersion: 1, ok: false, diagnostics: [{ severity: "error", code }] });
    }
  });

  it("still prints ok with the counts, and formatVersion, for a valid document", async () => {
    const r = await exoform("validate", "--desired", "examples/contoso/desired-state.json", "--json");
    expect(r.status).toBe(0);
    expect(report(r)).toMatchObject({ formatVersion: 1, ok: true, diagnostics: [], documents: [{ sharedMailboxes: 7, userMailboxes: 1 }] });
    expect(r.stderr).toBe("");
  });
});

describe("plan --format json", () => {
  it("prints desired-state errors as a JSON document on stdout (it printed nothing before), human lines on stderr, exit 1", async () => {
    const r = await exoform("plan", "--desired", write("bad-plan.json", badDesired), ...TENANT(), "--format", "json", "--out", join(dir, "never.json"));
    expect(r.status).toBe(1);
    const doc = report(r);
    expect(doc).toMatchObject({ formatVersion: 1, ok: false });
    expect(doc.diagnostics.map((d) => d.code).sort()).toEqual(["alias_derived_invalid", "display_name_blank", "trustee_outside_tenant"]);
  });

  it("prints the errors that stop it before planning as JSON too: a missing desired file, a missing tenant, another tenant", async () => {
    const fabrikam = { formatVersion: 1, stack: "s", tenant: { id: "fabrikam", domains: ["contoso.com"] }, sharedMailboxes: [], userMailboxes: [] };
    const runs = [
      { args: ["--desired", join(dir, "nope.json"), ...TENANT()], code: "file_not_found" },
      { args: ["--desired", "examples/contoso/desired-state.json", "--tenant", join(dir, "no-tenant.db")], code: "tenant_not_found" },
      { args: ["--desired", write("fabrikam.json", fabrikam), ...TENANT()], code: undefined },
    ];
    for (const run of runs) {
      const r = await exoform("plan", ...run.args, "--format", "json");
      expect(r.status, r.stderr).toBe(1);
      const doc = report(r);
      expect(doc.ok).toBe(false);
      expect(doc.diagnostics.length).toBeGreaterThan(0);
      if (run.code !== undefined) expect(doc.diagnostics[0]!.code).toBe(run.code);
    }
  });

  it("keeps printing planning errors as the plan document, with the human lines on stderr", async () => {
    const planErrors = {
      formatVersion: 1,
      stack: "contoso",
      tenant: { id: "contoso", domains: ["contoso.com"] },
      sharedMailboxes: [{ address: "team@contoso.com", displayName: "Team", sendAs: ["nobody@contoso.com"], sendOnBehalf: ["no.one@contoso.com"] }],
      userMailboxes: [],
    };
    const r = await exoform("plan", "--desired", write("plan-errors.json", planErrors), ...TENANT(), "--format", "json");
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { actions: unknown[]; diagnostics: Report["diagnostics"] };
    expect(planDocument(doc), JSON.stringify(planDocument.errors)).toBe(true);
    expect(doc.actions).toEqual([]);
    expect(doc.diagnostics.map((d) => d.code).sort()).toEqual(["trustee_not_found", "trustee_not_found"]);
    for (const d of doc.diagnostics) expect(r.stderr).toContain(d.message);
  });

  it("prints nothing on stdout for errors in the text format (unchanged)", async () => {
    const r = await exoform("plan", "--desired", write("bad-text.json", badDesired), ...TENANT());
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(3);
  });
});

describe("every command with JSON output prints its errors as a diagnostics report", () => {
  it("drift, apply, export, synth, show, import and tenant show --format json (or --json): a report on stdout, the human lines on stderr, exit 1", async () => {
    const missing = join(dir, "missing.json");
    const runs: Array<{ args: string[]; code: string }> = [
      { args: ["drift", "--desired", missing, ...TENANT(), "--format", "json"], code: "file_not_found" },
      { args: ["apply", missing, ...TENANT(), "--format", "json"], code: "file_not_found" },
      { args: ["apply", "--desired", missing, ...TENANT(), "--auto-approve", "--json"], code: "file_not_found" },
      { args: ["export", "--mailbox", "nobody@contoso.com", ...TENANT(), "--format", "json"], code: "export_unknown_mailbox" },
      { args: ["synth", "--app", `"${process.execPath}" -e "process.exit(3)"`, "--output", join(dir, "out"), "--format", "json"], code: "app_failed" },
      { args: ["show", missing, "--format", "json"], code: "file_not_found" },
      { args: ["import", "nobody@contoso.com", ...TENANT(), "--format", "json"], code: "export_unknown_mailbox" },
      { args: ["tenant", "show", "nobody@contoso.com", ...TENANT(), "--json"], code: "mailbox_not_found" },
    ];
    for (const run of runs) {
      const r = await exoform(...run.args);
      expect(r.status, `${run.args.join(" ")}\n${r.stderr}`).toBe(1);
      expect(report(r), run.args[0]).toMatchObject({ formatVersion: 1, ok: false, diagnostics: [{ severity: "error", code: run.code }] });
    }
  });

  it("takes --json as the alias of --format json, and names the choices of an invalid --format", async () => {
    const r = await exoform("drift", "--desired", "examples/contoso/desired-state.json", ...TENANT(), "--json");
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ formatVersion: 1, drifted: true });
    const bad = await exoform("export", ...TENANT(), "--format", "yaml");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("error: --format yaml is not an export format; use one of json, ts [usage]");
  });
});
