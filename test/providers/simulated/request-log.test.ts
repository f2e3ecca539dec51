/**
 * The request log of the local endpoint: the server records each request in
 * the tenant file (logRequest), and `exoform tenant log` reads it from
 * another process (readRequests). It lives beside the operation log and
 * never takes part in faults or write transactions.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/provider/errors.js";
import { loadFixture, SimulatedTenant, type RequestLogEntry } from "../../../providers/simulated/index.js";
import { tempTenants } from "./helpers.js";

const tenants = tempTenants();
const INDEX = fileURLToPath(new URL("../../../providers/simulated/index.ts", import.meta.url));

function request(overrides: Partial<Omit<RequestLogEntry, "seq">> = {}): Omit<RequestLogEntry, "seq"> {
  return {
    at: "2025-01-06T09:00:00.000Z",
    service: "graph",
    method: "GET",
    path: "/v1.0/users",
    cmdlet: null,
    status: 200,
    latencyMs: 12,
    throttled: false,
    fault: null,
    appId: "app-1",
    requestId: "req-1",
    batchId: null,
    ...overrides,
  };
}

/** Run `code` in a fresh node process with `SimulatedTenant` in scope and the tenant path as `path`. */
function inOtherProcess(path: string, code: string): void {
  const script = `const { SimulatedTenant } = await import(${JSON.stringify(INDEX)}); const path = ${JSON.stringify(path)};\n${code}`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
}

describe("request log", () => {
  it("records every field of a request and gives it the next sequence number", () => {
    const t = tenants.contoso();
    // an Exchange item of a $batch whose response was lost: every nullable field set, every flag on
    const lost = request({
      service: "exchange",
      method: "POST",
      path: "/adminapi/beta/tenant/InvokeCommand",
      cmdlet: "Add-MailboxPermission",
      status: 0,
      latencyMs: 3.5,
      throttled: true,
      fault: "lostResponse",
      appId: null,
      requestId: "req-2",
      batchId: "batch-9",
    });
    t.logRequest(request());
    t.logRequest(lost);
    expect(t.readRequests()).toEqual([{ seq: 1, ...request() }, { seq: 2, ...lost }]);
  });

  it("reads oldest first, after a sequence number and the last few only", () => {
    const t = tenants.contoso();
    for (let i = 1; i <= 5; i++) t.logRequest(request({ requestId: `req-${i}` }));
    const ids = (entries: RequestLogEntry[]) => entries.map((e) => e.requestId);
    expect(ids(t.readRequests())).toEqual(["req-1", "req-2", "req-3", "req-4", "req-5"]);
    expect(ids(t.readRequests({ afterSeq: 3 }))).toEqual(["req-4", "req-5"]);
    expect(ids(t.readRequests({ limit: 2 }))).toEqual(["req-4", "req-5"]);
    expect(ids(t.readRequests({ afterSeq: 1, limit: 10 }))).toEqual(["req-2", "req-3", "req-4", "req-5"]);
    expect(t.readRequests({ limit: 0 })).toEqual([]);
    expect(t.readRequests({ afterSeq: 5 })).toEqual([]);
  });

  it("keeps the request log across processes", () => {
    const path = tenants.path();
    const reader = SimulatedTenant.create(path, loadFixture("contoso"));
    try {
      reader.logRequest(request({ requestId: "here" }));
      // the endpoint in another process writes while this one holds the tenant open
      inOtherProcess(path, `
        const t = SimulatedTenant.open(path);
        t.logRequest({ at: "2025-01-06T09:00:01.000Z", service: "identity", method: "POST", path: "/contoso.onmicrosoft.com/oauth2/v2.0/token",
          cmdlet: null, status: 200, latencyMs: 7, throttled: false, fault: null, appId: "app-2", requestId: "there", batchId: null });
        t.close();
      `);
      expect(reader.readRequests({ afterSeq: 1 }).map((e) => [e.seq, e.service, e.requestId])).toEqual([[2, "identity", "there"]]);
    } finally {
      reader.close();
    }
    const reopened = SimulatedTenant.open(path);
    try {
      expect(reopened.readRequests().map((e) => e.requestId)).toEqual(["here", "there"]);
    } finally {
      reopened.close();
    }
  });

  it("opens a tenant made before the request log existed", async () => {
    const path = tenants.path();
    SimulatedTenant.create(path, loadFixture("contoso")).close();
    const db = new Database(path);
    db.exec("DROP TABLE requests");
    db.close();

    const t = SimulatedTenant.open(path);
    try {
      expect(t.readRequests()).toEqual([]);
      t.logRequest(request());
      expect(t.readRequests().map((e) => e.requestId)).toEqual(["req-1"]);
      expect((await t.listMailboxes()).length).toBeGreaterThan(0);
    } finally {
      t.close();
    }
    const check = new Database(path, { readonly: true });
    try {
      expect(check.prepare("SELECT value FROM meta WHERE key = 'schemaVersion'").pluck().get()).toBe("1");
    } finally {
      check.close();
    }
  });

  it("stays out of the operation log, fault injection and seeding", async () => {
    const t = tenants.contoso();
    t.setFaults({ transientRate: 1, writesPerSecond: 1, burst: 1, crashAfterWrites: 1 });
    const before = t.readLog().length;
    t.logRequest(request());
    expect(t.readLog().length).toBe(before);
    expect(t.faults().crashAfterWrites).toBe(1); // no write was counted
    // the fault state did not move: the first write still takes the one token, then fails on the transient draw
    await expect(t.addRecipientPermission("support@contoso.com", "ben.ortiz@contoso.com")).rejects.toSatisfy(
      (e: unknown) => ProviderError.is(e) && e.code === "ServiceUnavailable",
    );
    t.seed(loadFixture("empty"));
    expect(t.readRequests().map((e) => e.requestId)).toEqual(["req-1"]);
  });

  it("refuses an entry without a valid time", () => {
    const t = tenants.contoso();
    expect(() => t.logRequest(request({ at: "yesterday" }))).toThrow(/no valid time/);
    expect(t.readRequests()).toEqual([]);
  });
});
