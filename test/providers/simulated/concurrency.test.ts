/**
 * Several processes on one tenant file: readers never fail because a writer
 * is busy (reads take no write lock, and show the time-driven events due
 * whether or not a write has stored them yet); writers wait for each other
 * (BEGIN IMMEDIATE, a bounded busy timeout) and, when the wait runs out,
 * fail with a transient TenantBusy error naming the file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { applyPlan } from "../../../lib/apply/index.js";
import { plan } from "../../../lib/plan/index.js";
import { ProviderError } from "../../../lib/provider/errors.js";
import { observe } from "../../../lib/provider/observe.js";
import { SimulatedTenant } from "../../../providers/simulated/index.js";
import { contosoDesired, REPO, runCli } from "../../integration/helpers.js";
import { DAY, tempTenants } from "./helpers.js";

const tenants = tempTenants();
const WRITER = fileURLToPath(new URL("./scripts/busy-writer.ts", import.meta.url));
const READER = fileURLToPath(new URL("./scripts/reader-loop.ts", import.meta.url));
const CONTOSO_DESIRED = `${REPO}examples/contoso/desired-state.json`;

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

/** `node --import tsx <script> ...args` with stdin open: wait for a line it prints, send it a line, await its end. */
function child(script: string, args: readonly string[]) {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
  running.add(proc);
  proc.on("close", () => running.delete(proc));
  let stdout = "";
  let stderr = "";
  const done = new Promise<Outcome>((resolve, reject) => {
    proc.on("error", reject);
    proc.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  proc.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  proc.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return {
    done,
    printed: async (text: string) => {
      const deadline = Date.now() + 30_000;
      while (!stdout.includes(text)) {
        const ended = await Promise.race([done.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20))]);
        if (ended || Date.now() > deadline) throw new Error(`${script} did not print "${text}" (stdout: ${stdout}; stderr: ${stderr})`);
      }
    },
    stop: () => proc.stdin.end("stop\n"),
  };
}

const count = (text: string, word: string): number => Number(new RegExp(`${word} (\\d+)`).exec(text)?.[1] ?? 0);

/**
 * A contoso tenant where time-driven events are due but not yet stored: a
 * purge (jack.hale, soft-deleted in the fixture, and ivy.chen, with grants on
 * her mailbox and to her elsewhere) and a disconnection (kim.nguyen, an
 * unlicensed mailbox converted back to a user mailbox, with a grant on it).
 */
function tenantWithDueEvents(): SimulatedTenant {
  const t = tenants.contoso();
  t.adminAddGrant("ivy.chen@contoso.com", "FullAccess", "ann.lee@contoso.com");
  t.adminAddGrant("support@contoso.com", "SendAs", "ivy.chen@contoso.com");
  t.adminAddGrant("kim.nguyen@contoso.com", "FullAccess", "ben.ortiz@contoso.com");
  t.adminDeleteUser("ivy.chen@contoso.com");
  t.adminConvert("kim.nguyen@contoso.com", "regular");
  t.advanceClock(31 * DAY); // settles at the old time, then moves the clock: the events are due, not stored
  return t;
}

async function everyRead(t: SimulatedTenant) {
  return {
    tenant: await t.readTenant(),
    skus: await t.listSkus(),
    users: await t.listUsers(),
    mailboxes: await t.listMailboxes(),
    grants: await t.listGrants(),
    kim: await t.getMailbox("kim.nguyen@contoso.com"),
    ivyMailbox: await t.getMailbox("ivy.chen@contoso.com"),
    ivyGrants: await t.getGrants("ivy.chen@contoso.com"),
    supportGrants: await t.getGrants("support@contoso.com"),
    ann: await t.getUser("ann.lee@contoso.com"),
  };
}

/** Another connection holding the write lock, as a process in the middle of a write does. */
function holdWriteLock(path: string): { release(): void } {
  const db = new Database(path);
  db.exec("BEGIN IMMEDIATE");
  return {
    release: () => {
      db.exec("ROLLBACK");
      db.close();
    },
  };
}

const opened: SimulatedTenant[] = [];
function open(path: string): SimulatedTenant {
  const t = SimulatedTenant.open(path);
  opened.push(t);
  return t;
}
afterEach(() => {
  for (const proc of running) proc.kill(); // a test that failed half-way: stop the children it started
  for (const t of opened.splice(0)) t.close();
  delete process.env["EXOFORM_TENANT_BUSY_TIMEOUT_MS"];
});

describe("readers and writers in several processes", () => {
  it("answers every read while another connection holds the write lock, with the due time-driven events applied as a write stores them", async () => {
    const t = tenantWithDueEvents();
    const lock = holdWriteLock(t.path);
    let whileLocked: Awaited<ReturnType<typeof everyRead>>;
    let fixtureWhileLocked: ReturnType<SimulatedTenant["exportFixture"]>;
    // the lock is released only after the reads: a reader that waited for it would fail with TenantBusy, not pass slowly
    try {
      const reader = open(t.path);
      whileLocked = await everyRead(reader);
      fixtureWhileLocked = reader.exportFixture();
      expect(reader.readLog({ limit: 3 }).length).toBe(3);
    } finally {
      lock.release();
    }
    // the events as read while the lock was held
    expect(whileLocked.users.map((u) => u.userPrincipalName)).not.toContain("ivy.chen@contoso.com");
    expect(whileLocked.users.map((u) => u.userPrincipalName)).not.toContain("jack.hale@contoso.com");
    expect(whileLocked.kim).toBeNull();
    expect(whileLocked.ivyMailbox).toBeNull();
    expect(whileLocked.ivyGrants).toEqual([]);
    expect(whileLocked.grants.some((g) => g.trustee === "ivy.chen@contoso.com" || g.mailbox === "kim.nguyen@contoso.com")).toBe(false);
    // a connection that can write stores them, and reads the same
    const writer = open(t.path);
    expect(await everyRead(writer)).toEqual(whileLocked);
    expect(writer.readLog({ operation: "system.purge" }).map((e) => e.target).sort()).toEqual(["ivy.chen@contoso.com", "jack.hale@contoso.com"]);
    expect(writer.readLog({ operation: "system.disconnect" }).map((e) => e.target)).toEqual(["kim.nguyen@contoso.com"]);
    // `exoform tenant show` and `tenant export` read the same too (readiness and grant effect included)
    expect(fixtureWhileLocked).toEqual(writer.exportFixture());
  });

  it("stores the due events on the first read when nobody else is writing", async () => {
    const t = tenantWithDueEvents();
    const reader = open(t.path);
    await reader.listUsers();
    expect(t.readLog({ operation: "system.disconnect" }).map((e) => e.target)).toEqual(["kim.nguyen@contoso.com"]);
  });

  it("makes a write wait for the lock, and fail as a transient TenantBusy naming the file when the wait runs out", async () => {
    const t = tenants.contoso();
    process.env["EXOFORM_TENANT_BUSY_TIMEOUT_MS"] = "300";
    const w = open(t.path);
    const lock = holdWriteLock(t.path);
    let error: unknown;
    let adminError: unknown;
    const started = Date.now();
    try {
      error = await w.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com").catch((e: unknown) => e);
      try {
        w.adminAddGrant("support@contoso.com", "SendAs", "ben.ortiz@contoso.com");
      } catch (e) {
        adminError = e;
      }
      // reads go on
      expect((await w.listGrants()).length).toBeGreaterThan(0);
    } finally {
      lock.release();
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    for (const e of [error, adminError]) {
      expect(ProviderError.is(e)).toBe(true);
      const pe = e as ProviderError;
      expect(pe.kind).toBe("transient");
      expect(pe.retryable).toBe(true);
      expect(pe.code).toBe("TenantBusy");
      expect(pe.message).toContain(t.path);
      expect(pe.message).toMatch(/another process/);
      expect(pe.message).toMatch(/run .* again|try again/);
    }
    expect((error as ProviderError).operation).toBe("addRecipientPermission");
    // nothing half-written, and the same write goes through once the lock is free
    expect(w.readLog({ operation: "addRecipientPermission" })).toEqual([]);
    await w.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com");
    expect((await w.getGrants("support@contoso.com")).some((g) => g.right === "SendAs" && g.trustee === "ben.ortiz@contoso.com")).toBe(true);
  });

  it("lets an apply whose writes meet a busy file retry them (TenantBusy is transient) and converge once the other writer is done", async () => {
    const t = tenants.contoso();
    const path = t.path;
    t.close();
    process.env["EXOFORM_TENANT_BUSY_TIMEOUT_MS"] = "150";
    const tenant = open(path);
    const doc = plan(contosoDesired(), await observe(tenant));
    // another process holds the write lock for a second, as a long write would
    const holder = spawn(process.execPath, ["-e", `const db = new (require("better-sqlite3"))(${JSON.stringify(path)}); db.exec("BEGIN IMMEDIATE"); console.log("locked"); setTimeout(() => db.exec("ROLLBACK"), 1000);`], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
    running.add(holder);
    await new Promise<void>((resolve, reject) => {
      holder.stdout.setEncoding("utf8").on("data", (c: string) => c.includes("locked") && resolve());
      holder.on("error", reject);
    });
    const busy: string[] = [];
    const result = await applyPlan(doc, tenant, { onEvent: (e) => e.type === "retry" && e.error.code === "TenantBusy" && busy.push(e.action.id) });
    expect(busy.length).toBeGreaterThan(0);
    expect(result.summary.failed).toBe(0);
    expect(result.converged).toBe(true);
  });

  it("keeps every reader (a loop of reads, `exoform tenant show`, `exoform plan`) answering, and lets `exoform tenant set` edit, while a writer makes thousands of writes", async () => {
    const t = tenants.contoso();
    const path = t.path;
    t.close();
    const writer = child(WRITER, [path, "provider", "support@contoso.com", "ben.ortiz@contoso.com", "until-stop"]);
    await writer.printed("started");
    const reader = child(READER, [path]);
    await reader.printed("started");
    const [show, plan, edit] = await Promise.all([
      runCli(["tenant", "show", "--tenant", path]),
      runCli(["plan", "--desired", CONTOSO_DESIRED, "--tenant", path]),
      runCli(["tenant", "set", "grant", "legal@contoso.com", "SendAs", "ann.lee@contoso.com", "--tenant", path]),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    reader.stop();
    const read = await reader.done;
    writer.stop();
    const wrote = await writer.done;
    expect(read.stderr).toBe("");
    expect(read.code).toBe(0);
    expect(wrote.stderr).toBe("");
    expect(wrote.code).toBe(0);
    for (const cli of [show, plan, edit]) {
      expect(cli.stderr).not.toMatch(/database is locked|internal|TenantBusy/);
      expect(cli.stderr).not.toMatch(/^error:/m);
      expect(cli.code).toBe(0);
    }
    expect(show.stdout).toContain("support@contoso.com");
    expect(edit.stdout).toContain("granted SendAs on legal@contoso.com to ann.lee@contoso.com");
    const grants = await open(path).getGrants("legal@contoso.com");
    expect(grants.map((g) => `${g.right} ${g.trustee}`)).toContain("SendAs ann.lee@contoso.com");
    expect(count(wrote.stdout, "wrote")).toBeGreaterThanOrEqual(1000);
    expect(count(read.stdout, "read")).toBeGreaterThan(1);
  });

  it("lets two writers, one making admin edits and one provider writes, interleave until both finish", async () => {
    const t = tenants.contoso();
    const path = t.path;
    t.close();
    const admin = child(WRITER, [path, "admin", "legal@contoso.com", "ann.lee@contoso.com", "500"]);
    const provider = child(WRITER, [path, "provider", "support@contoso.com", "ben.ortiz@contoso.com", "500"]);
    const [a, p] = await Promise.all([admin.done, provider.done]);
    expect(a.stderr).toBe("");
    expect(p.stderr).toBe("");
    expect([a.code, p.code]).toEqual([0, 0]);
    expect([count(a.stdout, "wrote"), count(p.stdout, "wrote")]).toEqual([1000, 1000]);
    const after = open(path);
    expect(after.readLog({ operation: "admin.addGrant" }).length).toBe(500);
    expect(after.readLog({ operation: "addRecipientPermission" }).filter((e) => e.outcome === "ok").length).toBe(500);
  });
});
