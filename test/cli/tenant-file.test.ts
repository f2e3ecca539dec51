/**
 * The simulated tenant's file at the command line: one lock whatever path
 * names the file (a symbolic link takes the lock of the file it points to),
 * a read-only file that can still be read and says how to make it writable,
 * and a damaged file whose advice keeps a copy before anything replaces it.
 */
import { spawn } from "node:child_process";
import { chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileLockStore } from "../../lib/apply/index.js";
import { tenantStatePaths } from "../../lib/cli/provider.js";
import { REPO } from "../integration/helpers.js";
import { exoformInProcess } from "./in-process.js";

let dir = "";
const desired = join(REPO, "examples/contoso/desired-state.json");

/** Run exoform in-process; returns the exit code and everything written to stdout and stderr. */
async function exoform(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await exoformInProcess(...args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As root, file permissions do not stop a write: run the CLI as nobody then. */
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Run the exoform CLI in its own process, as nobody when the tests run as root. */
function exoformProcess(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO, "bin/exoform.js"), ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    // the test run's CA (NODE_EXTRA_CA_CERTS) is not readable by nobody; these commands make no HTTPS requests
    env: { ...process.env, EXOFORM_NO_BUILD: "1", NODE_EXTRA_CA_CERTS: "" },
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A folder the CLI process may use: as root, owned by nobody. */
function folder(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  if (asRoot) chownSync(d, NOBODY, NOBODY);
  return d;
}

async function init(path: string): Promise<void> {
  const r = await exoform("tenant", "init", "--fixture", "contoso", "--tenant", path);
  expect(r.code, r.stderr).toBe(0);
  if (asRoot) chownSync(path, NOBODY, NOBODY);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "exoform-tenant-file-"));
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a symbolic link to the tenant file", () => {
  it("names the lock of the file it points to, also when the folder is the link", async () => {
    const real = folder("real");
    const tenant = join(real, "tenant.db");
    await init(tenant);
    symlinkSync(tenant, join(dir, "link.db"));
    symlinkSync(real, join(dir, "linked-folder"));
    const locks = [tenant, join(dir, "link.db"), join(dir, "linked-folder", "tenant.db")].map((t) => tenantStatePaths({ tenant: t }).lockPath);
    expect(locks).toEqual([`${tenant}.lock`, `${tenant}.lock`, `${tenant}.lock`]);
    // a tenant not created yet: next to where it will be, through the folder's link too
    expect(tenantStatePaths({ tenant: join(dir, "linked-folder", "new.db") }).lockPath).toBe(join(real, "new.db.lock"));
  });

  it("refuses an apply through the link while another apply holds the file's lock", async () => {
    const d = folder("locked");
    const tenant = join(d, "tenant.db");
    await init(tenant);
    const link = join(dir, "locked-link.db");
    symlinkSync(tenant, link);
    const planned = await exoform("plan", "--desired", desired, "--tenant", tenant, "--out", join(d, "plan.json"));
    expect(planned.code, planned.stderr).toBe(0);
    const held = await new FileLockStore(`${tenant}.lock`).acquire({ tenantId: "contoso", planId: "p", holder: { who: "first-apply", host: hostname(), pid: process.pid } });
    try {
      const r = await exoform("apply", join(d, "plan.json"), "--auto-approve", "--tenant", link);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`tenant "contoso" is locked by`);
      expect(r.stderr).toContain("exoform force-unlock");
      expect(r.stderr).toContain(`${tenant}.lock`);
      // nothing was written through the link
      const log = await exoform("tenant", "log", "--json", "--tenant", tenant);
      expect((JSON.parse(log.stdout) as Array<{ operation: string }>).filter((e) => !e.operation.startsWith("admin."))).toEqual([]);
    } finally {
      await held.release();
    }
  });
});

describe("a read-only tenant file", () => {
  it("can be read (with a purge due, shown without storing it), a change says the file is read-only and how to make it writable, and a read-only folder says so", async () => {
    const d = folder("read-only-file");
    const tenant = join(d, "tenant.db");
    await init(tenant);
    // a purge falls due (jack.hale was deleted 10 days before the fixture's clock): reads must show it without writing
    expect((await exoform("tenant", "clock", "advance", "21d", "--tenant", tenant)).code).toBe(0);
    if (asRoot) chownSync(tenant, NOBODY, NOBODY);
    for (const suffix of ["-wal", "-shm"]) rmSync(`${tenant}${suffix}`, { force: true });
    chmodSync(tenant, 0o444);
    const before = readFileSync(tenant);
    const roDir = folder("read-only-folder");
    const inRoDir = join(roDir, "tenant.db");
    await init(inRoDir);
    for (const suffix of ["-wal", "-shm"]) rmSync(`${inRoDir}${suffix}`, { force: true });
    chmodSync(roDir, 0o555);
    try {
      const [show, grant, showInRoDir] = await Promise.all([
        exoformProcess(["tenant", "show", "--json", "--tenant", tenant]),
        exoformProcess(["tenant", "set", "grant", "legal@contoso.com", "SendAs", "ann.lee@contoso.com", "--tenant", tenant]),
        exoformProcess(["tenant", "show", "--tenant", inRoDir]),
      ]);
      expect(show.stderr).toBe("");
      expect(show.code).toBe(0);
      const view = JSON.parse(show.stdout) as { mailboxes: Array<{ address: string }> };
      expect(view.mailboxes.map((m) => m.address)).toContain("support@contoso.com");
      expect(view.mailboxes.map((m) => m.address)).not.toContain("jack.hale@contoso.com");

      expect(grant.code).toBe(1);
      expect(grant.stderr).not.toContain("internal");
      expect(grant.stderr).toContain(`the tenant file ${tenant} is read-only`);
      expect(grant.stderr).toContain(`chmod u+w ${tenant}`);
      expect(grant.stderr).toContain("--tenant");
      expect(readFileSync(tenant).equals(before)).toBe(true);

      if (asRoot || showInRoDir.code !== 0) {
        // (not as root, a file system may let this user write anyway: nothing to check then)
        expect(showInRoDir.code).toBe(1);
        expect(showInRoDir.stderr).toContain(`error: ${inRoDir}: the folder ${roDir} is read-only`);
        expect(showInRoDir.stderr).toContain(`chmod u+w ${roDir}`);
        expect(showInRoDir.stderr).not.toMatch(/internal|init --force/);
      }
    } finally {
      chmodSync(roDir, 0o755);
    }
  });
});

describe("a damaged tenant file", () => {
  const keepsACopyFirst = (stderr: string, tenant: string) => {
    const copy = stderr.indexOf(`cp ${tenant} `);
    expect(copy).toBeGreaterThan(0);
    const destroy = stderr.indexOf("--force");
    // replacing the file is never the only step, and never before the copy
    if (destroy >= 0) expect(destroy).toBeGreaterThan(copy);
    expect(stderr).toMatch(/keep a copy/i);
  };

  it("that is no database at all: says so, and to keep a copy before starting a new tenant there", async () => {
    const tenant = join(folder("garbage"), "tenant.db");
    writeFileSync(tenant, "this is not a database, but it was a tenant once".repeat(200));
    const r = await exoform("tenant", "show", "--tenant", tenant);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${tenant}: the file is not a SQLite database`);
    keepsACopyFirst(r.stderr, tenant);
  });

  it("that is another program's database: says to check the path, and to keep a copy before replacing it", async () => {
    const tenant = join(folder("other-db"), "tenant.db");
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(tenant);
    db.exec("CREATE TABLE notes (body TEXT)");
    db.close();
    const r = await exoform("plan", "--desired", desired, "--tenant", tenant);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not an exoform simulated tenant");
    expect(r.stderr).toContain("check the path");
    keepsACopyFirst(r.stderr, tenant);
  });

  it("cut short: says it is damaged, and to keep a copy before starting a new tenant there", async () => {
    const tenant = join(folder("truncated"), "tenant.db");
    await init(tenant);
    truncateSync(tenant, Math.floor(statSync(tenant).size / 2));
    const r = await exoform("tenant", "show", "--tenant", tenant);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("internal");
    expect(r.stderr).toContain(`error: ${tenant}: the tenant file is damaged`);
    keepsACopyFirst(r.stderr, tenant);
  });

  it("with a damaged table: reads of it say to keep a copy and to save what can be read with tenant export", async () => {
    const tenant = join(folder("damaged-table"), "tenant.db");
    await init(tenant);
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(tenant);
    const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'grants'").pluck().get() as number;
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    db.close();
    const fd = openSync(tenant, "r+");
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, (root - 1) * pageSize);
    closeSync(fd);
    const r = await exoform("plan", "--desired", desired, "--tenant", tenant);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("internal");
    expect(r.stderr).toContain(`error: ${tenant}: the tenant file is damaged`);
    expect(r.stderr).toContain(`exoform tenant export --tenant ${tenant}`);
    keepsACopyFirst(r.stderr, tenant);
  });
});
