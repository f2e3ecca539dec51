/**
 * What every Graph route of the local endpoint shares: the call it is given,
 * its success and failure responses, the permission check, and the one place
 * where the simulated tenant's ProviderErrors become Graph's error bodies.
 *
 * Routes return a WireResponse or THROW: a GraphFailure for what the adapter
 * itself refuses (a bad query, a missing permission), a ProviderError for what
 * the tenant refuses. `failureResponse` turns either into Graph's shape, so no
 * route builds an error body by hand and the mapping cannot drift per route.
 */
import { ProviderError } from "../../lib/provider/errors.js";
import type { EndpointContext, ReadView, TenantReads } from "./context.js";
import { graphError, type Caller, type GraphErrorDetail, type WireRequest, type WireResponse } from "./wire.js";

/** One routed Graph call: the request, who made it, the matched path parameters, and the tenant as this request sees it. */
export interface GraphCall {
  readonly req: WireRequest;
  readonly caller: Caller;
  readonly view: ReadView;
  readonly ctx: EndpointContext;
  /** Path parameters by name (":id" in the route pattern), percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly reads: TenantReads;
}

/** A refusal the adapter makes itself, in Graph's terms. Thrown by routes, answered by failureResponse. */
export class GraphFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly GraphErrorDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "GraphFailure";
  }
}

/** 400 Request_BadRequest (Graph's directory code) unless another code is named. */
export function badRequest(message: string, code = "Request_BadRequest"): GraphFailure {
  return new GraphFailure(400, code, message);
}

/** Graph's 404 for a directory object that is not there (microsoft-apis.md G2). */
export function resourceNotFound(id: string): GraphFailure {
  return new GraphFailure(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

const DENIED = "Insufficient privileges to complete the operation.";

/**
 * 403 unless the caller holds one of `anyOf` (application permissions); with `roles`, it must
 * also hold one of those directory roles (wids), as password resets require.
 */
export function requirePermission(caller: Caller, anyOf: readonly string[], roles?: readonly string[]): void {
  const permitted = anyOf.some((p) => caller.roles.has(p));
  const inRole = roles === undefined || roles.some((r) => caller.wids.has(r));
  if (!permitted || !inRole) throw new GraphFailure(403, "Authorization_RequestDenied", DENIED);
}

/** The ids every Graph response carries; client-request-id echoes the client's (requestId is it when sent). */
function idHeaders(req: WireRequest): Record<string, string> {
  return { "request-id": req.requestId, "client-request-id": req.requestId };
}

/** A JSON success. */
export function ok(req: WireRequest, body: unknown, status = 200): WireResponse {
  return { status, headers: { ...idHeaders(req), "odata-version": "4.0" }, body };
}

/** 204 No Content, as PATCH answers. */
export function done(req: WireRequest): WireResponse {
  return { status: 204, headers: idHeaders(req) };
}

/** `@odata.context` of a response: under the endpoint's own origin, like nextLinks. */
export function odataContext(call: Pick<GraphCall, "ctx">, fragment: string): string {
  return `${call.ctx.origin}/v1.0/$metadata#${fragment}`;
}

/** notFound codes that name a missing licence rather than the addressed object: Graph answers those 400, not 404. */
const NOT_FOUND_AS_BAD_REQUEST = new Set(["LicenseNotAssigned", "SkuNotFound"]);

/**
 * The tenant's refusal in Graph's terms. The top-level code is Graph's own for the class of
 * failure; the tenant's code, message and target go into `details[0]`, which is where a client
 * tells CountViolation from InvalidUsageLocation from MutuallyExclusiveViolation.
 *
 * A UPN conflict on restore (tenant: conflict ObjectConflict) becomes 400 Request_BadRequest with
 * details code ObjectConflict: the shape Graph uses for "Another object with the same value for
 * property userPrincipalName already exists".
 */
export function providerFailure(e: ProviderError): GraphFailure {
  const details: GraphErrorDetail[] = [{ code: e.code, message: e.message, ...(e.target !== "" ? { target: e.target } : {}) }];
  switch (e.kind) {
    case "notFound":
      return NOT_FOUND_AS_BAD_REQUEST.has(e.code)
        ? new GraphFailure(400, "Request_BadRequest", e.message, details)
        : new GraphFailure(404, "Request_ResourceNotFound", e.message, details);
    case "precondition":
    case "conflict":
      return new GraphFailure(400, "Request_BadRequest", e.message, details);
    case "forbidden":
      return new GraphFailure(403, "Authorization_RequestDenied", e.message, details);
    case "throttled": {
      // Retry-After in seconds, fractional allowed (rules R7.6: "2.128")
      const seconds = Math.max(0, (e.retryAfterMs ?? 1000) / 1000);
      return new GraphFailure(429, "TooManyRequests", e.message, details, { "retry-after": String(seconds) });
    }
    case "transient":
      return new GraphFailure(503, "serviceNotAvailable", e.message, details);
  }
}

/**
 * A thrown GraphFailure or ProviderError as Graph's error response; `innerError.date` is the
 * tenant's clock. Anything else is a bug of the endpoint and is thrown on (the server answers 500).
 */
export function failureResponse(e: unknown, req: WireRequest, ctx: EndpointContext): WireResponse {
  const failure = ProviderError.is(e) ? providerFailure(e) : e instanceof GraphFailure ? e : null;
  if (failure === null) throw e;
  const nowIso = new Date(ctx.nowMs()).toISOString();
  return graphError(failure.status, failure.code, failure.message, req, nowIso, { ...failure.headers }, failure.details);
}

/** The body as a JSON object, or 400 (Graph: "Empty Payload. JSON content expected."). */
export function objectBody(req: WireRequest): Record<string, unknown> {
  const body = req.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("Empty Payload. JSON content expected.");
  return body as Record<string, unknown>;
}
