import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../../lib/diagnostics/errors.js";
import { readSettings } from "../../../providers/microsoft/config.js";
import { redact, Secret } from "../../../providers/microsoft/secrets.js";

const dir = mkdtempSync(join(tmpdir(), "exoform-ms-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = "s3cr3t-Value-That-Must-Not-Leak";
const base = { AZURE_TENANT_ID: "contoso.onmicrosoft.com", AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555" };

function problems(env: Record<string, string>): { locations: string[]; text: string } {
  try {
    readSettings(env);
  } catch (e) {
    if (!UserError.is(e)) throw e;
    return { locations: e.diagnostics.map((d) => d.location ?? "").sort(), text: `${e.message}\n${JSON.stringify(e.diagnostics)}` };
  }
  throw new Error("expected a UserError");
}

describe("microsoft provider settings", () => {
  it("lists every missing setting in one error, each naming its variable and the fix", () => {
    const { locations, text } = problems({});
    expect(locations).toEqual(["env:AZURE_CLIENT_ID", "env:AZURE_CLIENT_SECRET", "env:AZURE_TENANT_ID"]);
    expect(text).toContain("set it to the directory (tenant) id");
    expect(text).toContain("AZURE_CLIENT_CERTIFICATE_PATH");
    expect(text).toContain("id-token: write");
  });

  it("refuses two credentials at once without printing the secret", () => {
    const cert = join(dir, "cert.pem");
    writeFileSync(cert, "x");
    const { locations, text } = problems({ ...base, AZURE_CLIENT_SECRET: SECRET, AZURE_CLIENT_CERTIFICATE_PATH: cert });
    expect(locations).toEqual(["env:AZURE_CLIENT_CERTIFICATE_PATH", "env:AZURE_CLIENT_SECRET"]);
    expect(text).toContain("keep exactly one");
    expect(text).not.toContain(SECRET);
  });

  it("reports bad origins, a non-https authority and a multi-tenant id together", () => {
    const { locations, text } = problems({
      ...base,
      AZURE_TENANT_ID: "common",
      AZURE_CLIENT_SECRET: SECRET,
      EXOFORM_AUTHORITY_HOST: "http://127.0.0.1:8443",
      EXOFORM_GRAPH_URL: "https://graph.microsoft.com/v1.0",
      EXOFORM_EXCHANGE_URL: "not a url",
    });
    expect(locations).toEqual(["env:AZURE_TENANT_ID", "env:EXOFORM_AUTHORITY_HOST", "env:EXOFORM_EXCHANGE_URL", "env:EXOFORM_GRAPH_URL"]);
    expect(text).toContain("not https");
    expect(text).toContain("has a path");
    expect(text).not.toContain(SECRET);
  });

  it("defaults to the public cloud's origins and strips a trailing slash from a given one", () => {
    const s = readSettings({ ...base, AZURE_CLIENT_SECRET: SECRET, EXOFORM_GRAPH_URL: "https://graph.microsoft.us/" });
    expect([s.authorityHost, s.graphUrl, s.exchangeUrl]).toEqual(["https://login.microsoftonline.com", "https://graph.microsoft.us", "https://outlook.office365.com"]);
    expect(s.credential.kind).toBe("secret");
  });

  it("keeps a secret out of JSON, strings and inspection, and redacts it from any text", () => {
    const s = readSettings({ ...base, AZURE_CLIENT_SECRET: SECRET });
    expect(JSON.stringify(s)).not.toContain(SECRET);
    expect(inspect(s, { depth: 5 })).not.toContain(SECRET);
    expect(`${s.credential.kind === "secret" ? String(s.credential.secret) : ""}`).toBe("[redacted]");
    expect(redact(`the service said: bad secret ${SECRET} here`)).toBe("the service said: bad secret [redacted] here");
    expect(redact("Bearer eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.abc")).toBe("Bearer [token]");
    expect(new Secret("another-secret-value").reveal()).toBe("another-secret-value");
  });

  it("uses GitHub Actions' OIDC token only when no other credential is set, and names a missing partner", () => {
    const gh = { ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.actions.githubusercontent.com/x?api-version=2.0", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token-value" };
    expect(readSettings({ ...base, ...gh }).credential.kind).toBe("githubActions");
    expect(readSettings({ ...base, ...gh, AZURE_CLIENT_SECRET: SECRET }).credential.kind).toBe("secret");
    const { locations, text } = problems({ ...base, ACTIONS_ID_TOKEN_REQUEST_URL: gh.ACTIONS_ID_TOKEN_REQUEST_URL });
    expect(locations).toEqual(["env:ACTIONS_ID_TOKEN_REQUEST_TOKEN"]);
    expect(text).toContain("id-token: write");
  });

  it("checks that credential files exist and that a password comes with a certificate", () => {
    const { locations, text } = problems({ ...base, AZURE_FEDERATED_TOKEN_FILE: join(dir, "missing-token"), AZURE_CLIENT_CERTIFICATE_PASSWORD: SECRET });
    expect(locations).toEqual(["env:AZURE_CLIENT_CERTIFICATE_PASSWORD", "env:AZURE_FEDERATED_TOKEN_FILE"]);
    expect(text).toContain("does not exist");
    expect(text).not.toContain(SECRET);
  });
});
