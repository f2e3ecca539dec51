/**
 * The Microsoft provider's settings, read from the environment under the
 * names the Azure SDKs use (AZURE_*), plus exoform's three endpoint origins
 * (EXOFORM_*: Microsoft's public cloud by default, a sovereign cloud or the
 * local endpoint otherwise; the paths under them are always Microsoft's).
 *
 * Every problem is collected and reported at once, as one UserError with a
 * Diagnostic per variable that names the fix. No value of a secret variable
 * is ever put in a message.
 */
import { existsSync } from "node:fs";
import { UserError } from "../../lib/diagnostics/errors.js";
import type { Diagnostic } from "../../lib/diagnostics/diagnostic.js";
import { Secret } from "./secrets.js";

/** How the app proves who it is to Entra ID. */
export type ClientCredential =
  | { readonly kind: "secret"; readonly secret: Secret }
  /** A PEM file holding the certificate and its private key (optionally encrypted). */
  | { readonly kind: "certificate"; readonly path: string; readonly password: Secret | null }
  /** A file holding a federated token (workload identity), re-read on every token request. */
  | { readonly kind: "federatedTokenFile"; readonly path: string }
  /** The GitHub Actions workflow's OIDC token, fetched on every token request. */
  | { readonly kind: "githubActions"; readonly requestUrl: string; readonly requestToken: Secret };

export interface MicrosoftSettings {
  /** AZURE_TENANT_ID as given: the directory id (GUID) or one of its domains. */
  readonly tenantId: string;
  readonly clientId: string;
  readonly credential: ClientCredential;
  /** Origins, no trailing slash. */
  readonly authorityHost: string;
  readonly graphUrl: string;
  readonly exchangeUrl: string;
}

export const DEFAULT_ORIGINS = {
  EXOFORM_AUTHORITY_HOST: "https://login.microsoftonline.com",
  EXOFORM_GRAPH_URL: "https://graph.microsoft.com",
  EXOFORM_EXCHANGE_URL: "https://outlook.office365.com",
} as const;

/** The audience GitHub's OIDC token is requested for (what Entra's federated credentials expect). */
export const FEDERATED_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

type Env = Readonly<Record<string, string | undefined>>;

const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
const MULTI_TENANT = new Set(["common", "organizations", "consumers"]);

/** Read and check every setting; throws one UserError listing all problems. */
export function readSettings(env: Env = process.env): MicrosoftSettings {
  const problems: Diagnostic[] = [];
  const problem = (variable: string, code: string, message: string): void => {
    problems.push({ severity: "error", code, target: "", location: `env:${variable}`, message });
  };
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };

  const tenantId = get("AZURE_TENANT_ID");
  if (tenantId === undefined) {
    problem("AZURE_TENANT_ID", "microsoft_setting_missing", "AZURE_TENANT_ID is not set; set it to the directory (tenant) id of the Microsoft 365 tenant, or one of its domains such as contoso.onmicrosoft.com");
  } else if (!TENANT_PATTERN.test(tenantId) || MULTI_TENANT.has(tenantId.toLowerCase())) {
    problem("AZURE_TENANT_ID", "microsoft_setting_invalid", `AZURE_TENANT_ID is "${tenantId}", which names no single tenant; set it to the directory (tenant) id (a GUID) or a domain of the tenant`);
  }
  const clientId = get("AZURE_CLIENT_ID");
  if (clientId === undefined) {
    problem("AZURE_CLIENT_ID", "microsoft_setting_missing", "AZURE_CLIENT_ID is not set; set it to the application (client) id of exoform's app registration");
  } else if (/\s/.test(clientId)) {
    problem("AZURE_CLIENT_ID", "microsoft_setting_invalid", "AZURE_CLIENT_ID contains white space; set it to the application (client) id of exoform's app registration");
  }

  const credential = readCredential(get, problem);
  const origin = (name: keyof typeof DEFAULT_ORIGINS, httpAllowed: boolean): string => {
    const raw = get(name) ?? DEFAULT_ORIGINS[name];
    const checked = checkOrigin(raw, httpAllowed);
    if (typeof checked === "string") return checked;
    problem(name, "microsoft_setting_invalid", `${name} is "${raw}", ${checked.why}; set it to an origin such as ${DEFAULT_ORIGINS[name]} (the paths under it are Microsoft's own), or unset it for the public cloud`);
    return raw;
  };
  // msal-node refuses an authority that is not https; Graph and Exchange may be plain http (a test server)
  const authorityHost = origin("EXOFORM_AUTHORITY_HOST", false);
  const graphUrl = origin("EXOFORM_GRAPH_URL", true);
  const exchangeUrl = origin("EXOFORM_EXCHANGE_URL", true);

  if (problems.length > 0 || tenantId === undefined || clientId === undefined || credential === null) {
    throw new UserError(problems);
  }
  return { tenantId, clientId, credential, authorityHost, graphUrl, exchangeUrl };
}

function readCredential(
  get: (name: string) => string | undefined,
  problem: (variable: string, code: string, message: string) => void,
): ClientCredential | null {
  const secret = get("AZURE_CLIENT_SECRET");
  const certificatePath = get("AZURE_CLIENT_CERTIFICATE_PATH");
  const certificatePassword = get("AZURE_CLIENT_CERTIFICATE_PASSWORD");
  const tokenFile = get("AZURE_FEDERATED_TOKEN_FILE");
  const githubUrl = get("ACTIONS_ID_TOKEN_REQUEST_URL");
  const githubToken = get("ACTIONS_ID_TOKEN_REQUEST_TOKEN");

  const given = [
    secret !== undefined ? "AZURE_CLIENT_SECRET" : null,
    certificatePath !== undefined ? "AZURE_CLIENT_CERTIFICATE_PATH" : null,
    tokenFile !== undefined ? "AZURE_FEDERATED_TOKEN_FILE" : null,
  ].filter((x): x is string => x !== null);
  if (given.length > 1) {
    for (const name of given) {
      problem(name, "microsoft_setting_conflict", `${given.join(", ")} are all set, and exoform cannot tell which credential to use; keep exactly one of them`);
    }
    return null;
  }
  if (certificatePassword !== undefined && certificatePath === undefined) {
    problem("AZURE_CLIENT_CERTIFICATE_PASSWORD", "microsoft_setting_conflict", "AZURE_CLIENT_CERTIFICATE_PASSWORD is set but AZURE_CLIENT_CERTIFICATE_PATH is not; set the path of the PEM file the password opens, or unset the password");
  }
  if (secret !== undefined) return { kind: "secret", secret: new Secret(secret) };
  if (certificatePath !== undefined) {
    if (!existsSync(certificatePath)) {
      problem("AZURE_CLIENT_CERTIFICATE_PATH", "microsoft_setting_invalid", `AZURE_CLIENT_CERTIFICATE_PATH names ${certificatePath}, which does not exist; set it to a PEM file holding the certificate and its private key`);
      return null;
    }
    return { kind: "certificate", path: certificatePath, password: certificatePassword === undefined ? null : new Secret(certificatePassword) };
  }
  if (tokenFile !== undefined) {
    if (!existsSync(tokenFile)) {
      problem("AZURE_FEDERATED_TOKEN_FILE", "microsoft_setting_invalid", `AZURE_FEDERATED_TOKEN_FILE names ${tokenFile}, which does not exist; set it to the file your platform writes the federated token to`);
      return null;
    }
    return { kind: "federatedTokenFile", path: tokenFile };
  }
  if (githubUrl !== undefined && githubToken !== undefined) {
    const checked = checkUrl(githubUrl);
    if (checked !== null) {
      problem("ACTIONS_ID_TOKEN_REQUEST_URL", "microsoft_setting_invalid", `ACTIONS_ID_TOKEN_REQUEST_URL is not a usable URL (${checked}); it is set by GitHub Actions in jobs with "permissions: id-token: write"`);
      return null;
    }
    return { kind: "githubActions", requestUrl: githubUrl, requestToken: new Secret(githubToken) };
  }
  if (githubUrl !== undefined || githubToken !== undefined) {
    const missing = githubUrl === undefined ? "ACTIONS_ID_TOKEN_REQUEST_URL" : "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
    problem(missing, "microsoft_setting_missing", `${missing} is not set although its GitHub Actions partner is; give the job "permissions: id-token: write", or set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH`);
    return null;
  }
  problem(
    "AZURE_CLIENT_SECRET",
    "microsoft_setting_missing",
    "no credential is set; set one of AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH (a PEM file with the certificate and its key) or AZURE_FEDERATED_TOKEN_FILE, or run in GitHub Actions with \"permissions: id-token: write\" and a federated credential on the app",
  );
  return null;
}

/** The origin of `raw` without a trailing slash, or why it is not an origin. */
function checkOrigin(raw: string, httpAllowed: boolean): string | { why: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { why: "which is not a URL" };
  }
  if (url.protocol !== "https:" && !(httpAllowed && url.protocol === "http:")) return { why: httpAllowed ? "which is neither https nor http" : "which is not https (Entra ID and msal-node need TLS)" };
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") return { why: "which has a path, query or fragment" };
  if (url.username !== "" || url.password !== "") return { why: "which carries credentials" };
  return url.origin;
}

function checkUrl(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? null : "not http(s)";
  } catch {
    return "not a URL";
  }
}
