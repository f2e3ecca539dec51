/**
 * The token endpoint and token checks of the local endpoint, over the wire with Node's own fetch
 * (and msal-node, the library the Microsoft provider uses).
 */
import { createHash, createPrivateKey, randomUUID, sign } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { afterEach, describe, expect, it } from "vitest";
import { makeClientCertificate } from "../../providers/local-endpoint/tls.js";
import { graph, invoke, serve, token, type Served } from "./serve.js";

let served: Served | null = null;
afterEach(async () => {
  await served?.stop();
  served = null;
});

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

async function tokenRequest(s: Served, fields: Record<string, string>, tenant = s.endpoint.env.AZURE_TENANT_ID): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${s.origin}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: s.endpoint.env.AZURE_CLIENT_ID, scope: GRAPH_SCOPE, ...fields }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** A client assertion as msal builds one for a certificate credential (RS256, x5t#S256). */
function certificateAssertion(s: Served, certPem: string, keyPem: string, overrides: Record<string, unknown> = {}): string {
  const der = Buffer.from(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END/.exec(certPem)![1]!.replace(/\s+/g, ""), "base64");
  const header = { alg: "RS256", typ: "JWT", "x5t#S256": createHash("sha256").update(der).digest("base64url") };
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    aud: `${s.origin}/${s.endpoint.env.AZURE_TENANT_ID}/oauth2/v2.0/token`,
    iss: s.endpoint.env.AZURE_CLIENT_ID,
    sub: s.endpoint.env.AZURE_CLIENT_ID,
    jti: randomUUID(),
    nbf: now,
    exp: now + 600,
    ...overrides,
  };
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign("sha256", Buffer.from(input), createPrivateKey(keyPem)).toString("base64url")}`;
}

describe("the token endpoint", () => {
  it("issues a signed token for a client secret, with the resource as audience and the app's permissions as roles", async () => {
    served = await serve();
    const jwt = await token(served, "graph");
    const c = claims(jwt);
    expect(c).toMatchObject({ aud: "https://graph.microsoft.com", tid: served.endpoint.env.AZURE_TENANT_ID, appid: served.endpoint.env.AZURE_CLIENT_ID, idtyp: "app" });
    expect(c["roles"]).toContain("User.ReadWrite.All");
    expect(Number(c["exp"]) - Number(c["iat"])).toBe(3599);
    const exchange = claims(await token(served, "exchange"));
    expect(exchange["aud"]).toBe("https://outlook.office365.com");
    expect(exchange["roles"]).toEqual(["Exchange.ManageAsApp"]);
  });

  it("publishes an OpenID configuration and keys that verify its tokens", async () => {
    served = await serve();
    const tenant = served.endpoint.env.AZURE_TENANT_ID;
    const config = (await (await fetch(`${served.origin}/${tenant}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(config["token_endpoint"]).toBe(`${served.origin}/${tenant}/oauth2/v2.0/token`);
    const keys = (await (await fetch(config["jwks_uri"]!)).json()) as { keys: Array<Record<string, unknown>> };
    const jwt = await token(served, "graph");
    const [h, p, sig] = jwt.split(".");
    const { createPublicKey, verify } = await import("node:crypto");
    const key = createPublicKey({ key: keys.keys[0] as never, format: "jwk" });
    expect(verify("sha256", Buffer.from(`${h}.${p}`), key, Buffer.from(sig!, "base64url"))).toBe(true);
  });

  it("refuses a wrong secret, an unknown client, an unknown tenant and a scope without /.default, each with Entra's error", async () => {
    served = await serve();
    const wrong = await tokenRequest(served, { client_secret: "not-it" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    const unknown = await tokenRequest(served, { client_id: "00000000-0000-0000-0000-000000000000", client_secret: "x" });
    expect(unknown.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    const tenant = await tokenRequest(served, { client_secret: served.endpoint.env.AZURE_CLIENT_SECRET }, "fabrikam.example");
    expect(tenant.body).toMatchObject({ error: "invalid_request", error_codes: [90002] });
    const scope = await tokenRequest(served, { client_secret: served.endpoint.env.AZURE_CLIENT_SECRET, scope: "User.Read.All" });
    expect(scope.body).toMatchObject({ error: "invalid_scope" });
    expect(JSON.stringify([wrong, unknown, tenant, scope])).not.toContain(served.endpoint.env.AZURE_CLIENT_SECRET);
  });

  it("accepts a client assertion signed by a registered certificate and refuses one signed by another", async () => {
    const registered = await makeClientCertificate("exoform-test");
    const other = await makeClientCertificate("someone-else");
    served = await serve(undefined, { clientCertificates: [registered.certPem] });
    const ok = await tokenRequest(served, { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: certificateAssertion(served, registered.certPem, registered.keyPem) });
    expect(ok.status).toBe(200);
    expect(claims(String(ok.body["access_token"]))["appid"]).toBe(served.endpoint.env.AZURE_CLIENT_ID);
    const forged = await tokenRequest(served, { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: certificateAssertion(served, registered.certPem, other.keyPem) });
    expect(forged.status).toBe(401);
    expect(forged.body["error_codes"]).toEqual([700027]);
    const stale = await tokenRequest(served, { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: certificateAssertion(served, registered.certPem, registered.keyPem, { exp: Math.floor(Date.now() / 1000) - 5 }) });
    expect(stale.body["error_codes"]).toEqual([700024]);
  });

  it("exchanges a GitHub Actions OIDC token (from the emulated Actions endpoint) for an access token, with no stored secret", async () => {
    served = await serve();
    const gh = served.endpoint.github;
    const idRes = await fetch(`${gh.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`, { headers: { authorization: `bearer ${gh.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } });
    const { value } = (await idRes.json()) as { value: string };
    const ok = await tokenRequest(served, { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: value });
    expect(ok.status).toBe(200);
    const denied = await fetch(`${gh.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`, { headers: { authorization: "bearer wrong" } });
    expect(denied.status).toBe(401);
    const wrongAudience = (await (await fetch(`${gh.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://other`, { headers: { authorization: `bearer ${gh.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } })).json()) as { value: string };
    const refused = await tokenRequest(served, { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: wrongAudience.value });
    expect(refused.body["error_codes"]).toEqual([70021]);
  });

  it("serves msal-node's client-credentials flow unchanged, given only the authority", async () => {
    served = await serve();
    const env = served.endpoint.env;
    const app = new ConfidentialClientApplication({
      auth: { clientId: env.AZURE_CLIENT_ID, clientSecret: env.AZURE_CLIENT_SECRET, authority: `${env.EXOFORM_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}`, knownAuthorities: [new URL(env.EXOFORM_AUTHORITY_HOST).host] },
    });
    const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
    expect(claims(result!.accessToken)["aud"]).toBe("https://graph.microsoft.com");
  });
});

describe("the APIs' token checks", () => {
  it("answers 401 with the service's body to no token, a token for the other API, and an expired token", async () => {
    let wall = Date.now();
    served = await serve(undefined, { wallNow: () => wall });
    const none = await graph(served, "", "GET", "/users");
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("InvalidAuthenticationToken");
    const exchangeToken = await token(served, "exchange");
    const wrongAudience = await graph(served, exchangeToken, "GET", "/users");
    expect(wrongAudience.status).toBe(401);
    const graphToken = await token(served, "graph");
    const onExchange = await invoke(served, graphToken, "Get-Mailbox", { ResultSize: "Unlimited" });
    expect(onExchange.status).toBe(401);
    expect((await graph(served, graphToken, "GET", "/users")).status).toBe(200);
    wall += 3600_000;
    const expired = await graph(served, graphToken, "GET", "/users");
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it("refuses a token another endpoint (another tenant) signed", async () => {
    served = await serve();
    const other = await serve();
    try {
      const foreign = await token(other, "graph");
      expect((await graph(served, foreign, "GET", "/users")).status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it("lets the read-only client read both APIs and refuses its writes with 403", async () => {
    served = await serve();
    const ro = served.endpoint.readOnly;
    const g = await token(served, "graph", ro);
    const x = await token(served, "exchange", ro);
    expect((await graph(served, g, "GET", "/users?$top=1")).status).toBe(200);
    const patch = await graph(served, g, "PATCH", "/users/ann.lee@contoso.com", { accountEnabled: false });
    expect(patch.status).toBe(403);
    expect(((await patch.json()) as { error: { code: string } }).error.code).toBe("Authorization_RequestDenied");
    expect((await invoke(served, x, "Get-Mailbox", { ResultSize: "Unlimited" })).status).toBe(200);
    const add = await invoke(served, x, "Add-RecipientPermission", { Identity: "support@contoso.com", Trustee: "ann.lee@contoso.com", AccessRights: ["SendAs"], Confirm: false });
    expect(add.status).toBe(403);
    expect(served.tenant.readLog({ operation: "addRecipientPermission" })).toEqual([]);
  });
});
