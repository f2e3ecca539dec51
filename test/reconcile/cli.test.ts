/**
 * `exoform reconcile` as a process: --once's exit codes, the probes and
 * metrics scraped by a real HTTP client, and SIGTERM in the middle of a
 * cycle's writes (the writes in flight finish, the lock and the lease are
 * released, and the next cycle finishes the job with every write once).
 */
import { existsSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startCli, runCli } from "../cli/cli-child.js";
import type { ReconcileStatus } from "../../lib/reconcile/status.js";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { convergedWorld, type World } from "./world.js";

/** A converged tenant with `grants` extra FullAccess grants on support@ (security heals), closed for the child processes. */
async function setUp(grants: string[] = []): Promise<World & { args: (...extra: string[]) => string[] }> {
  const w = await convergedWorld();
  for (const trustee of grants) w.tenant.adminAddGrant("support@contoso.com", "FullAccess", trustee);
  w.tenant.close();
  writeFileSync(join(w.dir, "desired.json"), JSON.stringify(w.desired));
  return Object.assign(w, { args: (...extra: string[]) => ["reconcile", "--desired", "desired.json", "--tenant", "tenant.db", ...extra] });
}

/** A port nobody listens on right now (the OS picks it; the test's server takes it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** An HTTP server on 127.0.0.1 that keeps every status POSTed to it. */
async function webhookReceiver(): Promise<{ url: string; received: ReconcileStatus[]; close: () => Promise<void> }> {
  const received: ReconcileStatus[] = [];
  const server = createHttpServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => {
      received.push(JSON.parse(body) as ReconcileStatus);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const PEOPLE = ["frank.moss@contoso.com", "gina.rossi@contoso.com", "dev.patel@contoso.com", "carla.diaz@contoso.com", "erin.kim@contoso.com"];

describe("exoform reconcile --once", () => {
  it("exits 2 when differences remain (nothing opted into), then 0 once the opted-in class healed them", async () => {
    const w = await setUp(["frank.moss@contoso.com"]);
    const report = await runCli(w.args("--once"), { cwd: w.dir });
    expect(report.code, report.stderr).toBe(2);
    expect(report.stderr).toContain("reconcile cycle 1: 1 planned (security 1, access 0, review 0); 1 remain");
    const hook = await webhookReceiver();
    try {
      const heal = await runCli(w.args("--once", "--heal", "security", "--webhook", hook.url), { cwd: w.dir });
      expect(heal.code, heal.stderr).toBe(0);
      expect(heal.stderr).toContain("healed: Frank Moss (frank.moss@contoso.com) loses FullAccess");
      expect(existsSync(join(w.dir, ".exoform/reconcile/status.json"))).toBe(true);
      // the first cycle's conditions are news: the webhook got the status document
      expect(hook.received.map((s) => [s.cycle, s.remaining, s.healed.length])).toEqual([[1, 0, 1]]);
    } finally {
      await hook.close();
    }
  });

  it("exits 1 on a desired state it cannot read, with the error and no stack trace, and with --json the error as a JSON report", async () => {
    const w = await setUp();
    const out = await runCli(["reconcile", "--once", "--desired", "missing.json", "--tenant", "tenant.db", "--json"], { cwd: w.dir });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("missing.json");
    expect(out.stderr).not.toMatch(/\n\s+at /);
    const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l) as { formatVersion: number; error?: { message: string } });
    // the cycle's status (the failure is a Degraded cycle), one JSON line
    expect(lines).toHaveLength(1);
    expect(lines[0]!.error?.message).toContain("missing.json");
  });

  it("refuses options it does not know how to honour, all at once, before reading anything", async () => {
    const w = await setUp();
    const out = await runCli(w.args("--heal", "everything", "--interval", "1s", "--json"), { cwd: w.dir });
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as { ok: boolean; diagnostics: Array<{ message: string }> };
    expect(report.ok).toBe(false);
    expect(report.diagnostics).toHaveLength(2);
    expect(out.stderr).toContain("--heal everything is not a class");
    expect(out.stderr).toContain("--interval 1s is too short");
  });
});

describe("exoform reconcile as a long-running process", () => {
  it("serves /healthz, /readyz and /metrics to a real HTTP client, and stops on SIGTERM with the lease released", async () => {
    const w = await setUp(["frank.moss@contoso.com"]);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = startCli(w.args("--heal", "security", "--interval", "1h", "--listen", `127.0.0.1:${port}`), { cwd: w.dir });
    await child.waitFor(`serving /healthz, /readyz and /metrics on ${base}`);
    await child.waitFor("reconcile cycle 1:");
    const [health, ready, metrics] = await Promise.all(["/healthz", "/readyz", "/metrics"].map((p) => fetch(`${base}${p}`)));
    expect(health!.status).toBe(200);
    expect(ready!.status).toBe(200);
    expect(metrics!.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await metrics!.text();
    expect(text).toContain('exoform_reconcile_cycles_total{result="ok"} 1');
    expect(text).toContain('exoform_reconcile_heals_total{class="security"} 1');
    expect(text).toMatch(/exoform_reconcile_last_success_timestamp_seconds \d{10}/);
    expect(existsSync(join(w.dir, "tenant.db.lease"))).toBe(true);
    child.kill("SIGTERM");
    const out = await child.done;
    expect(out.code, out.stderr).toBe(0);
    expect(existsSync(join(w.dir, "tenant.db.lease"))).toBe(false);
  });

  it("finishes the writes in flight on SIGTERM mid-cycle, leaves the tenant lock and the lease free, and the next cycle heals the rest, each write once", async () => {
    const w = await setUp(PEOPLE);
    const slow = SimulatedTenant.open(join(w.dir, "tenant.db"));
    slow.setFaults({ latencyMs: 400 });
    const seq = slow.readLog().at(-1)!.seq;
    slow.close();
    const env = { EXOFORM_CLOCK: "real" };
    const child = startCli(w.args("--heal", "security", "--interval", "1h", "--parallelism", "1"), { cwd: w.dir, env });
    const revokes = () => {
      const t = SimulatedTenant.open(join(w.dir, "tenant.db"));
      try {
        return t.readLog({ afterSeq: seq, operation: "removeMailboxPermission" }).filter((e) => e.outcome === "ok").map((e) => JSON.stringify(e.args));
      } finally {
        t.close();
      }
    };
    while (revokes().length === 0) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGTERM");
    const out = await child.done;
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain("received SIGTERM");
    const done = revokes().length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(PEOPLE.length);
    expect(existsSync(join(w.dir, "tenant.db.lock"))).toBe(false);
    expect(existsSync(join(w.dir, "tenant.db.lease"))).toBe(false);

    const next = await runCli(w.args("--once", "--heal", "security"), { cwd: w.dir, env: { EXOFORM_CLOCK: "virtual" } });
    expect(next.code, next.stderr).toBe(0);
    const all = revokes();
    expect(all).toHaveLength(PEOPLE.length);
    expect(new Set(all).size).toBe(PEOPLE.length);
  });
});
