/**
 * exoform as a package people install: `npm pack` builds it (the prepack
 * script: the bundled CLI and the compiled library with its .d.ts files),
 * the tarball is installed into a new folder outside this repository (how,
 * without the internet: ./install.ts), and there
 * - a program that imports `@exoform/exoform` by its name synthesizes and
 *   plans against a new simulated tenant, with the installed bin, which runs
 *   compiled JavaScript only (neither tsx nor TypeScript is installed there);
 * - `exoform init` scaffolds a repository whose own `npx exoform plan` works
 *   and whose program type-checks against the package's .d.ts files.
 * The package is packed once for the file.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { install, newFolder, pack, PACKAGE_NAME, removeFolders, ROOT, run, type Packed } from "./install.js";

let packed: Packed;
beforeAll(() => {
  packed = pack();
}, 180_000);
afterAll(removeFolders);

/** The plan document `exoform plan --format json` printed. */
interface PlanJson {
  readonly stack: string;
  readonly tenantId: string;
  readonly actions: ReadonlyArray<{ readonly type: string; readonly target: string }>;
}

const npx = (cwd: string, ...args: string[]) => run("npx", ["--no", ...args], { cwd });

describe("npm pack", () => {
  it("packs the bundled CLI, the compiled library with its types, the templates and the pipelines, and no TypeScript source", () => {
    expect(packed.files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "bin/exoform.js",
        "dist/cli.mjs",
        "dist/lib/index.js",
        "dist/lib/index.d.ts",
        "dist/lib/constructs/testing.js",
        "dist/lib/constructs/testing.d.ts",
        "templates/init/main.ts",
        "action.yml",
        "examples/github-actions/plan.yml",
        "examples/policy/policy.json",
        "schema/policy.schema.json",
      ]),
    );
    // templates/init/main.ts is the scaffold's program, copied, never run from the package
    const sources = packed.files.filter((f) => /\.(ts|mts|cts)$/.test(f) && !f.endsWith(".d.ts") && !f.startsWith("templates/"));
    expect(sources).toEqual([]);
    expect(packed.files.filter((f) => /^(test|bench|scripts|lib|providers)\//.test(f) || f.endsWith(".map"))).toEqual([]);
  });

  it("names the package by its scope, not private, with the exports map and Node 20 and later", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg["name"]).toBe(PACKAGE_NAME);
    expect(pkg["private"]).toBeUndefined();
    expect(pkg["bin"]).toEqual({ exoform: "bin/exoform.js" });
    expect(Object.keys(pkg["exports"] as object)).toEqual([".", "./testing", "./package.json"]);
    expect(pkg["engines"]).toEqual({ node: ">=20.19" });
  });
});

describe("the installed package, in a folder outside the repository", () => {
  it("synthesizes and plans a program that imports @exoform/exoform by its name, against a new simulated tenant", () => {
    const app = newFolder("installed");
    install(packed.tarball, app);
    expect(existsSync(join(app, "node_modules", "tsx")), "tsx is a devDependency: not installed with the package").toBe(false);
    expect(existsSync(join(app, "node_modules", "typescript"))).toBe(false);
    writeFileSync(
      join(app, "main.mjs"),
      [
        `import { App } from "cdktf";`,
        `import { SharedMailbox, TenantStack } from "${PACKAGE_NAME}";`,
        `const app = new App();`,
        `const stack = new TenantStack(app, "ops", { tenantId: "contoso", domains: ["contoso.com"], usageLocation: "US" });`,
        `new SharedMailbox(stack, "Ops", { address: "ops@contoso.com", displayName: "Ops", members: ["ann.lee@contoso.com"] });`,
        `app.synth();`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(app, "cdktf.json"), JSON.stringify({ app: "node main.mjs", output: "cdktf.out" }));

    const tenant = npx(app, "exoform", "tenant", "init", "--fixture", "contoso");
    expect(tenant.stderr).toBe("");
    expect(tenant.status).toBe(0);
    const synth = npx(app, "exoform", "synth");
    expect(synth.stderr).toBe("");
    expect(synth.stdout).toMatch(/^stack ops: 1 shared mailbox, 0 user mailboxes/);
    const planned = npx(app, "exoform", "plan", "--format", "json");
    expect(planned.status, planned.stderr).toBe(0);
    const doc = JSON.parse(planned.stdout) as PlanJson;
    expect([doc.stack, doc.tenantId]).toEqual(["ops", "contoso"]);
    expect(doc.actions.filter((a) => a.type === "mailbox.create").map((a) => a.target)).toEqual(["ops@contoso.com"]);
    expect(doc.actions.filter((a) => a.type === "permission.grant").map((a) => a.target)).toContain("ops@contoso.com");
  }, 120_000);

  it("exports the constructs at the root and the test helpers at /testing, and nothing else", () => {
    const app = newFolder("exports");
    install(packed.tarball, app);
    const probe = [
      `const root = await import("${PACKAGE_NAME}");`,
      `const testing = await import("${PACKAGE_NAME}/testing");`,
      `let deep;`,
      `try { await import("${PACKAGE_NAME}/dist/lib/index.js"); deep = "importable"; } catch (e) { deep = e.code; }`,
      `console.log(JSON.stringify({ root: ["TenantStack", "SharedMailbox", "UserMailbox", "validateDesiredState"].map((n) => typeof root[n]), testing: typeof testing.Testing.synth, deep }));`,
    ].join("\n");
    writeFileSync(join(app, "probe.mjs"), probe);
    const r = run(process.execPath, ["probe.mjs"], { cwd: app });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ root: ["function", "function", "function", "function"], testing: "function", deep: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
  }, 60_000);

  it("scaffolds with exoform init a repository whose own plan works and whose program type-checks against the package's types", () => {
    const installed = newFolder("init-from");
    install(packed.tarball, installed);
    const repo = join(newFolder("scaffold"), "mailboxes");
    const init = npx(installed, "exoform", "init", repo);
    expect(init.stderr).toBe("");
    expect(init.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies[PACKAGE_NAME]).toBe(`^${(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version}`);

    // `npm install`, as install.ts does it
    install(packed.tarball, repo);
    const planned = npx(repo, "exoform", "plan");
    expect(planned.stderr).toBe("");
    expect(planned.status).toBe(0);
    expect(planned.stdout).toContain("team@contoso.com");
    const typecheck = run(join(repo, "node_modules", ".bin", "tsc"), ["--noEmit"], { cwd: repo });
    expect(typecheck.stdout + typecheck.stderr).toBe("");
    expect(typecheck.status).toBe(0);
  }, 150_000);
});
