/**
 * `exoform doctor`, end to end: the CLI spawned as a child process (as
 * test/cli/contract.test.ts does) against a local endpoint served in this
 * worker (test/local-endpoint/serve.ts), with the endpoint's variables in the
 * child's environment. The child trusts the endpoint through the run's
 * NODE_EXTRA_CA_CERTS, inherited from the worker.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import doctorSchema from "../../schema/doctor.schema.json" with { type: "json" };
import { serve, type Served } from "../local-endpoint/serve.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "exoform.js");
const TIMEOUT = 60_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Report {
  formatVersion: number;
  provider: string;
  checks: Array<{ name: string; status: "ok" | "warn" | "fail"; message: string; fix?: string }>;
  canRead: boolean;
  canApply: boolean;
  tenant: { id: string; domains: string[] } | null;
}

let dir = "";
let served: Served | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "exoform-doctor-"));
});

afterEach(async () => {
  await served?.stop();
  served = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** `exoform doctor <args>` with only `vars` of exoform's and Azure's variables set (none inherited from this process); undefined removes one. */
function doctor(vars: Record<string, string | undefined>, ...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AZURE_|EXOFORM_|ACTIONS_ID_TOKEN_)/.test(k)) env[k] = v;
  }
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((done) => {
    execFile(process.execPath, [BIN, "doctor", ...args], { cwd: dir, encoding: "utf8", env }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** The Microsoft provider's variables for a client of the served endpoint (its CA comes from this process's NODE_EXTRA_CA_CERTS). */
function microsoftEnv(s: Served, client: { AZURE_CLIENT_ID: string; AZURE_CLIENT_SECRET: string } = s.endpoint.env): Record<string, string> {
  const { AZURE_TENANT_ID, EXOFORM_AUTHORITY_HOST, EXOFORM_GRAPH_URL, EXOFORM_EXCHANGE_URL } = s.endpoint.env;
  return { EXOFORM_PROVIDER: "microsoft", AZURE_TENANT_ID, EXOFORM_AUTHORITY_HOST, EXOFORM_GRAPH_URL, EXOFORM_EXCHANGE_URL, AZURE_CLIENT_ID: client.AZURE_CLIENT_ID, AZURE_CLIENT_SECRET: client.AZURE_CLIENT_SECRET };
}

const validate = new Ajv({ allErrors: true, strict: false }).compile(doctorSchema);

/** The JSON report a run printed, after checking it against schema/doctor.schema.json. */
function report(run: Run): Report {
  const doc = JSON.parse(run.stdout) as Report;
  expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
  return doc;
}

const named = (r: Report, name: string) => r.checks.filter((c) => c.name === name);

describe("exoform doctor against a local endpoint", () => {
  it(
    "GIVEN the endpoint's apply client WHEN doctor runs THEN it exits 0 and reports that the app can read and apply",
    async () => {
      served = await serve();
      const run = await doctor(microsoftEnv(served), "--json");
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const r = report(run);
      expect(r).toMatchObject({ provider: "microsoft", canRead: true, canApply: true, tenant: { id: "contoso" } });
      expect(r.checks.filter((c) => c.status !== "ok")).toEqual([]);
      expect(r.checks.map((c) => c.name)).toEqual(expect.arrayContaining(["settings", "credential", "endpoints", "tls", "token:graph", "token:exchange", "api:graph", "api:exchange", "read", "apply"]));
      expect(named(r, "permissions:exchange")[0]?.message).toMatch(/Exchange\.ManageAsApp; directory roles: .*Exchange Administrator/);
    },
    TIMEOUT,
  );

  it(
    "GIVEN the read-only client WHEN doctor runs THEN it exits 2 and names the Exchange role and each Graph permission apply would need",
    async () => {
      served = await serve();
      const run = await doctor(microsoftEnv(served, served.endpoint.readOnly), "--format", "json");
      expect(run.code, run.stdout + run.stderr).toBe(2);
      const r = report(run);
      expect(r).toMatchObject({ canRead: true, canApply: false });
      expect(r.checks.filter((c) => c.status === "fail")).toEqual([]);
      const fixes = named(r, "apply").flatMap((c) => (c.status === "warn" && c.fix !== undefined ? [c.fix] : []));
      expect(fixes).toEqual(
        expect.arrayContaining([
          "assign the Entra role Exchange Administrator (or Exchange Recipient Administrator) to the app's service principal",
          "assign the Entra role User Administrator (or Privileged Authentication Administrator) to the app's service principal",
          ...["LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "User-PasswordProfile.ReadWrite.All", "User.DeleteRestore.All"].map(
            (p) => `grant the application permission ${p} on Microsoft Graph and give admin consent`,
          ),
        ]),
      );
      // reading needs nothing more: every read check passed
      expect(named(r, "read").map((c) => c.status)).toEqual(["ok"]);
    },
    TIMEOUT,
  );

  it(
    "GIVEN the read-only client WHEN doctor prints text THEN each check is one marked line with its fix indented below",
    async () => {
      served = await serve();
      const run = await doctor(microsoftEnv(served, served.endpoint.readOnly));
      expect(run.code).toBe(2);
      const lines = run.stdout.split("\n");
      expect(lines).toContain("✓ read: plan, drift and export can read the tenant");
      const exchange = lines.findIndex((l) => l.startsWith("! apply: apply needs the Entra role Exchange Administrator or Exchange Recipient Administrator"));
      expect(exchange).toBeGreaterThan(0);
      expect(lines[exchange + 1]).toBe("    fix: assign the Entra role Exchange Administrator (or Exchange Recipient Administrator) to the app's service principal");
      expect(lines.at(-2)).toBe("can read (plan, drift, export) but not apply (exit 2)");
    },
    TIMEOUT,
  );

  it(
    "GIVEN a wrong client secret WHEN doctor runs THEN it exits 1 with Entra's AADSTS code for each API and never prints the secret",
    async () => {
      served = await serve();
      const secret = "wrong-Secret-7f3a9c1e5b";
      const env = microsoftEnv(served, { AZURE_CLIENT_ID: served.endpoint.env.AZURE_CLIENT_ID, AZURE_CLIENT_SECRET: secret });
      const [text, json] = await Promise.all([doctor(env), doctor(env, "--json")]);
      expect(text.code).toBe(1);
      expect(json.code).toBe(1);
      const r = report(json);
      expect(r).toMatchObject({ canRead: false, canApply: false, tenant: null });
      for (const name of ["token:graph", "token:exchange"]) {
        expect(named(r, name)).toEqual([expect.objectContaining({ status: "fail", message: expect.stringContaining("AADSTS7000215"), fix: expect.stringContaining("AZURE_CLIENT_SECRET") })]);
      }
      expect(text.stdout).toMatch(/^✗ token:graph: .*AADSTS7000215/m);
      for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) {
        expect(out).not.toContain(secret);
        expect(out).not.toContain(served.endpoint.env.AZURE_CLIENT_SECRET);
      }
    },
    TIMEOUT,
  );

  it(
    "GIVEN no NODE_EXTRA_CA_CERTS WHEN doctor runs against the local endpoint THEN it warns and points the token failures at the CA file",
    async () => {
      served = await serve();
      const run = await doctor({ ...microsoftEnv(served), NODE_EXTRA_CA_CERTS: undefined }, "--json");
      expect(run.code).toBe(1);
      const r = report(run);
      expect(named(r, "tls")).toEqual([expect.objectContaining({ status: "warn", message: expect.stringContaining("NODE_EXTRA_CA_CERTS is not set") })]);
      for (const name of ["token:graph", "token:exchange"]) {
        expect(named(r, name)).toEqual([expect.objectContaining({ status: "fail", fix: expect.stringContaining("set NODE_EXTRA_CA_CERTS") })]);
      }
    },
    TIMEOUT,
  );

  it(
    "GIVEN a desired state for another tenant WHEN doctor runs with --desired THEN the tenant check fails and it exits 1",
    async () => {
      served = await serve();
      const desired = JSON.parse(readFileSync(join(ROOT, "examples", "contoso", "desired-state.json"), "utf8")) as { tenant: { id: string } };
      desired.tenant.id = "fabrikam.onmicrosoft.com";
      writeFileSync(join(dir, "fabrikam.json"), JSON.stringify(desired));
      const [other, own] = await Promise.all([
        doctor(microsoftEnv(served), "--desired", "fabrikam.json", "--json"),
        doctor(microsoftEnv(served), "--desired", join(ROOT, "examples", "contoso", "desired-state.json"), "--json"),
      ]);
      expect(other.code).toBe(1);
      const r = report(other);
      expect(r.canApply).toBe(true);
      expect(named(r, "tenant")).toEqual([expect.objectContaining({ status: "fail", message: expect.stringContaining('"fabrikam.onmicrosoft.com"') })]);
      expect(own.code, own.stdout).toBe(0);
      expect(named(report(own), "tenant")).toEqual([expect.objectContaining({ status: "ok" })]);
    },
    TIMEOUT,
  );
});

describe("exoform doctor without a tenant to talk to", () => {
  it(
    "GIVEN --provider microsoft and no variables WHEN doctor runs THEN it exits 1 and lists each missing variable",
    async () => {
      const run = await doctor({}, "--provider", "microsoft", "--json");
      expect(run.code).toBe(1);
      const r = report(run);
      const settings = named(r, "settings");
      expect(settings.every((c) => c.status === "fail" && c.fix !== undefined)).toBe(true);
      const text = settings.map((c) => c.message).join("\n");
      for (const variable of ["AZURE_TENANT_ID", "AZURE_CLIENT_ID"]) expect(text).toContain(`${variable} is not set`);
      expect(text).toContain("no credential is set");
      expect(settings.some((c) => c.fix?.includes("AZURE_CLIENT_CERTIFICATE_PATH") === true)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "GIVEN a simulated tenant with a fault on WHEN doctor runs THEN it reports the tenant, its clock and the fault, and exits 0",
    async () => {
      const tenantFile = join(dir, "t.db");
      const init = await new Promise<Run>((done) =>
        execFile(process.execPath, [BIN, "tenant", "init", "--tenant", tenantFile], { cwd: dir, encoding: "utf8" }, (error, stdout, stderr) => done({ code: error ? 1 : 0, stdout, stderr })),
      );
      expect(init.code, init.stderr).toBe(0);
      const faults = await new Promise<number>((done) => execFile(process.execPath, [BIN, "tenant", "faults", "set", "--transient", "0.2", "--tenant", tenantFile], { cwd: dir }, (error) => done(error ? 1 : 0)));
      expect(faults).toBe(0);
      const run = await doctor({}, "--tenant", tenantFile, "--json");
      expect(run.code, run.stderr).toBe(0);
      const r = report(run);
      expect(r).toMatchObject({ provider: "simulated", canRead: true, canApply: true, tenant: { id: "contoso" } });
      expect(named(r, "clock")[0]?.message).toMatch(/^virtual clock at \d{4}-/);
      expect(named(r, "faults")).toEqual([expect.objectContaining({ status: "warn", message: expect.stringContaining("transient failures on 0.2 of writes") })]);
    },
    TIMEOUT,
  );
});
