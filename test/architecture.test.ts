/**
 * The boundaries ARCHITECTURE.md promises, checked on every run: who may
 * import whom, cdktf only at the authoring edge, and a planner with no I/O,
 * no clock and no randomness.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) out.push(path.split(sep).join("/"));
  }
  return out;
}

/** Every module specifier a file imports or re-exports, resolved to a repo path when relative. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']/gm), ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
  return specs.map((s) => (s.startsWith(".") ? relative(root, resolve(root, dirname(file), s)).split(sep).join("/") : s));
}

function violations(files: string[], allowed: (spec: string) => boolean): string[] {
  return files.flatMap((f) => importsOf(f).filter((s) => !allowed(s)).map((s) => `${f} imports ${s}`));
}

const under = (...prefixes: string[]) => (spec: string) => prefixes.some((p) => spec === p || spec.startsWith(p));

describe("architecture", () => {
  it("imports cdktf only under lib/constructs", () => {
    const everything = ["lib", "providers", "scripts", "bench", "examples"].flatMap((d) => sourceFiles(d));
    const offenders = everything
      .filter((f) => !f.startsWith("lib/constructs/") && !f.startsWith("examples/"))
      .flatMap((f) => importsOf(f).filter((s) => /^(cdktf|@cdktf\/)/.test(s)).map((s) => `${f} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  it("keeps the planner pure: it imports only the comparison, the model, the provider's data shapes, diagnostics and private helpers", () => {
    const files = sourceFiles("lib/plan");
    expect(violations(files, under("lib/plan/", "lib/compare/", "lib/model/", "lib/provider/observed", "lib/diagnostics/", "lib/private/"))).toEqual([]);
  });

  it("keeps the comparison plan and drift share below both: it imports only the model, the provider's data shapes and private helpers", () => {
    const files = sourceFiles("lib/compare");
    expect(violations(files, under("lib/compare/", "lib/model/", "lib/provider/observed", "lib/provider/packed-grants", "lib/private/"))).toEqual([]);
  });

  it("lets drift read the tenant only through the shared comparison's index, never the planner", () => {
    const files = sourceFiles("lib/drift");
    expect(violations(files, under("lib/drift/", "lib/compare/", "lib/model/", "lib/provider/observed", "lib/diagnostics/", "lib/private/", "lib/render/glyphs", "lib/render/sanitize"))).toEqual([]);
  });

  it("gives the planner and the comparison no clock, no randomness and no environment", () => {
    const offenders = [...sourceFiles("lib/plan"), ...sourceFiles("lib/compare")].filter((f) =>
      /\bDate\.now\(|new Date\(\s*\)|Math\.random\(|process\.(env|hrtime)|performance\.now\(/.test(readFileSync(join(root, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("renders plans from the plan document alone", () => {
    const files = sourceFiles("lib/render");
    expect(violations(files, under("lib/render/", "lib/plan/types", "lib/provider/observed", "lib/diagnostics/", "lib/private/", "diff"))).toEqual([]);
  });

  it("keeps the reconcile loop on the planner, the apply engine and the provider contract, never an implementation or the CLI", () => {
    const allowed = ["lib/reconcile/", "lib/plan/", "lib/apply/", "lib/provider/", "lib/model/", "lib/diagnostics/", "lib/private/", "node:"];
    expect(violations(sourceFiles("lib/reconcile"), under(...allowed))).toEqual([]);
  });

  it("keeps the provider contract free of implementations", () => {
    expect(violations(sourceFiles("lib/provider"), under("lib/provider/", "lib/model/", "lib/diagnostics/"))).toEqual([]);
  });

  it("lets providers depend only on the contract, the model, their own storage, token library and certificates", () => {
    const files = sourceFiles("providers");
    const allowed = ["providers/", "lib/provider/", "lib/model/", "lib/diagnostics/", "lib/private/", "schema/", "node:", "better-sqlite3", "ajv", "@azure/msal-node", "selfsigned"];
    expect(violations(files, under(...allowed))).toEqual([]);
  });

  it("keeps the Microsoft provider and the local endpoint apart, so a wire-shape mistake on one side cannot hide in shared code", () => {
    const microsoft = sourceFiles("providers/microsoft");
    const endpoint = sourceFiles("providers/local-endpoint");
    const offenders = [
      ...microsoft.flatMap((f) => importsOf(f).filter((s) => s.startsWith("providers/simulated") || s.startsWith("providers/local-endpoint")).map((s) => `${f} imports ${s}`)),
      ...endpoint.flatMap((f) => importsOf(f).filter((s) => s.startsWith("providers/microsoft")).map((s) => `${f} imports ${s}`)),
    ];
    expect(offenders).toEqual([]);
  });

  it("never lets library code reach into a provider implementation (only the CLI chooses one)", () => {
    const files = sourceFiles("lib").filter((f) => !f.startsWith("lib/cli/"));
    expect(files.flatMap((f) => importsOf(f).filter((s) => s.startsWith("providers/")).map((s) => `${f} imports ${s}`))).toEqual([]);
  });

  it("keeps the model at the bottom: it knows nothing of constructs, plans or providers", () => {
    const files = sourceFiles("lib/model");
    expect(violations(files, under("lib/model/", "lib/diagnostics/", "lib/private/", "schema/", "ajv"))).toEqual([]);
  });
});
