/**
 * The npm package as people get it: packed by `npm pack` (which runs the
 * `prepack` build) and installed into a new folder outside this repository.
 *
 * Why the install does not run `npm install <tarball>`: it would need the
 * internet, which the tests may not use. `npm install --offline` fails with
 * ENOTCACHED even on a machine where `npm ci` just ran, because `npm ci`
 * downloads the tarballs the lockfile names but none of the package metadata
 * an install resolves version ranges with; and better-sqlite3's install
 * script downloads a prebuilt binary. So the install is done as npm lays a
 * package out, by hand: the tarball's files in node_modules/@exoform/exoform,
 * every package it depends on beside it, and the bins in node_modules/.bin,
 * taking the dependencies (already built) from this repository's
 * node_modules, which `npm ci` filled. Only the packages package-lock.json
 * marks as runtime dependencies are linked (and those the new folder's own
 * package.json names), so a module the package needs at run time but
 * declares only as a devDependency (TypeScript, tsx) is missing there and the
 * test fails.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const PACKAGE_NAME = "@exoform/exoform";

/** What `npm pack --json` reports about the tarball. */
export interface Packed {
  readonly tarball: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly string[];
}

const folders: string[] = [];

/** A new folder under the OS temporary folder (outside this repository); removeFolders() removes it. */
export function newFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), `exoform-${prefix}-`));
  folders.push(folder);
  return folder;
}

/** Remove every folder newFolder() made. */
export function removeFolders(): void {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/**
 * The environment of a child, as in a new shell: no exoform or Azure setting
 * of the caller's, none of the npm_* variables `npm test` sets (npm would read
 * them as its own configuration), and no node_modules/.bin on the PATH (`npm
 * test` puts this repository's there, where npx would find this checkout's
 * exoform and tsx instead of the installed ones).
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(EXOFORM_|AZURE_|npm_)/i.test(name)) delete env[name];
  env["PATH"] = (env["PATH"] ?? "")
    .split(delimiter)
    .filter((dir) => !/node_modules[\\/]\.bin$/.test(dir))
    .join(delimiter);
  return env;
}

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: SpawnSyncOptions & { cwd: string }): Ran {
  const r = spawnSync(command, args, { env: cleanEnv(), encoding: "utf8", ...options });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** `npm pack` of this repository into a new folder; throws with npm's output when it fails. */
export function pack(): Packed {
  const into = newFolder("pack");
  const r = run("npm", ["pack", "--json", "--pack-destination", into], { cwd: ROOT });
  if (r.status !== 0) throw new Error(`npm pack failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  // the lifecycle scripts print before the JSON on stdout
  const json = r.stdout.slice(r.stdout.search(/^\[/m));
  const [report] = JSON.parse(json) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
  return { tarball: join(into, report!.filename), size: report!.size, unpackedSize: report!.unpackedSize, files: report!.files.map((f) => f.path).sort() };
}

interface Lockfile {
  readonly packages: Record<string, { readonly dev?: boolean }>;
}

/** The top-level packages of this repository's node_modules that package-lock.json does not mark dev-only: the package's runtime closure. */
function runtimeDependencies(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as Lockfile;
  return Object.entries(lock.packages)
    .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(path) && entry.dev !== true)
    .map(([path]) => path.slice("node_modules/".length));
}

/** The dependencies and devDependencies a package.json names. */
function declared(packageJson: string): string[] {
  if (!existsSync(packageJson)) return [];
  const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as { dependencies?: object; devDependencies?: object };
  return [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
}

/**
 * Install the tarball in `app` (see the module comment): the package, its
 * runtime dependencies and those `app/package.json` names, and the bins of
 * the package and of the packages `app/package.json` names.
 */
export function install(tarball: string, app: string): void {
  const modules = join(app, "node_modules");
  const target = join(modules, PACKAGE_NAME);
  mkdirSync(target, { recursive: true });
  const untar = run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], { cwd: app });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  const own = declared(join(app, "package.json")).filter((name) => name !== PACKAGE_NAME);
  for (const name of new Set([...runtimeDependencies(), ...own])) {
    const link = join(modules, name);
    const source = join(ROOT, "node_modules", name);
    if (existsSync(link) || !existsSync(source)) continue; // an optional package for another platform is not installed

    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(source, link, "dir");
  }
  mkdirSync(join(modules, ".bin"), { recursive: true });
  for (const name of [PACKAGE_NAME, ...own]) {
    const pkg = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")) as { name: string; bin?: string | Record<string, string> };
    const bins = typeof pkg.bin === "string" ? { [pkg.name.replace(/^@[^/]+\//, "")]: pkg.bin } : (pkg.bin ?? {});
    for (const [bin, file] of Object.entries(bins)) {
      // npm makes every bin executable when it installs a package
      if (name === PACKAGE_NAME) chmodSync(join(modules, name, file), 0o755);
      symlinkSync(join("..", name, file), join(modules, ".bin", bin));
    }
  }
}
