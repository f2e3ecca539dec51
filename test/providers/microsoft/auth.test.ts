/**
 * Tokens through msal-node against a fake Entra token endpoint on https
 * (msal refuses http authorities). The endpoint's certificate is signed by the
 * test run's CA, which Node's fetch trusts through NODE_EXTRA_CA_CERTS set by
 * test/support/test-ca.ts before the workers start: the same way a user's
 * process trusts `exoform tenant serve`.
 */
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/provider/errors.js";
import { UserError } from "../../../lib/diagnostics/errors.js";
import { certificateCredential, decodeJwt, verifySignature } from "../../../providers/local-endpoint/jwt.js";
import { makeClientCertificate } from "../../../providers/local-endpoint/tls.js";
import { decodeClaims, MsalTokenSource, scopeFor } from "../../../providers/microsoft/auth.js";
import type { ClientCredential, MicrosoftSettings } from "../../../providers/microsoft/config.js";
import { Secret } from "../../../providers/microsoft/secrets.js";
import { json, jwt, startServer, stopAll, type Received, type TestServer } from "./support.js";

const TENANT = "contoso.onmicrosoft.com";
const SECRET = "client-Secret-Value-123";
const dir = mkdtempSync(join(tmpdir(), "exoform-ms-auth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(stopAll);

interface Identity {
  readonly server: TestServer;
  readonly tokenRequests: () => Array<Record<string, string>>;
}

/** An Entra-like identity endpoint: OpenID configuration and the v2 token endpoint. */
async function identity(options: { expiresIn?: number; fail?: (form: Record<string, string>) => boolean } = {}): Promise<Identity> {
  let n = 0;
  const server = await startServer((req: Received, self) => {
    const base = `${self.origin}/${TENANT}`;
    if (req.path === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      return json(200, { issuer: `${base}/v2.0`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`, token_endpoint: `${base}/oauth2/v2.0/token`, jwks_uri: `${base}/discovery/v2.0/keys` });
    }
    if (req.path === "/gh/token") {
      if (req.headers["authorization"] !== "bearer gh-request-token" || req.query.get("audience") !== "api://AzureADTokenExchange") return json(401, { message: "bad request token" });
      return json(200, { value: `gh-oidc-token-${++n}` });
    }
    if (req.path === `/${TENANT}/oauth2/v2.0/token` && req.method === "POST") {
      const form = req.body as Record<string, string>;
      if (options.fail?.(form)) {
        return json(401, { error: "invalid_client", error_description: `AADSTS7000215: Invalid client secret provided (got ${form["client_secret"] ?? ""}).`, error_codes: [7000215] });
      }
      const aud = form["scope"]!.replace("/.default", "");
      const access = jwt({ aud, tid: "9b1b5b2a-0000-4000-8000-000000000001", appid: form["client_id"], roles: ["User.Read.All"], wids: [], exp: Math.floor(Date.now() / 1000) + (options.expiresIn ?? 3599), n: ++n });
      return json(200, { token_type: "Bearer", expires_in: options.expiresIn ?? 3599, ext_expires_in: options.expiresIn ?? 3599, access_token: access });
    }
    return json(404, { error: "not_found" });
  }, { https: true });
  const tokenRequests = () => server.received.filter((r) => r.path.endsWith("/oauth2/v2.0/token")).map((r) => r.body as Record<string, string>);
  return { server, tokenRequests };
}

function settings(origin: string, credential: ClientCredential): MicrosoftSettings {
  return { tenantId: TENANT, clientId: "app-client-id", credential, authorityHost: origin, graphUrl: "https://graph.microsoft.com", exchangeUrl: "http://127.0.0.1:1" };
}

describe("token scopes", () => {
  it("asks each Microsoft cloud for its own resource and any other origin for the public cloud's", () => {
    expect(scopeFor("graph", "https://graph.microsoft.com")).toBe("https://graph.microsoft.com/.default");
    expect(scopeFor("graph", "https://graph.microsoft.us")).toBe("https://graph.microsoft.us/.default");
    expect(scopeFor("graph", "https://dod-graph.microsoft.us")).toBe("https://dod-graph.microsoft.us/.default");
    expect(scopeFor("graph", "https://microsoftgraph.chinacloudapi.cn")).toBe("https://microsoftgraph.chinacloudapi.cn/.default");
    expect(scopeFor("exchange", "https://outlook.office365.com")).toBe("https://outlook.office365.com/.default");
    expect(scopeFor("exchange", "https://outlook.office365.us")).toBe("https://outlook.office365.us/.default");
    expect(scopeFor("exchange", "https://outlook-dod.office365.us")).toBe("https://outlook-dod.office365.us/.default");
    expect(scopeFor("exchange", "https://partner.outlook.cn")).toBe("https://partner.outlook.cn/.default");
    expect(scopeFor("graph", "https://127.0.0.1:8443")).toBe("https://graph.microsoft.com/.default");
    expect(scopeFor("exchange", "https://127.0.0.1:8443")).toBe("https://outlook.office365.com/.default");
    expect(scopeFor("graph", "http://graph.microsoft.com")).toBe("https://graph.microsoft.com/.default");
  });

  it("decodes tid, appid (or azp), roles, wids and expiry from a token without verifying it", () => {
    expect(decodeClaims(jwt({ tid: "t", azp: "a", roles: ["R"], wids: ["W"], exp: 100 }))).toEqual({ tid: "t", appId: "a", roles: ["R"], wids: ["W"], expiresAt: 100_000 });
  });
});

describe("msal-node client credentials", () => {
  it("gets a token by client secret for the public resource of a local origin and reuses it while it has an hour left", async () => {
    const id = await identity();
    let counted = 0;
    const tokens = new MsalTokenSource(settings(id.server.origin, { kind: "secret", secret: new Secret(SECRET) }), { onRequest: () => counted++ });
    const first = await tokens.token("exchange");
    expect(await tokens.token("exchange")).toBe(first);
    expect((await tokens.claims("exchange")).tid).toBe("9b1b5b2a-0000-4000-8000-000000000001");
    const requests = id.tokenRequests();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ grant_type: "client_credentials", client_id: "app-client-id", client_secret: SECRET, scope: "https://outlook.office365.com/.default" });
    expect(counted).toBeGreaterThanOrEqual(2); // the OpenID configuration, then the token
  });

  it("never reuses a token with less than 5 minutes left", async () => {
    const id = await identity({ expiresIn: 240 });
    const tokens = new MsalTokenSource(settings(id.server.origin, { kind: "secret", secret: new Secret(SECRET) }));
    const a = await tokens.token("graph");
    const b = await tokens.token("graph");
    expect(a).not.toBe(b);
    expect(id.tokenRequests()).toHaveLength(2);
  });

  it("signs a client assertion with the certificate's key, naming its SHA-256 thumbprint and chain", async () => {
    const id = await identity();
    const cert = await makeClientCertificate("exoform-test");
    const path = join(dir, "client.pem");
    writeFileSync(path, `${cert.certPem}\n${cert.keyPem}`);
    const tokens = new MsalTokenSource(settings(id.server.origin, { kind: "certificate", path, password: null }));
    await tokens.token("graph");
    const form = id.tokenRequests()[0]!;
    expect(form["client_assertion_type"]).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    const assertion = decodeJwt(form["client_assertion"]!)!;
    const credential = certificateCredential(cert.certPem);
    expect(assertion.header["x5t#S256"]).toBe(credential.x5tS256);
    expect(assertion.header["alg"]).toBe("PS256");
    expect(Array.isArray(assertion.header["x5c"])).toBe(true);
    expect(verifySignature(assertion, credential.publicKey)).toBe(true);
    expect(form["client_secret"]).toBeUndefined();
  });

  it("opens an encrypted key with AZURE_CLIENT_CERTIFICATE_PASSWORD and says so, without the password, when it does not", async () => {
    const cert = await makeClientCertificate("exoform-encrypted");
    const encrypted = createPrivateKey(cert.keyPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "right-password" }).toString();
    const path = join(dir, "encrypted.pem");
    writeFileSync(path, `${cert.certPem}\n${encrypted}`);
    const id = await identity();
    await new MsalTokenSource(settings(id.server.origin, { kind: "certificate", path, password: new Secret("right-password") })).token("graph");
    expect(id.tokenRequests()).toHaveLength(1);
    let error: unknown;
    try {
      new MsalTokenSource(settings(id.server.origin, { kind: "certificate", path, password: new Secret("wrong-password") }));
    } catch (e) {
      error = e;
    }
    expect(UserError.is(error)).toBe(true);
    expect((error as Error).message).toContain("does not open");
    expect((error as Error).message).not.toContain("wrong-password");
  });

  it("re-reads the federated token file on every token request", async () => {
    const id = await identity({ expiresIn: 240 });
    const path = join(dir, "federated-token");
    writeFileSync(path, "federated-token-one\n");
    const tokens = new MsalTokenSource(settings(id.server.origin, { kind: "federatedTokenFile", path }));
    await tokens.token("graph");
    writeFileSync(path, "federated-token-two\n");
    await tokens.token("graph");
    expect(id.tokenRequests().map((f) => f["client_assertion"])).toEqual(["federated-token-one", "federated-token-two"]);
  });

  it("fetches the GitHub Actions OIDC token for api://AzureADTokenExchange with the request token", async () => {
    const id = await identity();
    const tokens = new MsalTokenSource(
      settings(id.server.origin, { kind: "githubActions", requestUrl: `${id.server.origin}/gh/token?api-version=2.0`, requestToken: new Secret("gh-request-token") }),
    );
    await tokens.token("exchange");
    expect(id.tokenRequests()[0]?.["client_assertion"]).toMatch(/^gh-oidc-token-\d+$/);
  });

  it("turns a refused credential into a forbidden ProviderError with the AADSTS code and no secret", async () => {
    const id = await identity({ fail: () => true });
    const tokens = new MsalTokenSource(settings(id.server.origin, { kind: "secret", secret: new Secret(SECRET) }));
    const error = await tokens.token("graph").then(() => null, (e: unknown) => e);
    expect(ProviderError.is(error)).toBe(true);
    expect(error).toMatchObject({ kind: "forbidden", code: "AADSTS7000215" });
    expect((error as Error).message).toContain("Invalid client secret");
    expect((error as Error).message).not.toContain(SECRET);
  });

  it("works with msal's own network client too: Node's fetch trusts NODE_EXTRA_CA_CERTS", async () => {
    expect(process.env["NODE_EXTRA_CA_CERTS"]).toBeTruthy();
    const id = await identity();
    const app = new ConfidentialClientApplication({
      auth: { clientId: "app-client-id", authority: `${id.server.origin}/${TENANT}`, knownAuthorities: [new URL(id.server.origin).host], clientSecret: SECRET },
    });
    const result = await app.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
    expect(result?.accessToken).toBeTruthy();
  });
});
