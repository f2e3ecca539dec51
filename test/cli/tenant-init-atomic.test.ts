/**
 * `exoform tenant init` is atomic: a process killed at any step of creating a
 * tenant leaves either the old tenant intact (with the commits still in its
 * WAL, as a crashed process leaves them) or the new tenant complete; never a
 * half-made file that every command rejects, and `--force` never destroys the
 * old tenant before the new one exists. The crash is real: a child process
 * (scripts/init-crash.ts) kills itself with SIGKILL just before a chosen
 * file-system or SQLite step, one run per kind of step.
 */
import { spawn } from "node:child_process";
import { buildSync } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { loadFixture, SimulatedTenant } from "../../providers/simulated/index.js";

const SCRIPT = fileURLToPath(new URL("./scripts/init-crash.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "exoform-init-atomic-"));
// the child, bundled once (plain node starts it in a fraction of what tsx takes); inside the repository,
// so that better-sqlite3 resolves from node_modules
const BUNDLE = join(REPO, "node_modules", ".cache", "exoform-tests", `init-crash-${process.pid}.mjs`);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(BUNDLE, { force: true });
});

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
}

function child(path: string, fixture: string, killAt: number, force: boolean, trace = false): Promise<Outcome> {
  const env = { ...process.env, ...(trace ? { INIT_CRASH_TRACE: "1" } : {}) };
  const p = spawn(process.execPath, [BUNDLE, path, fixture, String(killAt), force ? "force" : "no"], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  p.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  p.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    p.on("error", reject);
    p.on("close", (code, signal) => resolve({ stdout, stderr, signal, code }));
  });
}

/** At most two children at once (two cores). */
async function inPairs<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 2) await Promise.all(items.slice(i, i + 2).map(fn));
}

/** The tenant at `path` as a comparable document, or what stops it from opening. */
function stateOf(path: string): string {
  if (!existsSync(path)) return "absent";
  try {
    const t = SimulatedTenant.open(path);
    try {
      return canonicalJson({ instance: t.instance, fixture: t.exportFixture() });
    } finally {
      t.close();
    }
  } catch (e) {
    return `unusable: ${(e as Error).message}`;
  }
}

/** Steps worth a crash: the first of each run of steps of the same kind (fs.renameSync, sqlite pragma...; see scripts/init-crash.ts). */
function killPoints(trace: string): number[] {
  const steps = [...trace.matchAll(/^step (\d+): (fs\.\w+|sqlite \w+)/gm)].map((m) => ({ n: Number(m[1]), kind: m[2]! }));
  return steps.filter((s, i) => i === 0 || steps[i - 1]!.kind !== s.kind).map((s) => s.n);
}

let template = "";
let oldState = "";

beforeAll(() => {
  mkdirSync(join(BUNDLE, ".."), { recursive: true });
  buildSync({ entryPoints: [SCRIPT], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile: BUNDLE, logLevel: "warning" });
  // the old tenant as a crashed process leaves it: a commit still only in its -wal
  template = join(root, "template");
  const t = SimulatedTenant.create(join(template, "tenant.db"), loadFixture("empty"));
  t.advanceClock(86_400_000);
  expect(existsSync(join(template, "tenant.db-wal"))).toBe(true);
  copyFileSync(join(template, "tenant.db"), join(template, "old.db"));
  copyFileSync(join(template, "tenant.db-wal"), join(template, "old.db-wal"));
  t.close();
  oldState = stateOf(join(template, "tenant.db"));
  expect(oldState).toContain('"clock":"2026-11-02T09:00:00.000Z"');
});

/** A folder holding the old tenant with its un-checkpointed WAL. */
function withOldTenant(name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  const path = join(dir, "tenant.db");
  SimulatedTenant.create(path, loadFixture("empty")).close(); // makes the folder
  rmSync(path);
  copyFileSync(join(template, "old.db"), path);
  copyFileSync(join(template, "old.db-wal"), `${path}-wal`);
  return path;
}

function isNewContoso(state: string): boolean {
  return state.startsWith("{") && state.includes('"id":"contoso"') && (JSON.parse(state) as { fixture: { users: unknown[] } }).fixture.users.length === loadFixture("contoso").users.length;
}

describe("tenant init --force, killed at every kind of step", () => {
  it("leaves the old tenant intact until the rename, and the new one complete after it", async () => {
    const traced = await child(withOldTenant("trace"), "contoso", 0, true, true);
    expect(traced.stdout).toMatch(/done after \d+ steps/);
    const points = killPoints(traced.stderr);
    expect(points.length).toBeGreaterThan(8);

    const seen = { old: 0, new: 0 };
    await inPairs(points, async (k) => {
      const path = withOldTenant(`force-${k}`);
      const run = await child(path, "contoso", k, true);
      expect(run.signal, `${k}: ${run.stdout}${run.stderr}`).toBe("SIGKILL");
      const state = stateOf(path);
      const what = run.stdout.trim();
      if (state === oldState) seen.old++;
      else {
        expect(isNewContoso(state), `${what}: the tenant is neither the old one nor the complete new one: ${state.slice(0, 300)}`).toBe(true);
        seen.new++;
      }
      // and init runs again as if nothing happened, leaving no temporary file behind
      SimulatedTenant.create(path, loadFixture("contoso"), { force: true }).close();
      expect(isNewContoso(stateOf(path))).toBe(true);
      expect(readdirSync(join(path, "..")).sort(), what).toEqual(["tenant.db"]);
    });
    // crashes before the rename kept the old tenant, after it gave the new one
    expect(traced.stderr).toMatch(/fs\.renameSync/);
    expect(seen.old).toBeGreaterThan(4);
    expect(seen.new).toBeGreaterThan(0);
  }, 120_000);
});

describe("tenant init without an old tenant, killed midway", () => {
  it("leaves no tenant file at all (init simply runs again), or the complete new tenant", async () => {
    const traced = await child(join(root, "fresh-trace", "tenant.db"), "contoso", 0, false, true);
    const steps = [...traced.stderr.matchAll(/^step (\d+): (.*)$/gm)].map((m) => ({ n: Number(m[1]), what: m[2]! }));
    // building the tenant, folding its WAL in, putting it in place
    const points = [/transaction/, /wal_checkpoint/, /renameSync/].flatMap((re) => steps.find((s) => re.test(s.what))?.n ?? []);
    expect(points.length).toBeGreaterThan(1);
    await inPairs(points, async (k) => {
      const dir = join(root, `fresh-${k}`);
      const path = join(dir, "tenant.db");
      const run = await child(path, "contoso", k, false);
      expect(run.signal).toBe("SIGKILL");
      expect(stateOf(path), run.stdout).toBe("absent");
      SimulatedTenant.create(path, loadFixture("contoso")).close(); // no --force needed: nothing was left at the path
      expect(readdirSync(dir)).toEqual(["tenant.db"]);
    });
  }, 60_000);
});
