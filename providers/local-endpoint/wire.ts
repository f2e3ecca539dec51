/**
 * The local endpoint's request and response model: what every protocol
 * module (identity, Graph, Exchange, control) takes and returns, free of
 * node:http so that a $batch can dispatch its items through the same code as
 * top-level requests. Also the error bodies each Microsoft service sends,
 * built in one place so that their shapes never drift apart.
 */
import { randomUUID } from "node:crypto";

export type Service = "identity" | "graph" | "exchange" | "control";

/** One request, top-level or a $batch item. Header names are lower-case. */
export interface WireRequest {
  readonly method: string;
  /** The path without the query string, e.g. "/v1.0/users/u-0001". Percent-decoding is the router's job. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed body: JSON for application/json, an object of fields for form posts, undefined when empty. */
  readonly body: unknown;
  /** The request id echoed in responses and error bodies (client-request-id when the client sent one). */
  readonly requestId: string;
}

export interface WireResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON value (serialised as application/json), a string (sent as is), or undefined (no body). */
  readonly body?: unknown;
}

/** Who called: the verified claims of the bearer token. */
export interface Caller {
  readonly appId: string;
  readonly tenantId: string;
  /** Application permissions (the token's `roles`). */
  readonly roles: ReadonlySet<string>;
  /** Directory role template ids (the token's `wids`). */
  readonly wids: ReadonlySet<string>;
}

export function newRequestId(): string {
  return randomUUID();
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): WireResponse {
  return { status, body, headers };
}

export function noContent(headers: Record<string, string> = {}): WireResponse {
  return { status: 204, headers };
}

// ------------------------------------------------------------------ Graph

/**
 * One entry of a Graph error's `details`: Graph uses them for the finer cause of a 400
 * (e.g. {"code":"ObjectConflict","target":"userPrincipalName"}); the local endpoint puts the
 * simulated tenant's own code there, so a client can tell CountViolation from InvalidUsageLocation.
 */
export interface GraphErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly target?: string;
}

/**
 * Graph's error body: {"error":{"code","message","details"?,"innerError":{"date","request-id","client-request-id"}}}.
 * `details` is left out when absent or empty, as Graph does.
 */
export function graphError(
  status: number,
  code: string,
  message: string,
  req: Pick<WireRequest, "requestId">,
  nowIso: string,
  headers: Record<string, string> = {},
  details: readonly GraphErrorDetail[] = [],
): WireResponse {
  const innerError = { date: nowIso.replace(/\.\d{3}Z$/, ""), "request-id": req.requestId, "client-request-id": req.requestId };
  return {
    status,
    headers: { "request-id": req.requestId, "client-request-id": req.requestId, ...headers },
    body: { error: details.length > 0 ? { code, message, details, innerError } : { code, message, innerError } },
  };
}

// ------------------------------------------------------------------ Exchange admin API

/**
 * The InvokeCommand error body as observed: the cmdlet's exception is JSON inside
 * error.details[0].message, with its .NET TypeName (go-exoscc's recorded 400 body).
 */
export function exchangeError(status: number, typeName: string, message: string, headers: Record<string, string> = {}): WireResponse {
  const code = status === 404 ? "NotFound" : status === 403 ? "Forbidden" : status === 429 ? "TooManyRequests" : status >= 500 ? "InternalServerError" : "BadRequest";
  return {
    status,
    headers,
    body: {
      error: {
        code,
        message: "Error executing cmdlet",
        details: [{ code: status === 404 ? "Client" : "Context", target: "", message: JSON.stringify({ Message: message, TypeName: typeName, StackTrace: null, InnerError: null }) }],
        innererror: { message: "Error executing cmdlet", type: "ODataServiceException" },
      },
    },
  };
}

// ------------------------------------------------------------------ identity (Entra v2 token endpoint)

/** The token endpoint's error body: {"error","error_description":"AADSTS...","error_codes",...}. */
export function identityError(status: number, error: string, aadsts: number, description: string, req: Pick<WireRequest, "requestId">, nowIso: string): WireResponse {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${req.requestId} Correlation ID: ${req.requestId} Timestamp: ${nowIso.replace("T", " ").replace(/\.\d{3}Z$/, "Z")}`,
      error_codes: [aadsts],
      timestamp: nowIso.replace("T", " ").replace(/\.\d{3}Z$/, "Z"),
      trace_id: req.requestId,
      correlation_id: req.requestId,
    },
  };
}
