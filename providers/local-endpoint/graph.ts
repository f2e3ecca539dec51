/**
 * The local endpoint's Microsoft Graph v1.0: every request whose path starts
 * with /v1.0/, in Graph's wire shapes (microsoft-apis.md §2 G1-G13, §7
 * "Graph surface"; exchange-online-rules.md R7.x).
 *
 * A protocol adapter only: the routes read the tenant through ctx.reads(view),
 * write through ctx.write(view, keys, ...), and translate. Every service rule
 * stays in the simulated tenant; its refusals become Graph's error bodies in
 * one place (graph-http.ts). The server has verified the token and admitted
 * the request before it gets here; $batch items are admitted one by one.
 *
 * Layout: this file routes; graph-users.ts (users, PATCH, assignLicense,
 * mailboxSettings), graph-directory.ts (deleted users, subscribedSkus,
 * organization), graph-batch.ts ($batch), graph-query.ts ($select, $filter,
 * $top, $count, $skiptoken), graph-http.ts (responses, errors, permissions).
 */
import type { Caller, EndpointContext, ReadView, ServiceHandler, WireRequest, WireResponse } from "./context.js";
import { handleBatch } from "./graph-batch.js";
import { getDeletedItem, listDeletedUsers, listOrganization, listSubscribedSkus, restoreDeletedItem } from "./graph-directory.js";
import { badRequest, failureResponse, GraphFailure, type GraphCall } from "./graph-http.js";
import { listGroupMembers, listGroups } from "./graph-groups.js";
import { assignLicense, getMailboxSettings, getUser, getUserPurpose, listUsers, patchUser, revokeSignInSessions } from "./graph-users.js";

interface Route {
  readonly method: "GET" | "PATCH" | "POST";
  /** Path segments after /v1.0; ":name" matches any one segment and passes it as params[name]. Literals match case-insensitively, as Graph's do. */
  readonly pattern: readonly string[];
  readonly handle: (call: GraphCall) => Promise<WireResponse>;
}

const BATCH: Route = {
  method: "POST",
  pattern: ["$batch"],
  handle: (call) => handleBatch(call.req, call.caller, call.view, call.ctx, (req, caller, view, ctx) => dispatch(req, caller, view, ctx, false)),
};

/** Every route, literal paths before parameterised ones where both could match (deletedItems/microsoft.graph.user vs deletedItems/{id}). */
const ROUTES: readonly Route[] = [
  { method: "GET", pattern: ["users"], handle: listUsers },
  { method: "GET", pattern: ["users", ":id"], handle: getUser },
  { method: "PATCH", pattern: ["users", ":id"], handle: patchUser },
  { method: "POST", pattern: ["users", ":id", "assignLicense"], handle: assignLicense },
  { method: "POST", pattern: ["users", ":id", "revokeSignInSessions"], handle: revokeSignInSessions },
  { method: "GET", pattern: ["users", ":id", "mailboxSettings"], handle: getMailboxSettings },
  { method: "GET", pattern: ["users", ":id", "mailboxSettings", "userPurpose"], handle: getUserPurpose },
  { method: "GET", pattern: ["groups"], handle: listGroups },
  { method: "GET", pattern: ["groups", ":id", "members"], handle: listGroupMembers },
  { method: "GET", pattern: ["subscribedSkus"], handle: listSubscribedSkus },
  { method: "GET", pattern: ["organization"], handle: listOrganization },
  { method: "GET", pattern: ["directory", "deletedItems", "microsoft.graph.user"], handle: listDeletedUsers },
  { method: "GET", pattern: ["directory", "deletedItems", ":id"], handle: getDeletedItem },
  { method: "POST", pattern: ["directory", "deletedItems", ":id", "restore"], handle: restoreDeletedItem },
  BATCH,
];

/** The path's segments after /v1.0, percent-decoded (the router's job, wire.ts). */
function segmentsOf(path: string): string[] {
  const rest = path.replace(/^\/v1\.0(\/|$)/i, "");
  try {
    return rest.split("/").filter((s) => s !== "").map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest(`The path '${path}' is not valid percent-encoding.`, "BadRequest");
  }
}

/** How many leading segments the pattern accepts. */
function matchedPrefix(pattern: readonly string[], segments: readonly string[]): number {
  let n = 0;
  while (n < pattern.length && n < segments.length && (pattern[n]!.startsWith(":") || pattern[n]!.toLowerCase() === segments[n]!.toLowerCase())) n++;
  return n;
}

function paramsOf(pattern: readonly string[], segments: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  pattern.forEach((p, i) => {
    if (p.startsWith(":")) params[p.slice(1)] = segments[i]!;
  });
  return params;
}

/**
 * The route for the request and its params. A path no route knows is Graph's 400 "Resource not
 * found for the segment" naming the first segment no route accepts; a known path with another
 * method is 405 with Allow.
 */
function resolve(req: WireRequest): { route: Route; params: Record<string, string> } {
  const segments = segmentsOf(req.path);
  const paths = ROUTES.filter((r) => r.pattern.length === segments.length && matchedPrefix(r.pattern, segments) === segments.length);
  if (paths.length === 0) {
    const deepest = Math.max(0, ...ROUTES.map((r) => matchedPrefix(r.pattern, segments)));
    const segment = segments[deepest] ?? segments[segments.length - 1] ?? "v1.0";
    throw badRequest(`Resource not found for the segment '${segment}'.`, "BadRequest");
  }
  const route = paths.find((r) => r.method === req.method.toUpperCase());
  if (route === undefined) {
    const allow = [...new Set(paths.map((r) => r.method))].join(", ");
    throw new GraphFailure(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.", [], { allow });
  }
  return { route, params: paramsOf(route.pattern, segments) };
}

/** Route one request (top-level, or a $batch item) and answer every refusal in Graph's shape. */
async function dispatch(req: WireRequest, caller: Caller, view: ReadView, ctx: EndpointContext, topLevel: boolean): Promise<WireResponse> {
  try {
    const { route, params } = resolve(req);
    if (route === BATCH && !topLevel) throw badRequest("A batch request cannot contain another $batch request.", "BadRequest");
    return await route.handle({ req, caller, view, ctx, params, reads: ctx.reads(view) });
  } catch (e) {
    return failureResponse(e, req, ctx);
  }
}

/** Serves /v1.0/...: the token is verified and the request admitted by the server already. */
export const handleGraph: ServiceHandler = (req, caller, view, ctx) => dispatch(req, caller, view, ctx, true);
