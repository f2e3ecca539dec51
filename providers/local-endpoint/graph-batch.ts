/**
 * POST /v1.0/$batch (Graph JSON batching, microsoft-apis.md G13): up to 20
 * requests in one, each answered on its own. The batch is refused whole (400)
 * only when it cannot be run as written: not an object with `requests`, more
 * than 20, an id missing or repeated, a dependsOn naming no request, or a
 * dependency cycle. Otherwise it answers 200 and each item carries its own
 * status: throttled items 429 with their Retry-After, dependents of a failed
 * item 424.
 *
 * Items run one at a time, each after the items it depends on and otherwise in
 * the order given (Graph may run independent items in any order, so a client
 * cannot tell). Each item is admitted by the service's throttling on its own,
 * as Graph meters batch items, and goes through the same routes as a
 * top-level request (the dispatcher refuses an item that is a $batch itself).
 */
import { graphError, newRequestId, type Caller, type WireRequest, type WireResponse } from "./wire.js";
import type { EndpointContext, ReadView } from "./context.js";
import { failureResponse, GraphFailure, objectBody, ok } from "./graph-http.js";

/** Routes one item, answering failures in Graph's shape (never throws a Graph or tenant refusal). */
export type ItemDispatcher = (req: WireRequest, caller: Caller, view: ReadView, ctx: EndpointContext) => Promise<WireResponse>;

export const MAX_BATCH_ITEMS = 20;

interface BatchItem {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly dependsOn: readonly string[];
}

interface ItemResponse {
  readonly id: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

const invalidBatch = (message: string): GraphFailure => new GraphFailure(400, "BadRequest", message);

/** One entry of `requests`, or the 400 for the whole batch. */
function parseItem(raw: unknown, index: number): BatchItem {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalidBatch(`Invalid batch payload format: request ${index} is not an object.`);
  const item = raw as Record<string, unknown>;
  const { id, method, url, headers = {}, body, dependsOn = [] } = item;
  if (typeof id !== "string" || id.trim() === "") throw invalidBatch(`Invalid batch payload format: request ${index} has no id.`);
  if (typeof method !== "string" || method === "") throw invalidBatch(`Invalid batch payload format: request '${id}' has no method.`);
  if (typeof url !== "string" || url === "") throw invalidBatch(`Invalid batch payload format: request '${id}' has no url.`);
  if (typeof headers !== "object" || headers === null || Array.isArray(headers) || !Object.values(headers).every((v) => typeof v === "string")) {
    throw invalidBatch(`Invalid batch payload format: the headers of request '${id}' are not an object of strings.`);
  }
  if (!Array.isArray(dependsOn) || !dependsOn.every((d) => typeof d === "string")) {
    throw invalidBatch(`Invalid batch payload format: dependsOn of request '${id}' is not a list of request ids.`);
  }
  const lowerHeaders = Object.fromEntries(Object.entries(headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
  return { id, method: method.toUpperCase(), url, headers: lowerHeaders, body, dependsOn: dependsOn as string[] };
}

/** The items in the order they run: each after its dependencies, otherwise as given. Ids are case-insensitive (Graph). */
function runOrder(items: readonly BatchItem[]): BatchItem[] {
  const byId = new Map<string, BatchItem>();
  for (const item of items) {
    const key = item.id.toLowerCase();
    if (byId.has(key)) throw invalidBatch(`Batch request ids must be unique: '${item.id}' is used more than once.`);
    byId.set(key, item);
  }
  for (const item of items) {
    for (const dep of item.dependsOn) {
      if (!byId.has(dep.toLowerCase())) throw invalidBatch(`Request '${item.id}' depends on '${dep}', which is not a request of this batch.`);
    }
  }
  const ordered: BatchItem[] = [];
  const placed = new Set<string>();
  while (ordered.length < items.length) {
    const ready = items.find((i) => !placed.has(i.id.toLowerCase()) && i.dependsOn.every((d) => placed.has(d.toLowerCase())));
    if (ready === undefined) throw invalidBatch("The dependsOn of this batch form a cycle; no request could run first.");
    ordered.push(ready);
    placed.add(ready.id.toLowerCase());
  }
  return ordered;
}

/** The item as a request of its own: its url is relative to /v1.0 ("/users/x?$select=id" or "users/x"). */
function itemRequest(item: BatchItem): WireRequest {
  const relative = item.url.replace(/^\//, "");
  const q = relative.indexOf("?");
  const path = `/v1.0/${q < 0 ? relative : relative.slice(0, q)}`;
  return {
    method: item.method,
    path,
    query: new URLSearchParams(q < 0 ? "" : relative.slice(q + 1)),
    headers: item.headers,
    body: item.body,
    requestId: item.headers["client-request-id"] ?? newRequestId(),
  };
}

function itemFailure(item: BatchItem, req: WireRequest, ctx: EndpointContext, failure: GraphFailure): ItemResponse {
  return asItem(item, failureResponse(failure, req, ctx));
}

function asItem(item: BatchItem, res: WireResponse): ItemResponse {
  return { id: item.id, status: res.status, headers: { ...(res.headers ?? {}) }, ...(res.body !== undefined ? { body: res.body } : {}) };
}

/** POST /v1.0/$batch. `dispatch` routes one item (graph.ts), so items reach exactly the routes top-level requests do. */
export async function handleBatch(req: WireRequest, caller: Caller, view: ReadView, ctx: EndpointContext, dispatch: ItemDispatcher): Promise<WireResponse> {
  const requests = objectBody(req)["requests"];
  if (!Array.isArray(requests)) throw invalidBatch("Invalid batch payload format: a 'requests' array is required.");
  if (requests.length > MAX_BATCH_ITEMS) throw invalidBatch(`The batch has ${requests.length} requests; a batch may hold at most ${MAX_BATCH_ITEMS}.`);
  const items = requests.map(parseItem);
  const answered = new Map<string, ItemResponse>();
  for (const item of runOrder(items)) {
    answered.set(item.id.toLowerCase(), await runItem(item, answered, caller, view, ctx, dispatch));
  }
  return ok(req, { responses: items.map((i) => answered.get(i.id.toLowerCase())!) });
}

async function runItem(
  item: BatchItem,
  answered: ReadonlyMap<string, ItemResponse>,
  caller: Caller,
  view: ReadView,
  ctx: EndpointContext,
  dispatch: ItemDispatcher,
): Promise<ItemResponse> {
  const req = itemRequest(item);
  if (item.dependsOn.some((d) => answered.get(d.toLowerCase())!.status >= 400)) {
    return itemFailure(item, req, ctx, new GraphFailure(424, "FailedDependency", "Failed Dependency"));
  }
  const refused = ctx.admit("graph", req, caller, item.method !== "GET");
  if (refused !== null) return asItem(item, refused); // 429 with its own Retry-After, inside the 200
  try {
    return asItem(item, await dispatch(req, caller, view, ctx));
  } catch (e) {
    // a bug in one route must not take the other items' answers with it
    const message = e instanceof Error ? e.message : String(e);
    return asItem(item, graphError(500, "generalException", message, req, new Date(ctx.nowMs()).toISOString()));
  }
}
