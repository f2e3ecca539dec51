/**
 * The local endpoint's Entra ID: the v2 token endpoint for client
 * credentials (secret, certificate assertion, federated token), the OpenID
 * configuration and keys msal-node reads, and verification of the bearer
 * tokens Graph and Exchange requests carry.
 *
 * Tokens are real signed JWTs (RS256, a key made at start and kept in
 * memory) with aud, tid, appid, roles, wids, iat, nbf, exp. Their lifetime
 * runs on WALL time, not the tenant's clock: clients cache tokens by wall
 * time, and a virtual tenant clock moved 30 days must not expire them.
 * Client secrets exist only in memory and are never logged.
 */
import { generateKeyPairSync, randomUUID, timingSafeEqual, type KeyObject } from "node:crypto";
import { decodeJwt, signJwt, verifySignature, type CertificateCredential } from "./jwt.js";
import { RESOURCE, type AppPermissions } from "./permissions.js";
import { exchangeError, graphError, identityError, json, type Caller, type WireRequest, type WireResponse } from "./wire.js";
import { valueText } from "../../lib/private/text.js";

export interface FederatedCredential {
  /** The `iss` of the presented token, e.g. https://token.actions.githubusercontent.com. */
  readonly issuer: string;
  /** The `sub`, e.g. repo:contoso/mailboxes:ref:refs/heads/main; "*" accepts any subject of the issuer. */
  readonly subject: string;
  readonly audience: string;
}

export interface AppRegistration {
  readonly clientId: string;
  readonly displayName: string;
  /** The client secret (memory only); null: no secret credential. */
  readonly secret: string | null;
  readonly certificates: readonly CertificateCredential[];
  readonly federated: readonly FederatedCredential[];
  readonly permissions: AppPermissions;
}

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** The audience GitHub Actions (and Entra) use for federated tokens. */
export const FEDERATED_AUDIENCE = "api://AzureADTokenExchange";

export interface IdentityOptions {
  readonly tenantId: string;
  readonly domains: readonly string[];
  readonly origin: string;
  readonly apps: readonly AppRegistration[];
  /** Wall-clock ms (tests may move it to expire tokens). */
  readonly wallNow?: () => number;
  /** Access token lifetime (Entra's default is about an hour). */
  readonly tokenLifetimeSeconds?: number;
  /** Issuers whose tokens are signed by this endpoint's own key (the emulated GitHub OIDC issuer). */
  readonly localIssuers?: readonly string[];
}

type Audience = "graph" | "exchange";

export class IdentityService {
  private readonly key: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  readonly kid = randomUUID();
  private readonly wallNow: () => number;
  private readonly lifetime: number;

  constructor(private readonly options: IdentityOptions) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.key = privateKey;
    this.publicKey = publicKey;
    this.publicJwk = { ...publicKey.export({ format: "jwk" }), kid: this.kid, use: "sig", kty: "RSA", alg: "RS256" };
    this.wallNow = options.wallNow ?? Date.now;
    this.lifetime = options.tokenLifetimeSeconds ?? 3599;
  }

  /** Whether `path` is one of the identity routes. */
  static owns(path: string): boolean {
    return /^\/[^/]+\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.test(path) || path === "/common/discovery/instance";
  }

  async handle(req: WireRequest): Promise<WireResponse> {
    const now = new Date(this.wallNow()).toISOString();
    if (req.path === "/common/discovery/instance") return this.instanceDiscovery();
    const [, tenant, ...rest] = req.path.split("/");
    const route = rest.join("/");
    if (!this.knowsTenant(tenant ?? "")) {
      return identityError(400, "invalid_request", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, req, now);
    }
    if (route === "v2.0/.well-known/openid-configuration" && req.method === "GET") return json(200, this.openIdConfiguration(tenant!));
    if (route === "discovery/v2.0/keys" && req.method === "GET") return json(200, { keys: [this.publicJwk] });
    if (route === "oauth2/v2.0/token" && req.method === "POST") return this.token(req, now);
    return identityError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.", req, now);
  }

  /** A token signed by this endpoint, for the emulated GitHub Actions OIDC issuer (control API). */
  issueFederatedToken(issuer: string, subject: string, audience: string): string {
    const now = Math.floor(this.wallNow() / 1000);
    return signJwt({ iss: issuer, sub: subject, aud: audience, iat: now, nbf: now, exp: now + 600, jti: randomUUID() }, this.key, this.kid);
  }

  /**
   * The caller behind a Graph or Exchange request's bearer token, or the 401 the service sends:
   * no token, a token not signed here, expired, for another resource or another tenant.
   */
  verifyAccess(req: WireRequest, audience: Audience, tenantNowIso: string): Caller | WireResponse {
    const header = req.headers["authorization"] ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const deny = (message: string): WireResponse => {
      const challenge = { "www-authenticate": `Bearer realm="", authorization_uri="${this.options.origin}/${this.options.tenantId}/oauth2/authorize", error="invalid_token", error_description="${message}"` };
      return audience === "graph"
        ? graphError(401, "InvalidAuthenticationToken", message, req, tenantNowIso, challenge)
        : exchangeError(401, "System.UnauthorizedAccessException", message, challenge);
    };
    if (!match) return deny("Access token is empty.");
    const jwt = decodeJwt(match[1]!);
    if (!jwt || jwt.header["kid"] !== this.kid || !verifySignature(jwt, this.publicKey)) return deny("Access token validation failure. Invalid signature.");
    const claims = jwt.payload;
    const nowS = this.wallNow() / 1000;
    if (typeof claims["exp"] !== "number" || claims["exp"] <= nowS) return deny("Lifetime validation failed, the token is expired.");
    if (typeof claims["nbf"] === "number" && claims["nbf"] > nowS + 300) return deny("Lifetime validation failed, the token is not yet valid.");
    if (claims["aud"] !== RESOURCE[audience]) return deny(`Invalid audience '${String(claims["aud"])}'; this API expects tokens for ${RESOURCE[audience]}.`);
    if (claims["tid"] !== this.options.tenantId) return deny(`The token is for tenant '${String(claims["tid"])}', not '${this.options.tenantId}'.`);
    return {
      appId: String(claims["appid"]),
      tenantId: String(claims["tid"]),
      roles: new Set(Array.isArray(claims["roles"]) ? (claims["roles"] as string[]) : []),
      wids: new Set(Array.isArray(claims["wids"]) ? (claims["wids"] as string[]) : []),
    };
  }

  // ---------------------------------------------------------------- routes

  private knowsTenant(tenant: string): boolean {
    const t = tenant.toLowerCase();
    return t === this.options.tenantId.toLowerCase() || this.options.domains.includes(t);
  }

  private openIdConfiguration(tenant: string): Record<string, unknown> {
    const base = `${this.options.origin}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${this.options.origin}/${this.options.tenantId}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "tid", "roles", "wids"],
      tenant_region_scope: "EU",
      cloud_instance_name: new URL(this.options.origin).host,
      cloud_graph_host_name: new URL(this.options.origin).host,
      msgraph_host: new URL(this.options.origin).host,
    };
  }

  private instanceDiscovery(): WireResponse {
    const host = new URL(this.options.origin).host;
    return json(200, {
      tenant_discovery_endpoint: `${this.options.origin}/${this.options.tenantId}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  private token(req: WireRequest, now: string): WireResponse {
    const form = (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<string, string | undefined>;
    const fail = (status: number, error: string, code: number, description: string) => identityError(status, error, code, description, req, now);
    if (form["grant_type"] !== "client_credentials") {
      return fail(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${form["grant_type"] ?? ""}'; this endpoint serves client_credentials only.`);
    }
    const clientId = form["client_id"] ?? "";
    const app = this.options.apps.find((a) => a.clientId === clientId);
    if (!app) {
      return fail(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${this.options.tenantId}'.`);
    }
    const scope = (form["scope"] ?? "").split(" ").filter((s) => s.length > 0);
    const resource = scope.length === 1 ? resourceOfScope(scope[0]!) : null;
    if (resource === null) {
      return fail(400, "invalid_scope", 1002012, `The provided value for scope ${form["scope"] ?? ""} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI): ${RESOURCE.graph}/.default or ${RESOURCE.exchange}/.default.`);
    }
    const authError = this.authenticate(app, form, req);
    if (authError !== null) return fail(401, "invalid_client", authError.code, authError.message);
    const iat = Math.floor(this.wallNow() / 1000);
    const roles = resource === "graph" ? app.permissions.graph : app.permissions.exchange;
    const claims: Record<string, unknown> = {
      aud: RESOURCE[resource],
      iss: `https://sts.windows.net/${this.options.tenantId}/`,
      iat,
      nbf: iat,
      exp: iat + this.lifetime,
      appid: app.clientId,
      azp: app.clientId,
      app_displayname: app.displayName,
      idtyp: "app",
      oid: `sp-${app.clientId}`,
      sub: `sp-${app.clientId}`,
      tid: this.options.tenantId,
      ver: "1.0",
      wids: [...app.permissions.wids],
    };
    // a token for an app with no permission on the resource carries no roles claim at all, as Entra issues it
    if (roles.length > 0) claims["roles"] = [...roles];
    return json(200, { token_type: "Bearer", expires_in: this.lifetime, ext_expires_in: this.lifetime, access_token: signJwt(claims, this.key, this.kid) });
  }

  /** Null when the request proves it is `app`; otherwise the AADSTS code and message. */
  private authenticate(app: AppRegistration, form: Record<string, string | undefined>, req: WireRequest): { code: number; message: string } | null {
    const secret = form["client_secret"];
    if (secret !== undefined) {
      if (app.secret !== null && sameSecret(secret, app.secret)) return null;
      return { code: 7000215, message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.` };
    }
    const assertion = form["client_assertion"];
    if (assertion === undefined || form["client_assertion_type"] !== CLIENT_ASSERTION_TYPE) {
      return { code: 7000218, message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." };
    }
    const jwt = decodeJwt(assertion);
    if (!jwt) return { code: 50027, message: "JWT token is invalid or malformed." };
    const nowS = this.wallNow() / 1000;
    const exp = jwt.payload["exp"];
    if (typeof exp !== "number" || exp <= nowS) return { code: 700024, message: "Client assertion is not within its valid time range." };
    const iss = valueText(jwt.payload["iss"]);
    if (iss === app.clientId) {
      // a certificate credential: iss = sub = client id, aud = this token endpoint, signed by a registered certificate
      const tokenUrl = `${this.options.origin}${req.path}`;
      const aud = jwt.payload["aud"];
      if (aud !== tokenUrl && !(Array.isArray(aud) && aud.includes(tokenUrl))) {
        return { code: 700212, message: `No matching federated identity record found for presented assertion audience '${String(aud)}'; a client assertion's aud must be ${tokenUrl}.` };
      }
      const thumb = jwt.header["x5t#S256"] ?? jwt.header["x5t"];
      const cert = app.certificates.find((c) => c.x5tS256 === thumb || c.x5t === thumb);
      if (!cert) return { code: 700027, message: `The certificate with identifier used to sign the client assertion is not registered on application '${app.clientId}'.` };
      if (!verifySignature(jwt, cert.publicKey)) return { code: 700027, message: "Client assertion contains an invalid signature." };
      return null;
    }
    // a federated credential: a token from a trusted issuer (here: only issuers this endpoint signs for)
    const record = app.federated.find((f) => f.issuer === iss && (f.subject === "*" || f.subject === jwt.payload["sub"]) && f.audience === jwt.payload["aud"]);
    if (!record) {
      return { code: 70021, message: `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${String(jwt.payload["sub"])}'. Assertion Audience: '${String(jwt.payload["aud"])}'.` };
    }
    if (!(this.options.localIssuers ?? []).includes(iss) || jwt.header["kid"] !== this.kid || !verifySignature(jwt, this.publicKey)) {
      return { code: 700027, message: "Client assertion contains an invalid signature." };
    }
    return null;
  }
}

function resourceOfScope(scope: string): Audience | null {
  if (scope === `${RESOURCE.graph}/.default` || scope === "00000003-0000-0000-c000-000000000000/.default") return "graph";
  if (scope === `${RESOURCE.exchange}/.default` || scope === "00000002-0000-0ff1-ce00-000000000000/.default") return "exchange";
  return null;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
