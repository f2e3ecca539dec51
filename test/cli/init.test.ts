/**
 * `exoform init [dir]`: the scaffold of a new repository, its refusal of a
 * folder that holds someone's work, and --force, which adds what is missing
 * and never overwrites or deletes anything. That the scaffold's own plan
 * works from the installed package is test/package/pack-install.test.ts.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { packageNameFor, SCAFFOLD } from "../../lib/cli/commands/init.js";
import { exoformInProcess } from "./in-process.js";

const ROOT = join(import.meta.dirname, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "exoform-init-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
const newDir = () => join(scratch, `repo-${++n}`);
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");

describe("exoform init", () => {
  it("writes package.json, the program, cdktf.json, tsconfig.json, the three workflows, a policy, a README, a .gitignore and a simulated tenant, then the next steps", async () => {
    const dir = newDir();
    const r = await exoformInProcess("init", dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    for (const file of SCAFFOLD) expect(statSync(join(dir, file.path)).isFile(), file.path).toBe(true);
    expect(SCAFFOLD.map((f) => f.path).sort()).toEqual([
      ".github/workflows/exoform-apply.yml",
      ".github/workflows/exoform-drift.yml",
      ".github/workflows/exoform-plan.yml",
      ".gitignore",
      "README.md",
      "cdktf.json",
      "main.ts",
      "package.json",
      "policy.json",
      "tsconfig.json",
    ]);
    expect(statSync(join(dir, ".exoform", "tenant.db")).size).toBeGreaterThan(0);
    expect(r.stdout).toContain("Next:\n");
    expect(r.stdout).toContain("  npm install\n  npx exoform plan");
  });

  it("makes package.json depend on this exoform version and on the cdktf and constructs exoform is built with", async () => {
    const dir = newDir();
    await exoformInProcess("init", dir);
    const own = JSON.parse(read(ROOT, "package.json")) as { name: string; version: string; dependencies: Record<string, string> };
    const pkg = JSON.parse(read(dir, "package.json")) as { name: string; private: boolean; dependencies: Record<string, string> };
    expect(pkg.name).toBe(`repo-${n}`);
    expect(pkg.private).toBe(true);
    expect(pkg.dependencies).toEqual({ [own.name]: `^${own.version}`, cdktf: own.dependencies["cdktf"], constructs: own.dependencies["constructs"] });
    expect(read(dir, "main.ts")).toContain(`from "${own.name}";`);
    expect(JSON.parse(read(dir, "cdktf.json"))).toMatchObject({ app: "npx tsx main.ts", projectId: `repo-${n}` });
  });

  it("copies the workflows and the policy from the examples the repository tests, the policy's $schema pointed into the installed package", async () => {
    const dir = newDir();
    await exoformInProcess("init", dir);
    for (const name of ["plan", "apply", "drift"]) {
      expect(read(dir, `.github/workflows/exoform-${name}.yml`)).toBe(read(ROOT, `examples/github-actions/${name}.yml`));
    }
    const policy = JSON.parse(read(dir, "policy.json")) as Record<string, unknown>;
    expect(policy).toEqual({ ...(JSON.parse(read(ROOT, "examples/policy/policy.json")) as object), $schema: "./node_modules/@exoform/exoform/schema/policy.schema.json" });
  });

  it("writes the same bytes for the same folder name", async () => {
    const a = join(newDir(), "mailboxes");
    const b = join(newDir(), "mailboxes");
    await exoformInProcess("init", a);
    await exoformInProcess("init", b);
    for (const file of SCAFFOLD) expect(read(b, file.path), file.path).toBe(read(a, file.path));
  });

  it("refuses a folder that is not empty, naming it, what is in it and the fix, and writes nothing", async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "mine");
    const r = await exoformInProcess("init", dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `error: ${dir}: the folder is not empty (notes.txt); exoform init creates a new repository: give a new or empty folder, or run it again with --force to add only the files that are missing (nothing is overwritten or deleted) [init_not_empty]\n`,
    );
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });

  it("with --force adds only the missing files and keeps every existing one byte for byte, the simulated tenant included", async () => {
    const dir = newDir();
    mkdirSync(join(dir, ".exoform"), { recursive: true });
    writeFileSync(join(dir, "main.ts"), "// my program\n");
    writeFileSync(join(dir, ".exoform", "tenant.db"), "my tenant");
    const r = await exoformInProcess("init", dir, "--force");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(read(dir, "main.ts")).toBe("// my program\n");
    expect(read(dir, ".exoform/tenant.db")).toBe("my tenant");
    expect(r.stdout).toContain("  main.ts (exists: kept as it is)\n");
    expect(r.stdout).toContain("  .exoform/tenant.db (exists: kept as it is)\n");
    expect(read(dir, "cdktf.json")).toContain('"app": "npx tsx main.ts"');
  });

  it("refuses a path that is a file", async () => {
    const file = join(scratch, "a-file");
    writeFileSync(file, "x");
    const r = await exoformInProcess("init", file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: ${file}: is a file, not a folder; exoform init creates a repository in a folder: give a folder's path [init_not_a_folder]`);
    expect(read(scratch, "a-file")).toBe("x");
  });
});

describe("the package name made from a folder's name", () => {
  it("is always a valid npm package name, whatever the folder is called", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (folder) => {
        const name = packageNameFor(folder);
        expect(name).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
        expect(name.length).toBeLessThanOrEqual(214);
      }),
    );
  });

  it("keeps a name that is valid already, lower-cased", () => {
    expect(packageNameFor("Mailboxes-Prod")).toBe("mailboxes-prod");
    expect(packageNameFor("exo.form_2")).toBe("exo.form_2");
    expect(packageNameFor("...")).toBe("exoform-mailboxes");
  });
});
