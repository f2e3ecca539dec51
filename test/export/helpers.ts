/**
 * Scaffolding for the export tests: simulated contoso tenants (as the fixture
 * has it, and after the example's plan was applied), and running a generated
 * constructs program the way a user would (npx tsx), reading back what it
 * synthesized.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import { DEFAULT_IMPORT_FROM } from "../../lib/export/index.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { plan } from "../../lib/plan/planner.js";
import { observe } from "../../lib/provider/observe.js";
import { readSynthOutput } from "../../lib/synth/read.js";
import { loadFixture, SimulatedTenant } from "../../providers/simulated/index.js";

export const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "exoform-export-"));
let counter = 0;
// each test file gets its own folder; rmSync removes the scratch checkouts' links, not what they point to
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh file name in this run's temp folder. */
export function tempPath(name: string): string {
  return join(dir, `${++counter}-${name}`);
}

/** The example program's desired state (examples/contoso/desired-state.json), validated. */
export function exampleDesired(): CanonicalDesiredState {
  const doc: unknown = JSON.parse(readFileSync(join(ROOT, "examples/contoso/desired-state.json"), "utf8"));
  const { state, diagnostics } = validateDesiredState(doc, "examples/contoso/desired-state.json");
  if (!state) throw new Error(diagnostics.map((d) => d.message).join("; "));
  return state;
}

/** A simulated tenant created from the contoso fixture. */
export function contosoTenant(path = tempPath("tenant.db")): SimulatedTenant {
  return SimulatedTenant.create(path, loadFixture("contoso"));
}

/** The contoso tenant after the demo: the example's desired state planned and applied. */
export async function appliedContosoTenant(path = tempPath("tenant.db")): Promise<SimulatedTenant> {
  const tenant = contosoTenant(path);
  const doc = plan(exampleDesired(), await observe(tenant));
  const errors = doc.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("; "));
  const result = await applyPlan(doc, tenant, { seed: 7 });
  if (result.summary.failed > 0) throw new Error(`apply failed: ${JSON.stringify(result.actions.filter((a) => a.status === "failed"))}`);
  return tenant;
}

/**
 * Write `program` as examples/adopted/main.ts of a scratch checkout (lib and
 * node_modules linked to this one), run it with tsx (`node --import tsx`:
 * npx would cost a second of CPU more per run) and return the one
 * stack it synthesized, validated. The program imports the package by its
 * name: the scratch checkout's package.json has that name and maps its root
 * export to lib/index.ts, so Node resolves the import to the sources (a
 * package importing itself by name; test/package/pack-install.test.ts runs
 * the built package).
 */
export async function synthProgram(program: string): Promise<CanonicalDesiredState> {
  const root = tempPath("checkout");
  mkdirSync(join(root, "examples", "adopted"), { recursive: true });
  symlinkSync(join(ROOT, "lib"), join(root, "lib"), "dir");
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: DEFAULT_IMPORT_FROM, type: "module", exports: { ".": "./lib/index.ts" } }));
  writeFileSync(join(root, "examples", "adopted", "main.ts"), program);
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/adopted/main.ts"], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("close", (c) => done({ code: c, stderr: err }));
  });
  if (code !== 0) throw new Error(`the program failed (exit ${code}): ${stderr}`);
  const stacks = readSynthOutput(join(root, "cdktf.out"), root);
  if (stacks.length !== 1) throw new Error(`expected one stack, got ${stacks.map((s) => s.stack).join(", ")}`);
  const { state, diagnostics } = validateDesiredState(stacks[0]!.document, stacks[0]!.file);
  if (!state) throw new Error(diagnostics.map((d) => d.message).join("; "));
  return state;
}
