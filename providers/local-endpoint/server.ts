/**
 * `exoform tenant serve`: the simulated tenant on Microsoft's own wire.
 * One HTTPS origin on 127.0.0.1 serves the Entra token endpoint
 * (/{tenant}/oauth2/v2.0/token), Graph v1.0 (/v1.0/...), the Exchange admin
 * API (/adminapi/beta/{tenant}/...) and a test-only control API
 * (/_exoform/...). The protocol modules translate; every rule stays in
 * providers/simulated.
 *
 * Around each Graph and Exchange request the server runs, in this order:
 *   token verification (401) → injected 503/504 (the request is not run) →
 *   Exchange concurrency and service throttling (429) → the handler, on a
 *   backend picked for the read-lag model → injected slow / reset / lost
 *   response → one line in the request log.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleepWall } from "node:timers/promises";
import type { SimulatedTenant } from "../simulated/index.js";
import type { EndpointContext } from "./context.js";
import { ReadLag } from "./consistency.js";
import { handleControl, GITHUB_ISSUER_PATH } from "./control.js";
import { handleExchange } from "./exchange.js";
import { handleGraph } from "./graph.js";
import { FEDERATED_AUDIENCE, IdentityService, type AppRegistration } from "./identity.js";
import { certificateCredential } from "./jwt.js";
import { APPLY_APP, READ_ONLY_APP } from "./permissions.js";
import { ServiceThrottles } from "./throttle.js";
import { makeTls, type CertificateAuthority } from "./tls.js";
import { WireFaults, type WireFault } from "./wire-faults.js";
import { exchangeError, graphError, newRequestId, type Caller, type Service, type WireRequest, type WireResponse } from "./wire.js";

/** Only loopback, ever: the endpoint is for tests and demos on this machine. */
export const HOST = "127.0.0.1";
/** Bodies larger than this are refused (413): a Graph batch of 20 is far below it. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface EndpointOptions {
  readonly tenant: SimulatedTenant;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Where the CA certificate is written (the NODE_EXTRA_CA_CERTS file); null keeps it in memory. */
  readonly stateDir?: string | null;
  /** Sign the server certificate with this CA instead of a new one (the test run's CA: test/support/test-ca.ts). */
  readonly ca?: CertificateAuthority;
  /** Where that CA's certificate already is (the env's NODE_EXTRA_CA_CERTS when no state folder is given). */
  readonly caPath?: string;
  /** PEM certificates registered as credentials of the apply client (certificate authentication). */
  readonly clientCertificates?: readonly string[];
  /** Wall clock for token lifetimes (tests move it to expire tokens). */
  readonly wallNow?: () => number;
  readonly tokenLifetimeSeconds?: number;
  /** Called after a Graph or Exchange write ran and before its response is sent (crash tests kill the client here). */
  readonly afterWrite?: (entry: { service: Service; requestId: string }) => Promise<void> | void;
}

/** What a client needs to reach the endpoint as the apply client: the variables the Azure SDKs and exoform read. */
export interface EndpointEnv {
  readonly AZURE_TENANT_ID: string;
  readonly AZURE_CLIENT_ID: string;
  readonly AZURE_CLIENT_SECRET: string;
  readonly EXOFORM_AUTHORITY_HOST: string;
  readonly EXOFORM_GRAPH_URL: string;
  readonly EXOFORM_EXCHANGE_URL: string;
  readonly NODE_EXTRA_CA_CERTS: string;
}

export interface LocalEndpoint {
  readonly origin: string;
  readonly port: number;
  readonly caPem: string;
  readonly env: EndpointEnv;
  /** The read-only client: plan, drift and export work with it; apply is refused (403). */
  readonly readOnly: { readonly AZURE_CLIENT_ID: string; readonly AZURE_CLIENT_SECRET: string };
  /** The emulated GitHub Actions OIDC variables: the apply client trusts tokens from this issuer (any subject). */
  readonly github: { readonly ACTIONS_ID_TOKEN_REQUEST_URL: string; readonly ACTIONS_ID_TOKEN_REQUEST_TOKEN: string };
  /** Stop listening, end open connections. Does not close the tenant (the caller opened it). */
  close(): Promise<void>;
}

export async function startEndpoint(options: EndpointOptions): Promise<LocalEndpoint> {
  const tenant = options.tenant;
  const info = await tenant.readTenant();
  const tls = await makeTls(options.stateDir ?? null, options.ca);
  const server = createServer({ cert: tls.certPem, key: tls.keyPem });
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `https://${HOST}:${port}`;

  const githubIssuer = `${origin}${GITHUB_ISSUER_PATH}`;
  const apply: AppRegistration = {
    clientId: randomUUID(),
    displayName: "exoform (apply)",
    secret: randomBytes(24).toString("base64url"),
    certificates: (options.clientCertificates ?? []).map(certificateCredential),
    federated: [{ issuer: githubIssuer, subject: "*", audience: FEDERATED_AUDIENCE }],
    permissions: APPLY_APP,
  };
  const readOnly: AppRegistration = {
    clientId: randomUUID(),
    displayName: "exoform (read-only)",
    secret: randomBytes(24).toString("base64url"),
    certificates: [],
    federated: [],
    permissions: READ_ONLY_APP,
  };
  const identity = new IdentityService({
    tenantId: info.id,
    domains: info.domains,
    origin,
    apps: [apply, readOnly],
    localIssuers: [githubIssuer],
    ...(options.wallNow ? { wallNow: options.wallNow } : {}),
    ...(options.tokenLifetimeSeconds !== undefined ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds } : {}),
  });
  const githubRequestToken = randomBytes(24).toString("base64url");

  const settings = () => tenant.faults();
  const nowMs = () => tenant.nowMs();
  // the resource-unit budget is sized by the tenant's users (R7.6); counted at start and after a seed
  let userCount = await countUsers(tenant);
  const throttles = new ServiceThrottles({ settings, nowMs, tenantId: info.id, tenantUserCount: () => userCount });
  const faults = new WireFaults({ settings });
  const lag = new ReadLag({ settings, nowMs, tenant });
  const ctx: EndpointContext = {
    tenant,
    tenantId: info.id,
    domains: info.domains,
    origin,
    nowMs,
    admit: (service, req, caller, write) => throttles.admit(service, req, caller, write),
    reads: (view) => lag.reads(view),
    write: (view, keys, run) => lag.write(view, keys, run),
  };

  const serve = async (req: WireRequest, res: ServerResponse, started: number): Promise<void> => {
    const service = serviceOf(req.path);
    const tenantIso = () => new Date(nowMs()).toISOString();
    let caller: Caller | null = null;
    let write = false;
    let throttled = false;
    let fault = { kind: "none" } as WireFault; // set by runAdmitted (a closure: keep the declared union)
    let response: WireResponse;
    let cmdlet: string | null = null;
    try {
      if (service === "identity") response = await identity.handle(req);
      else if (service === "control") {
        response = await handleControl(req, { tenant, identity, githubIssuer, githubRequestToken, seeded: async () => void (userCount = await countUsers(tenant)) });
      } else if (service === null) {
        response = graphError(404, "BadRequest", `Resource not found for the segment '${req.path.split("/")[1] ?? ""}'.`, req, tenantIso());
      } else {
        cmdlet = service === "exchange" ? cmdletOf(req) : null;
        const batch = req.path.endsWith("/$batch");
        write = !batch && (service === "graph" ? req.method !== "GET" : cmdlet !== null && !cmdlet.startsWith("Get-"));
        const verified = identity.verifyAccess(req, service, tenantIso());
        if ("status" in verified) response = verified;
        else {
          caller = verified;
          response = await runAdmitted(service, req, caller, write, batch);
        }
      }
    } catch (e) {
      // a bug in a protocol module: answer as the service does to an internal error, never hang
      response = service === "exchange"
        ? exchangeError(500, "System.Exception", `Internal error in the local endpoint: ${(e as Error).message}`)
        : graphError(500, "InternalServerError", `Internal error in the local endpoint: ${(e as Error).message}`, req, tenantIso());
    }
    await send(res, response, fault, req);
    logRequest(tenant, {
      at: tenantIso(),
      service: service ?? "graph",
      method: req.method,
      path: req.path,
      cmdlet,
      status: fault.kind === "lostResponse" ? 0 : response.status,
      latencyMs: Date.now() - started,
      throttled,
      fault: fault.kind === "none" ? null : fault.kind === "error" ? String(fault.status) : fault.kind,
      appId: caller?.appId ?? null,
      requestId: req.requestId,
      batchId: null,
    });

    async function runAdmitted(svc: "graph" | "exchange", request: WireRequest, who: Caller, isWrite: boolean, isBatch: boolean): Promise<WireResponse> {
      fault = faults.decide(isWrite);
      if (fault.kind === "error") {
        const status = fault.status;
        return svc === "graph"
          ? graphError(status, status === 503 ? "serviceNotAvailable" : "gatewayTimeout", "The service is temporarily unavailable (injected by the local endpoint).", request, tenantIso(), { "retry-after": "1" })
          : exchangeError(status, "System.TimeoutException", "The service is temporarily unavailable (injected by the local endpoint).");
      }
      let slot: { leave(): void } | null = null;
      if (svc === "exchange") {
        const entered = throttles.enterExchange();
        if ("status" in entered) {
          throttled = true;
          return entered;
        }
        slot = entered;
      }
      try {
        if (!isBatch) {
          const refusal = throttles.admit(svc, request, who, isWrite);
          if (refusal !== null) {
            throttled = true;
            return refusal;
          }
        }
        const view = lag.pickBackend();
        const handled = svc === "graph" ? await handleGraph(request, who, view, ctx) : await handleExchange(request, who, view, ctx);
        if (isWrite && handled.status < 400) await options.afterWrite?.({ service: svc, requestId: request.requestId });
        const extra = isBatch ? {} : throttles.successHeaders(svc, request, who, isWrite);
        if (handled.status === 429) throttled = true;
        // a lost response is only a write's fate: the change is committed, the client never hears
        if (fault.kind === "lostResponse" && !(isWrite && handled.status < 400)) fault = { kind: "none" };
        return { ...handled, headers: { ...extra, ...(handled.headers ?? {}) } };
      } finally {
        slot?.leave();
      }
    }
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    readRequest(req)
      .then((wire) => (wire.ok ? serve(wire.request, res, started) : send(res, wire.response, { kind: "none" }, null)))
      .catch(() => res.destroy());
  });

  return {
    origin,
    port,
    caPem: tls.caPem,
    env: {
      AZURE_TENANT_ID: info.id,
      AZURE_CLIENT_ID: apply.clientId,
      AZURE_CLIENT_SECRET: apply.secret!,
      EXOFORM_AUTHORITY_HOST: origin,
      EXOFORM_GRAPH_URL: origin,
      EXOFORM_EXCHANGE_URL: origin,
      NODE_EXTRA_CA_CERTS: tls.caPath ?? options.caPath ?? "",
    },
    readOnly: { AZURE_CLIENT_ID: readOnly.clientId, AZURE_CLIENT_SECRET: readOnly.secret! },
    github: { ACTIONS_ID_TOKEN_REQUEST_URL: `${origin}${GITHUB_ISSUER_PATH}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: githubRequestToken },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

// ------------------------------------------------------------------ helpers

function serviceOf(path: string): Service | null {
  if (path.startsWith("/v1.0/")) return "graph";
  if (path.startsWith("/adminapi/")) return "exchange";
  if (path.startsWith("/_exoform/")) return "control";
  if (IdentityService.owns(path)) return "identity";
  return null;
}

function cmdletOf(req: WireRequest): string | null {
  const input = (req.body as { CmdletInput?: { CmdletName?: unknown } } | undefined)?.CmdletInput;
  return typeof input?.CmdletName === "string" ? input.CmdletName : null;
}

async function countUsers(tenant: SimulatedTenant): Promise<number> {
  return (await tenant.listUsers()).filter((u) => u.deletedAt === null).length;
}

type ReadOutcome = { ok: true; request: WireRequest } | { ok: false; response: WireResponse };

async function readRequest(req: IncomingMessage): Promise<ReadOutcome> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, response: { status: 413, body: { error: { code: "RequestEntityTooLarge", message: `The request body is larger than ${MAX_BODY_BYTES} bytes.` } } } };
    chunks.push(chunk as Buffer);
  }
  const url = new URL(req.url ?? "/", "https://local");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  const text = Buffer.concat(chunks).toString("utf8");
  let body: unknown;
  if (text.length > 0) {
    const type = headers["content-type"] ?? "";
    if (type.includes("application/x-www-form-urlencoded")) body = Object.fromEntries(new URLSearchParams(text));
    else {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        return { ok: false, response: { status: 400, body: { error: { code: "BadRequest", message: "The request body is not valid JSON." } } } };
      }
    }
  }
  const requestId = headers["client-request-id"] ?? newRequestId();
  return { ok: true, request: { method: (req.method ?? "GET").toUpperCase(), path: decodePath(url.pathname), query: url.searchParams, headers, body, requestId } };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

async function send(res: ServerResponse, response: WireResponse, fault: WireFault, req: WireRequest | null): Promise<void> {
  if (fault.kind === "lostResponse") {
    res.socket?.destroy();
    return;
  }
  if (fault.kind === "slow") await sleepWall(fault.ms);
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  if (req) headers["client-request-id"] ??= req.requestId;
  let payload = "";
  if (response.body !== undefined) {
    payload = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
    headers["content-type"] ??= typeof response.body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  if (fault.kind === "reset") {
    // half the body, then the connection drops: the client cannot know what the answer was
    res.write(payload.slice(0, Math.floor(payload.length / 2)));
    await new Promise<void>((resolve) => setImmediate(resolve));
    res.socket?.destroy();
    return;
  }
  res.end(payload);
}

function logRequest(tenant: SimulatedTenant, entry: Parameters<SimulatedTenant["logRequest"]>[0]): void {
  try {
    tenant.logRequest(entry);
  } catch {
    // the log is a diagnostic: a full disk must not turn a served request into a failure
  }
}
