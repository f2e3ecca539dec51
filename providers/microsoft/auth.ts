/**
 * Access tokens for Microsoft Graph and the Exchange admin API, by client
 * credentials on msal-node: a client secret, a certificate (PEM with its key),
 * or a client assertion (a federated token from a file, or GitHub Actions'
 * OIDC token). One ConfidentialClientApplication serves both resources; its
 * cache hands out a token until 5 minutes before it expires (msal's renewal
 * offset, DEFAULT_TOKEN_RENEWAL_OFFSET_SEC = 300), and token() forces a new
 * one should a cached token ever come back with less than that left.
 *
 * msal's HTTP goes through a network client built on the same fetch as
 * Graph and Exchange (counted as "identity" in the cost report). Node's
 * fetch trusts NODE_EXTRA_CA_CERTS, which is how the local endpoint's CA
 * reaches it (docs/decisions/0009).
 */
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AuthError, ConfidentialClientApplication, Configuration, INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { lazyModule } from "../../lib/private/lazy-module.js";
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { FEDERATED_TOKEN_AUDIENCE, type MicrosoftSettings } from "./config.js";
import { redact, registerSecret } from "./secrets.js";

export type Resource = "graph" | "exchange";

/** msal-node, loaded when the first token is asked for: commands that never reach Microsoft do not pay for it at start-up. */
const msalPackage = lazyModule<typeof import("@azure/msal-node")>("@azure/msal-node");

/** msal's AuthError (what msal expects of its network client and assertion callback, and what authFailure reads). */
function authError(code: string, message: string): AuthError {
  return new (msalPackage().AuthError)(code, "", message);
}

/** What a token says about its holder (decoded, not verified: the services verify it). */
export interface TokenClaims {
  /** The tenant the token was issued in (its directory id). */
  readonly tid: string;
  /** The application (client) id: `appid` (v1 tokens) or `azp` (v2). */
  readonly appId: string;
  /** Application permissions granted, e.g. "User.Read.All", "Exchange.ManageAsApp". */
  readonly roles: readonly string[];
  /** Directory role template ids held by the app's service principal. */
  readonly wids: readonly string[];
  /** Expiry, ms since the epoch. */
  readonly expiresAt: number;
}

export interface TokenSource {
  token(resource: Resource): Promise<string>;
  claims(resource: Resource): Promise<TokenClaims>;
}

/** Renew a token that has less than this left. */
export const TOKEN_RENEWAL_MS = 5 * 60_000;

/** The resource each Microsoft cloud's Graph and Exchange hosts answer for, by host. */
const WELL_KNOWN_HOSTS: Readonly<Record<Resource, readonly string[]>> = {
  graph: ["graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"],
  exchange: ["outlook.office365.com", "outlook.office365.us", "outlook-dod.office365.us", "outlook.office365.cn", "partner.outlook.cn"],
};
const PUBLIC_RESOURCE: Readonly<Record<Resource, string>> = { graph: "https://graph.microsoft.com", exchange: "https://outlook.office365.com" };

/**
 * The scope to ask for: `<origin>/.default` for a Microsoft cloud's own host; for any other
 * origin (the local endpoint) the public cloud's resource, which is what such an endpoint
 * issues tokens for (docs/decisions/0008).
 */
export function scopeFor(resource: Resource, origin: string): string {
  const url = new URL(origin);
  const known = url.protocol === "https:" && WELL_KNOWN_HOSTS[resource].includes(url.host.toLowerCase());
  return `${known ? url.origin : PUBLIC_RESOURCE[resource]}/.default`;
}

/** The claims of a JWT access token; throws when it is not one. */
export function decodeClaims(token: string): TokenClaims {
  const payload = token.split(".")[1];
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new Error("the access token is not a JWT");
  }
  const text = (v: unknown): string => (typeof v === "string" ? v : "");
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return {
    tid: text(claims["tid"]),
    appId: text(claims["appid"]) || text(claims["azp"]),
    roles: list(claims["roles"]),
    wids: list(claims["wids"]),
    expiresAt: typeof claims["exp"] === "number" ? claims["exp"] * 1000 : 0,
  };
}

export interface TokenSourceOptions {
  /** Default: Node's global fetch. */
  readonly fetch?: typeof fetch;
  /** Per token-endpoint request; default 30 s. */
  readonly timeoutMs?: number;
  /** Called once per request to the identity platform (and to GitHub's token service): the cost report. */
  readonly onRequest?: () => void;
  /** Wall time (tokens expire by wall time, whatever the tenant clock says). */
  readonly now?: () => number;
}

export interface CertificateCredential {
  readonly thumbprintSha256: string;
  /** PKCS#8 PEM, decrypted. */
  readonly privateKey: string;
  /** The certificate (chain) in PEM, sent as x5c. */
  readonly x5c: string;
}

/** Read a PEM file holding the certificate and its (possibly encrypted) RSA private key. */
export function loadCertificate(path: string, password: string | null): CertificateCredential {
  const fail = (why: string): never => {
    throw new UserError([{ severity: "error", code: "microsoft_certificate_invalid", target: "", location: "env:AZURE_CLIENT_CERTIFICATE_PATH", message: `the certificate file ${path} ${why}` }]);
  };
  let pem = "";
  try {
    pem = readFileSync(path, "utf8");
  } catch (e) {
    fail(`cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}); check the path and its permissions`);
  }
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const keyPem = /-----BEGIN (?:RSA |ENCRYPTED |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |ENCRYPTED |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (certs.length === 0) fail("holds no certificate; put the certificate (BEGIN CERTIFICATE) and its private key in one PEM file");
  if (keyPem === undefined) fail("holds no private key; put the private key (BEGIN PRIVATE KEY) in the same PEM file as the certificate");
  let der: Buffer = Buffer.alloc(0);
  try {
    der = new X509Certificate(certs[0]!).raw;
  } catch {
    fail("holds a certificate that cannot be parsed");
  }
  let privateKey = "";
  try {
    const key = createPrivateKey(password === null ? keyPem! : { key: keyPem!, passphrase: password });
    if (key.asymmetricKeyType !== "rsa") fail(`holds a ${key.asymmetricKeyType ?? "non-RSA"} key; Entra ID client certificates need an RSA key`);
    privateKey = key.export({ type: "pkcs8", format: "pem" }).toString();
  } catch (e) {
    if (UserError.is(e)) throw e;
    fail(password === null ? "holds a private key that cannot be read; if it is encrypted, set AZURE_CLIENT_CERTIFICATE_PASSWORD" : "holds a private key that AZURE_CLIENT_CERTIFICATE_PASSWORD does not open");
  }
  registerSecret(privateKey);
  return { thumbprintSha256: createHash("sha256").update(der).digest("hex"), privateKey, x5c: certs.join("\n") };
}

/** Client credentials on msal-node. Certificates are read here, once: a bad file is a UserError now, not a failed apply later. */
export class MsalTokenSource implements TokenSource {
  private readonly auth: Configuration["auth"];
  private readonly network: INetworkModule;
  private app: ConfidentialClientApplication | undefined;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(
    private readonly settings: MicrosoftSettings,
    private readonly options: TokenSourceOptions = {},
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    const auth: Configuration["auth"] = {
      clientId: settings.clientId,
      authority: `${settings.authorityHost}/${settings.tenantId}`,
      // the authority is known: no instance discovery against the internet
      knownAuthorities: [new URL(settings.authorityHost).host],
    };
    const credential = settings.credential;
    if (credential.kind === "secret") auth.clientSecret = credential.secret.reveal();
    else if (credential.kind === "certificate") auth.clientCertificate = loadCertificate(credential.path, credential.password?.reveal() ?? null);
    else auth.clientAssertion = () => this.assertion();
    this.auth = auth;
    this.network = fetchNetworkClient(this.fetch, options.timeoutMs ?? 30_000, () => options.onRequest?.());
  }

  /** msal's client, made with the first token request (loading msal then). */
  private client(): ConfidentialClientApplication {
    const msal = msalPackage();
    return (this.app ??= new msal.ConfidentialClientApplication({
      auth: this.auth,
      system: { networkClient: this.network, loggerOptions: { piiLoggingEnabled: false, logLevel: msal.LogLevel.Error, loggerCallback: () => undefined } },
    }));
  }

  async token(resource: Resource): Promise<string> {
    const scopes = [scopeFor(resource, resource === "graph" ? this.settings.graphUrl : this.settings.exchangeUrl)];
    try {
      let result = await this.client().acquireTokenByClientCredential({ scopes });
      // msal renews 5 minutes before expiry already; this guards that rule should its cache ever hand out less
      if (result?.fromCache && (result.expiresOn?.getTime() ?? 0) - this.now() < TOKEN_RENEWAL_MS) {
        result = await this.client().acquireTokenByClientCredential({ scopes, skipCache: true });
      }
      if (!result?.accessToken) throw authError("no_token", "the identity platform returned no access token");
      registerSecret(result.accessToken);
      return result.accessToken;
    } catch (e) {
      throw authFailure(e, resource);
    }
  }

  async claims(resource: Resource): Promise<TokenClaims> {
    return decodeClaims(await this.token(resource));
  }

  /** The client assertion for a federated credential: read fresh on every token request. */
  private async assertion(): Promise<string> {
    const credential = this.settings.credential;
    if (credential.kind === "federatedTokenFile") {
      const token = readFileSync(credential.path, "utf8").trim();
      if (token === "") throw authError("credential_unavailable", `the federated token file ${credential.path} is empty`);
      registerSecret(token);
      return token;
    }
    if (credential.kind !== "githubActions") throw authError("credential_unavailable", "no client assertion is configured");
    const url = `${credential.requestUrl}${credential.requestUrl.includes("?") ? "&" : "?"}audience=${encodeURIComponent(FEDERATED_TOKEN_AUDIENCE)}`;
    this.options.onRequest?.();
    let res: Response;
    try {
      res = await this.fetch(url, { headers: { authorization: `bearer ${credential.requestToken.reveal()}` }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (e) {
      throw authError("network_error", `GitHub's OIDC token service cannot be reached (${errorText(e)})`);
    }
    const body = (await res.json().catch(() => ({}))) as { value?: unknown };
    if (!res.ok || typeof body.value !== "string") {
      throw authError("credential_unavailable", `GitHub's OIDC token service answered ${res.status} without a token; give the job "permissions: id-token: write"`);
    }
    registerSecret(body.value);
    return body.value;
  }
}

/** msal's requests on an injectable fetch, with a timeout and a count: the shape of msal's own fetch client. */
export function fetchNetworkClient(f: typeof fetch, timeoutMs: number, onRequest: () => void): INetworkModule {
  const send = async <T>(url: string, method: "GET" | "POST", options: NetworkRequestOptions | undefined, timeout: number | undefined): Promise<NetworkResponse<T>> => {
    onRequest();
    let res: Response;
    try {
      res = await f(url, {
        method,
        headers: options?.headers ?? {},
        ...(method === "POST" ? { body: options?.body ?? "" } : {}),
        signal: AbortSignal.timeout(timeout ?? timeoutMs),
      });
    } catch (e) {
      throw authError("network_error", `Network request failed: ${errorText(e)}`);
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => (headers[key] = value));
    let body: T;
    try {
      body = (await res.json()) as T;
    } catch (e) {
      throw authError(res.status >= 500 ? "network_error" : "token_parsing_error", `Failed to parse response (${res.status}): ${errorText(e)}`);
    }
    return { headers, body, status: res.status };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, "GET", options, timeout),
    sendPostRequestAsync: (url, options) => send(url, "POST", options, undefined),
  };
}

const TRANSIENT_AUTH_CODES = new Set(["network_error", "request_timeout", "temporarily_unavailable", "service_unavailable", "endpoints_resolution_error"]);

/** An msal (or other) failure to get a token, as a ProviderError; the caller puts its own operation on it. */
export function authFailure(e: unknown, resource: Resource): ProviderError {
  if (ProviderError.is(e)) return e;
  let kind: ProviderErrorKind = "forbidden";
  let code = "AuthenticationFailed";
  let message = errorText(e);
  // an AuthError can only come from msal, so msal is loaded if `e` is one
  if (isAuthError(e)) {
    const status = (e as AuthError & { status?: number }).status;
    const errorNo = (e as AuthError & { errorNo?: string }).errorNo;
    code = errorNo ? `AADSTS${errorNo}` : e.errorCode || code;
    message = e.errorMessage || e.message;
    if (status === 429) kind = "throttled";
    else if (TRANSIENT_AUTH_CODES.has(e.errorCode) || (status !== undefined && status >= 500)) kind = "transient";
  }
  return new ProviderError({ kind, code, message: `cannot get a token for ${resource === "graph" ? "Microsoft Graph" : "Exchange Online"}: ${redact(message)}`, operation: "authenticate", target: resource });
}

function isAuthError(e: unknown): e is AuthError {
  return e instanceof msalPackage().AuthError;
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${e.message}: ${cause.code}` : e.message;
}
