/**
 * `exoform init [dir]`: a new repository that manages shared mailboxes with
 * exoform, ready for `npm install && npx exoform plan`: package.json
 * (depending on this exoform version), a constructs program with one example
 * mailbox, cdktf.json, tsconfig.json, the three GitHub workflows, a policy,
 * a README and a .gitignore, plus a simulated tenant in .exoform/tenant.db
 * to rehearse against before a real tenant is connected.
 *
 * The files come from templates/init/ and, so that there is one copy of
 * each, from the examples the repository documents and tests
 * (examples/github-actions/*.yml, examples/policy/policy.json); all of them
 * ship in the npm package (package.json "files").
 *
 * Nothing is ever overwritten or deleted: a folder that is not empty is
 * refused unless --force, and even then every file that exists is kept as it
 * is (each file is created with the exclusive flag "wx").
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { UserError } from "../../diagnostics/errors.js";
import { loadFixture, SimulatedTenant, DEFAULT_TENANT_PATH } from "../../../providers/simulated/index.js";
import pkg from "../../../package.json" with { type: "json" };

/** The package's root folder: three levels up from lib/cli/commands/init.ts, one up from the bundled dist/cli.mjs. */
function packageRoot(): string {
  const candidates = ["../../../", "../"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const root = candidates.find((dir) => existsSync(join(dir, "templates", "init")));
  if (root === undefined) throw new Error(`templates/init not found next to the exoform sources (looked in ${candidates.join(", ")})`);
  return root;
}

/** One file of the new repository: where it goes, and its text given the repository's name. */
interface ScaffoldFile {
  readonly path: string;
  readonly text: (root: string, name: string) => string;
}

const fromTemplate = (template: string) => (root: string, name: string) => readFileSync(join(root, "templates", "init", template), "utf8").replaceAll("{{name}}", name);
const copyOf = (file: string) => (root: string) => readFileSync(join(root, file), "utf8");

/** The simulated tenant the example mailbox is declared in, so the first plan has something to show. */
const REHEARSAL_FIXTURE = "contoso";

export const SCAFFOLD: readonly ScaffoldFile[] = [
  { path: "package.json", text: (_root, name) => packageJson(name) },
  { path: "main.ts", text: fromTemplate("main.ts") },
  { path: "cdktf.json", text: fromTemplate("cdktf.json") },
  { path: "tsconfig.json", text: fromTemplate("tsconfig.json") },
  { path: "README.md", text: fromTemplate("README.md") },
  { path: ".gitignore", text: fromTemplate("gitignore") },
  // the example policy, its $schema pointed at the copy in the installed package
  {
    path: "policy.json",
    text: (root) => copyOf("examples/policy/policy.json")(root).replace(/"\$schema": "[^"]*"/, `"$schema": "./node_modules/${pkg.name}/schema/policy.schema.json"`),
  },
  { path: ".github/workflows/exoform-plan.yml", text: copyOf("examples/github-actions/plan.yml") },
  { path: ".github/workflows/exoform-apply.yml", text: copyOf("examples/github-actions/apply.yml") },
  { path: ".github/workflows/exoform-drift.yml", text: copyOf("examples/github-actions/drift.yml") },
];

/**
 * The new repository's package.json: exoform at this version, cdktf and
 * constructs at the versions exoform is built with (the program imports App
 * from cdktf, which must be the copy exoform's constructs extend), tsx to run
 * main.ts (cdktf.json "app") and TypeScript for the editor and `tsc`.
 */
export function packageJson(name: string): string {
  const doc = {
    name,
    version: "0.0.0",
    private: true,
    type: "module",
    scripts: { synth: "exoform synth", plan: "exoform plan", typecheck: "tsc --noEmit" },
    dependencies: {
      [pkg.name]: `^${pkg.version}`,
      cdktf: pkg.dependencies.cdktf,
      constructs: pkg.dependencies.constructs,
    },
    devDependencies: {
      "@types/node": pkg.devDependencies["@types/node"],
      tsx: pkg.devDependencies.tsx,
      typescript: pkg.devDependencies.typescript,
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** An npm package name made from a folder's name: lower case, letters, digits, - . _ only. */
export function packageNameFor(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+|[-]+$/g, "")
    .slice(0, 214);
  return name === "" ? "exoform-mailboxes" : name;
}

interface InitOptions {
  readonly force?: boolean;
}

export function register(program: Command): void {
  program
    .command("init")
    .description("create a new repository that manages shared mailboxes with exoform: a program, its package.json, GitHub workflows, a policy and a simulated tenant")
    .argument("[dir]", "the folder to create it in (made if missing)", ".")
    .option("--force", "write into a folder that is not empty; files that exist are kept, never overwritten")
    .action((dir: string, options: InitOptions) => init(dir, options));
}

function init(dir: string, options: InitOptions): void {
  const target = resolve(dir);
  refuseUnlessEmpty(target, options.force === true);
  const root = packageRoot();
  const name = packageNameFor(basename(target));
  // every text first: a missing template stops init before it writes anything
  const files = SCAFFOLD.map((file) => ({ path: file.path, text: file.text(root, name) }));
  const kept = files.filter((file) => existsSync(join(target, file.path))).map((file) => file.path);
  const written: string[] = [];
  for (const file of files) {
    if (kept.includes(file.path)) continue;
    const path = join(target, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text, { flag: "wx" });
    written.push(file.path);
  }
  const tenantPath = join(target, DEFAULT_TENANT_PATH);
  const tenantCreated = !existsSync(tenantPath);
  if (tenantCreated) SimulatedTenant.create(tenantPath, loadFixture(REHEARSAL_FIXTURE)).close();

  const shown = relative(process.cwd(), target) || ".";
  const lines = [
    `created an exoform repository in ${shown}:`,
    ...written.map((f) => `  ${f}`),
    ...kept.map((f) => `  ${f} (exists: kept as it is)`),
    `  ${DEFAULT_TENANT_PATH} ${tenantCreated ? `(a simulated tenant, "${REHEARSAL_FIXTURE}", to rehearse against; git-ignored)` : "(exists: kept as it is)"}`,
    "",
    "Next:",
    ...(shown === "." ? [] : [`  cd ${shown}`]),
    "  npm install",
    "  npx exoform plan       # the example mailbox, planned against the simulated tenant",
    "Then: declare your mailboxes in main.ts and connect your tenant (README.md); the pipelines are in .github/workflows.",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** A folder with anything in it is someone's work: refused, unless --force (which still overwrites nothing). */
function refuseUnlessEmpty(target: string, force: boolean): void {
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) {
    throw new UserError([{ severity: "error", code: "init_not_a_folder", target, message: "is a file, not a folder; exoform init creates a repository in a folder: give a folder's path" }]);
  }
  const entries = readdirSync(target).sort();
  if (entries.length === 0 || force) return;
  const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? `, and ${entries.length - 5} more` : "");
  throw new UserError([
    {
      severity: "error",
      code: "init_not_empty",
      target,
      message: `the folder is not empty (${shown}); exoform init creates a new repository: give a new or empty folder, or run it again with --force to add only the files that are missing (nothing is overwritten or deleted)`,
    },
  ]);
}
