/**
 * Serving a simulated tenant in a test: the real server (providers/local-endpoint)
 * on 127.0.0.1, its certificate signed by the run's CA (test/support/test-ca.ts),
 * so Node's own fetch trusts it through NODE_EXTRA_CA_CERTS. Every test that
 * starts one stops it (afterEach: `await served.stop()`).
 */
import { startEndpoint, type EndpointOptions, type LocalEndpoint } from "../../providers/local-endpoint/server.js";
import type { SimulatedTenant } from "../../providers/simulated/index.js";
import { tempTenant } from "./direct-context.js";

export interface Served {
  readonly tenant: SimulatedTenant;
  readonly endpoint: LocalEndpoint;
  readonly origin: string;
  /** Stop the server and close the tenant. */
  stop(): Promise<void>;
}

export function testCa(): { certPem: string; keyPem: string } {
  const certPem = process.env["EXOFORM_TEST_CA_CERT"];
  const keyPem = process.env["EXOFORM_TEST_CA_KEY"];
  if (!certPem || !keyPem) throw new Error("the test CA is missing: run tests through vitest (test/support/test-ca.ts is its globalSetup)");
  return { certPem, keyPem };
}

export async function serve(tenant: SimulatedTenant = tempTenant(), options: Omit<EndpointOptions, "tenant" | "ca"> = {}): Promise<Served> {
  const caPath = process.env["NODE_EXTRA_CA_CERTS"];
  const endpoint = await startEndpoint({ ...options, tenant, ca: testCa(), ...(caPath ? { caPath } : {}) });
  return {
    tenant,
    endpoint,
    origin: endpoint.origin,
    stop: async () => {
      await endpoint.close();
      tenant.close();
    },
  };
}

export type Resource = "graph" | "exchange";
const SCOPE: Record<Resource, string> = { graph: "https://graph.microsoft.com/.default", exchange: "https://outlook.office365.com/.default" };

/** A token by client secret, as any client gets one: POST /{tenant}/oauth2/v2.0/token. */
export async function token(served: Served, resource: Resource, client: { AZURE_CLIENT_ID: string; AZURE_CLIENT_SECRET: string } = served.endpoint.env): Promise<string> {
  const res = await fetch(`${served.origin}/${served.endpoint.env.AZURE_TENANT_ID}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: client.AZURE_CLIENT_ID, client_secret: client.AZURE_CLIENT_SECRET, scope: SCOPE[resource] }),
  });
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${body.error_description ?? ""}`);
  return body.access_token;
}

/** Call Graph (path under /v1.0) with a bearer token. */
export async function graph(served: Served, bearer: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(path.startsWith("https://") ? path : `${served.origin}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** Run one cmdlet through InvokeCommand. */
export async function invoke(served: Served, bearer: string, cmdlet: string, parameters: Record<string, unknown>, options: { select?: string; pageSize?: number; anchor?: string; url?: string } = {}): Promise<Response> {
  const tenantId = served.endpoint.env.AZURE_TENANT_ID;
  const url = options.url ?? `${served.origin}/adminapi/beta/${tenantId}/InvokeCommand${options.select ? `?$select=${options.select}` : ""}`;
  return fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${bearer}`,
      "content-type": "application/json",
      "x-anchormailbox": options.anchor ?? `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${tenantId}`,
      ...(options.pageSize !== undefined ? { prefer: `odata.maxpagesize=${options.pageSize}` } : {}),
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
  });
}

/** POST to the control API (test-only). */
export async function control(served: Served, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${served.origin}/_exoform${path}`, {
    method,
    ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
}
