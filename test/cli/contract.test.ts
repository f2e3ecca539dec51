/**
 * The CLI contract of README.md's command table, checked end to end by
 * spawning `node bin/exoform.js` against the contoso fixture in a temporary
 * folder: every command and flag the table lists is registered; every exit
 * code it documents is the one the command returns; every JSON output
 * validates against its schema in schema/. One tenant is reused, and
 * independent commands run concurrently, to keep this file fast.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import applyResultSchema from "../../schema/apply-result.schema.json" with { type: "json" };
import driftSchema from "../../schema/drift.schema.json" with { type: "json" };
import planSchema from "../../schema/plan.schema.json" with { type: "json" };
import fixtureSchema from "../../schema/tenant-fixture.schema.json" with { type: "json" };
import { buildProgram } from "../../lib/cli/main.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "exoform.js");

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let dir = "";
/** `exoform <args>` in the temporary folder, without a terminal or colour. */
function exoform(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env["EXOFORM_TENANT"];
  delete env["EXOFORM_CLOCK"];
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const SCHEMAS: Record<string, ValidateFunction> = {
  plan: ajv.compile(planSchema),
  applyResult: ajv.compile(applyResultSchema),
  drift: ajv.compile(driftSchema),
  fixture: ajv.compile(fixtureSchema),
};

/** The JSON document `text` holds, after checking it against schema `name`. */
function valid<T = Record<string, unknown>>(name: keyof typeof SCHEMAS, text: string): T {
  const doc = JSON.parse(text) as T;
  const validate = SCHEMAS[name]!;
  expect(validate(doc), `${name}: ${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
  return doc;
}

/** A run's exit code, with its output in the failure message. */
function exitOf(r: Run): number {
  if (r.code !== 0 && r.code !== 1 && r.code !== 2) throw new Error(`unexpected exit ${r.code}\n${r.stderr}`);
  return r.code;
}

const DESIRED = "out/stacks/contoso/desired-state.json";
const T = ["--tenant", "t.db"];

describe("the README's command table", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const rows = readme.split("\n").filter((l) => l.startsWith("| `exoform "));

  it("lists commands and flags that the CLI registers, every one of them", () => {
    const program = buildProgram();
    const globals = new Set(program.options.map((o) => o.long));
    expect(rows.length).toBeGreaterThanOrEqual(9);
    const missing: string[] = [];
    for (const row of rows) {
      const usage = row.slice(row.indexOf("`exoform ") + 9, row.indexOf("`", row.indexOf("`exoform ") + 1));
      const [name = "", sub] = usage.split(/\s+/);
      const command = program.commands.find((c) => c.name() === name);
      if (command === undefined) {
        missing.push(`command ${name}`);
        continue;
      }
      // "tenant init|show|export|...": every subcommand exists
      const subcommands = sub !== undefined && /^[a-z-]+(\|[a-z-]+)+$/.test(sub) ? sub.split("|") : [];
      for (const s of subcommands) if (!command.commands.some((c) => c.name() === s)) missing.push(`command ${name} ${s}`);
      // "tenant serve --port": the flags are the subcommand's
      const leaf = subcommands.length === 0 ? (command.commands.find((c) => c.name() === sub) ?? command) : command;
      const flags = new Set([...globals, ...leaf.options.map((o) => o.long)]);
      for (const flag of usage.match(/--[a-z][a-z-]*/g) ?? []) if (!flags.has(flag)) missing.push(`${name} ${flag}`);
    }
    expect(missing).toEqual([]);
  });

  it("documents exit codes 0, 1 and 2 exactly where the commands return them", () => {
    const codes = (name: string) => {
      const row = rows.find((r) => r.startsWith(`| \`exoform ${name} `) || r.startsWith(`| \`exoform ${name}\``));
      return new Set(row?.split("|").at(-2)?.match(/\b[012]\b/g) ?? []);
    };
    expect(codes("validate")).toEqual(new Set(["0", "1"]));
    expect(codes("plan")).toEqual(new Set(["0", "1", "2"]));
    expect(codes("apply")).toEqual(new Set(["0", "1", "2"]));
    expect(codes("drift")).toEqual(new Set(["0", "1", "2"]));
    expect(codes("export")).toEqual(new Set(["0", "1"]));
  });
});

describe("exoform on the contoso fixture: exit codes and JSON documents", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-contract-"));
    // synth's JSON document and exit code are the subject here; its type check has tests of its own (test/synth)
    const [init, synth] = await Promise.all([
      exoform("tenant", "init", "--fixture", "contoso", ...T),
      exoform("synth", "--no-type-check", "--app", `"${process.execPath}" "${join(ROOT, "node_modules", "tsx", "dist", "cli.mjs")}" "${join(ROOT, "examples", "contoso", "main.ts")}"`, "--output", "out", "--json"),
    ]);
    expect(init.code, init.stderr).toBe(0);
    expect(synth.code, synth.stderr).toBe(0);
    expect((JSON.parse(synth.stdout) as { ok: boolean }).ok).toBe(true);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("validate exits 0 on a valid document and 1 on a broken one, listing every problem", async () => {
    const doc = JSON.parse(readFileSync(join(dir, DESIRED), "utf8")) as { sharedMailboxes: Array<Record<string, unknown>> };
    doc.sharedMailboxes[0]!["sendAs"] = ["eve@gmail.com"];
    doc.sharedMailboxes[1]!["alias"] = "has space";
    writeFileSync(join(dir, "bad.json"), JSON.stringify(doc));
    const [ok, bad, badJson] = await Promise.all([
      exoform("validate", "--desired", DESIRED, "--json"),
      exoform("validate", "--desired", "bad.json"),
      exoform("validate", "--desired", "bad.json", "--json"),
    ]);
    expect(exitOf(ok), ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { ok: boolean }).ok).toBe(true);
    expect(exitOf(bad), bad.stderr).toBe(1);
    expect(bad.stderr.match(/^error: bad\.json#\/sharedMailboxes\/\d\//gm)?.length).toBe(2);
    expect(exitOf(badJson), badJson.stderr).toBe(1);
    expect((JSON.parse(badJson.stdout) as { ok: boolean }).ok).toBe(false);
  });

  it("plan prints a plan document matching plan.schema.json, exits 2 with --detailed-exitcode when there are changes, 0 without, 1 on an error", async () => {
    const doc = JSON.parse(readFileSync(join(dir, DESIRED), "utf8")) as { tenant: { id: string } };
    doc.tenant.id = "fabrikam";
    writeFileSync(join(dir, "fabrikam.json"), JSON.stringify(doc));
    const [json, plain, saved, mismatch, unknownTarget] = await Promise.all([
      exoform("plan", "--desired", DESIRED, ...T, "--format", "json", "--detailed-exitcode"),
      exoform("plan", "--desired", DESIRED, ...T, "--format", "markdown"),
      exoform("plan", "--desired", DESIRED, ...T, "--out", "plan.json", "--detailed-exitcode"),
      exoform("plan", "--desired", "fabrikam.json", ...T, "--detailed-exitcode"),
      exoform("plan", "--desired", DESIRED, ...T, "--target", "nobody@contoso.com", "--detailed-exitcode"),
    ]);
    expect(exitOf(json), json.stderr).toBe(2);
    const plan = valid<{ actions: unknown[] }>("plan", json.stdout);
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(exitOf(plain), plain.stderr).toBe(0);
    expect(exitOf(saved), saved.stderr).toBe(2);
    expect(valid("plan", readFileSync(join(dir, "plan.json"), "utf8"))).toEqual(plan);
    expect(exitOf(mismatch), mismatch.stderr).toBe(1);
    expect(mismatch.stderr).toContain('the desired state is for tenant "fabrikam"');
    expect(exitOf(unknownTarget), unknownTarget.stderr).toBe(1);
    expect(unknownTarget.stderr).toMatch(/^error: nobody@contoso\.com: /m);
    for (const r of [mismatch, unknownTarget]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("apply exits 1 on an edited plan and 0 once converged, printing a result matching apply-result.schema.json; then plan exits 0 and drift 0", async () => {
    const saved = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { actions: Array<{ description: string }> };
    saved.actions[0]!.description += " (edited)";
    writeFileSync(join(dir, "edited.json"), JSON.stringify(saved));
    const refused = await exoform("apply", "edited.json", "--desired", DESIRED, ...T, "--json");
    expect(exitOf(refused), refused.stderr).toBe(1);
    expect(refused.stderr).toContain("error: edited.json: ");

    const applied = await exoform("apply", "plan.json", "--desired", DESIRED, ...T, "--json");
    expect(exitOf(applied), applied.stderr).toBe(0);
    expect(valid<{ converged: boolean }>("applyResult", applied.stdout).converged).toBe(true);

    const [plan, drift, fixture] = await Promise.all([
      exoform("plan", "--desired", DESIRED, ...T, "--detailed-exitcode", "--format", "json"),
      exoform("drift", "--desired", DESIRED, ...T, "--format", "json"),
      exoform("tenant", "export", ...T),
    ]);
    expect(exitOf(plan), plan.stderr).toBe(0);
    expect(valid<{ actions: unknown[] }>("plan", plan.stdout).actions).toEqual([]);
    expect(exitOf(drift), drift.stderr).toBe(0);
    expect(valid<{ drifted: boolean }>("drift", drift.stdout).drifted).toBe(false);
    expect(exitOf(fixture), fixture.stderr).toBe(0);
    valid("fixture", fixture.stdout);
  });

  it("drift exits 2 after an out-of-band change in every format, with a report matching drift.schema.json, and 1 (never 0 or 2) when a read fails", async () => {
    const edit = await exoform("tenant", "set", "grant", "support@contoso.com", "FullAccess", "gina.rossi@contoso.com", ...T);
    expect(edit.code, edit.stderr).toBe(0);
    const [json, text, markdown, ignored, badIgnore] = await Promise.all([
      exoform("drift", "--desired", DESIRED, ...T, "--format", "json"),
      exoform("drift", "--desired", DESIRED, ...T),
      exoform("drift", "--desired", DESIRED, ...T, "--format", "markdown", "--out", "drift.md"),
      exoform("drift", "--desired", DESIRED, ...T, "--ignore", "support@contoso.com:fullAccess", "--format", "json"),
      exoform("drift", "--desired", DESIRED, ...T, "--ignore", "support@contoso.com:fullaccess"),
    ]);
    expect(exitOf(json), json.stderr).toBe(2);
    const report = valid<{ items: Array<{ mailbox: string; code: string; trustee?: string; severity: string }> }>("drift", json.stdout);
    expect(report.items).toMatchObject([{ mailbox: "support@contoso.com", code: "grant_added", trustee: "gina.rossi@contoso.com", severity: "high" }]);
    expect(exitOf(text), text.stderr).toBe(2);
    expect(text.stdout).toContain("grant_added");
    expect(exitOf(markdown), markdown.stderr).toBe(2);
    expect(readFileSync(join(dir, "drift.md"), "utf8")).toContain("`grant_added`");
    expect(exitOf(ignored), ignored.stderr).toBe(0);
    expect(valid<{ ignored: number }>("drift", ignored.stdout).ignored).toBe(1);
    expect(exitOf(badIgnore), badIgnore.stderr).toBe(1);
    expect(badIgnore.stderr).toContain('unknown field "fullaccess"');

    const faults = await exoform("tenant", "faults", "set", "--fail-reads", "1", ...T);
    expect(faults.code, faults.stderr).toBe(0);
    const failed = await exoform("drift", "--desired", DESIRED, ...T, "--format", "json");
    expect(exitOf(failed), failed.stderr).toBe(1);
    // no drift report: the failure as a diagnostics report (schema/diagnostics.schema.json), nothing concluded
    expect(JSON.parse(failed.stdout)).toMatchObject({ formatVersion: 1, ok: false, diagnostics: [{ severity: "error" }] });
    expect(failed.stdout).not.toContain('"items"');
    expect(failed.stderr).toContain("drift was NOT checked");
  });
});
