/**
 * The Exchange Online admin API of the local endpoint: the undocumented
 * InvokeCommand surface exoform's Microsoft provider calls
 * (../shared/docs/microsoft-apis.md §3, §7), over the simulated tenant.
 *
 *   POST /adminapi/beta/{tenant}/InvokeCommand[?$select=A,B]   {"CmdletInput":{"CmdletName","Parameters"}}
 *   GET  <@odata.nextLink>, or POST of the same body to it       the next page
 *   POST /adminapi/beta/{tenant}/$batch                          {"requests":[{id,method,url,headers,body}]}
 *
 * {tenant} is the tenant id or one of its accepted domains (else 404). The
 * server has verified the token and admitted the top-level request; this
 * module checks, in the service's order: the route, X-AnchorMailbox (404
 * without it, as observed), the app's permission and directory role (403
 * without a body, as observed), then the cmdlet (exchange-cmdlets.ts).
 *
 * Answers
 * - objects: 200 {"@odata.context","value":[...],"@odata.nextLink"?,"@adminapi.warnings"?}
 * - a write that succeeded: 200 with an EMPTY body (no JSON at all), except
 *   New-Mailbox (the new mailbox in value) and a Set-Mailbox that changed
 *   nothing ({"value":[],"@adminapi.warnings":[...]}).
 * - errors: exchange-errors.ts.
 *
 * Paging: `Prefer: odata.maxpagesize=N` (default 1000; Preference-Applied is
 * echoed); -ResultSize caps the total (default 1000, "Unlimited"). The
 * nextLink is an absolute URL under ctx.origin on the same path with an
 * opaque $skiptoken that carries the cmdlet input, $select, the page size
 * and the key of the last row sent: a GET on it needs no body, and a re-POST
 * must send the same CmdletInput (else 400). Rows continue after that key,
 * so a write between pages neither repeats nor skips the rows around it.
 *
 * $batch: at most 20 items (Graph's limit; the service's own is unknown, CIPP
 * sends 10), each InvokeCommand (POST, or GET of a nextLink), url absolute
 * or relative, run one after another in order. Each item is admitted through
 * ctx.admit (a refusal is that item's answer, e.g. 429), inherits the batch's
 * X-AnchorMailbox when it has none, and carries its own @odata.nextLink.
 */
import { canonicalJson, compareStrings } from "../../lib/private/canonical-json.js";
import { ProviderError } from "../../lib/provider/errors.js";
import type { EndpointContext, ReadView, ServiceHandler } from "./context.js";
import { cmdletNamed, type CmdletOutcome, type Row } from "./exchange-cmdlets.js";
import { ExchangeRefusal, badRequest, commandNotFound, providerErrorResponse } from "./exchange-errors.js";
import { Lookup, bindParameters } from "./exchange-lookup.js";
import { parseSelect, project } from "./exchange-objects.js";
import { EXCHANGE_READ_ROLES, EXCHANGE_WRITE_ROLES, PERMISSION } from "./permissions.js";
import type { Caller, WireRequest, WireResponse } from "./wire.js";

/** Items per $batch (Graph's documented limit; the Exchange one is not documented). */
export const MAX_BATCH_ITEMS = 20;
/** Rows per page without a Prefer: odata.maxpagesize. */
export const DEFAULT_PAGE_SIZE = 1000;

interface CmdletInput {
  readonly CmdletName: string;
  readonly Parameters: Readonly<Record<string, unknown>>;
}

/** What a $skiptoken carries (base64url JSON; opaque to clients). */
interface PageToken {
  readonly input: CmdletInput;
  readonly select: string | null;
  readonly pageSize: number;
  /** The key of the last row sent. */
  readonly after: string;
  /** Rows sent so far (for -ResultSize). */
  readonly sent: number;
}

const ROUTE = /^\/adminapi\/beta\/([^/]+)\/(invokecommand|\$batch)$/i;

export const handleExchange: ServiceHandler = async (req, caller, view, ctx) => {
  try {
    return await route(req, caller, view, ctx, false);
  } catch (e) {
    if (e instanceof ExchangeRefusal) return e.response;
    throw e;
  }
};

async function route(req: WireRequest, caller: Caller, view: ReadView, ctx: EndpointContext, inBatch: boolean): Promise<WireResponse> {
  const match = ROUTE.exec(req.path);
  if (!match) return bodiless(404, `no Exchange admin API resource at ${req.path}; the local endpoint serves /adminapi/beta/{tenant}/InvokeCommand and /$batch`);
  const tenant = match[1]!.toLowerCase();
  if (tenant !== ctx.tenantId.toLowerCase() && !ctx.domains.includes(tenant)) {
    return bodiless(404, `'${match[1]}' is neither the tenant id nor one of its accepted domains`);
  }
  if (!req.headers["x-anchormailbox"]) return bodiless(404, "the X-AnchorMailbox header is missing (the service routes on it; use APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@<tenant> or UPN:<mailbox>)");
  if (!mayRun(caller, EXCHANGE_READ_ROLES)) {
    return bodiless(403, `the app needs the ${PERMISSION.exchangeManageAsApp} permission and an Exchange Administrator, Exchange Recipient Administrator or Global Reader role`);
  }
  if (match[2]!.toLowerCase() === "$batch") {
    if (inBatch) badRequest("A $batch item cannot be a $batch.");
    return batch(req, caller, view, ctx);
  }
  return invoke(req, caller, view, ctx);
}

/** The service's frontend refusals carry no body; the reason goes in a header for people reading traces. */
function bodiless(status: number, reason: string): WireResponse {
  return { status, headers: { "x-exoform-reason": reason } };
}

function mayRun(caller: Caller, roles: readonly string[]): boolean {
  return caller.roles.has(PERMISSION.exchangeManageAsApp) && roles.some((r) => caller.wids.has(r));
}

// ------------------------------------------------------------------ InvokeCommand

async function invoke(req: WireRequest, caller: Caller, view: ReadView, ctx: EndpointContext): Promise<WireResponse> {
  const token = pageToken(req);
  if (req.method !== "POST" && !(req.method === "GET" && token !== null)) {
    return { status: 405, headers: { Allow: "POST", "x-exoform-reason": "InvokeCommand takes a POST, or a GET on an @odata.nextLink" } };
  }
  const input = cmdletInputOf(req, token);
  const spec = cmdletNamed(input.CmdletName) ?? commandNotFound(input.CmdletName);
  if (spec.write && !mayRun(caller, EXCHANGE_WRITE_ROLES)) {
    return bodiless(403, `${spec.name} changes the tenant: the app needs an Exchange Administrator or Exchange Recipient Administrator role`);
  }
  const params = bindParameters(spec.name, spec.identity, spec.params, input.Parameters);
  let outcome: CmdletOutcome;
  try {
    outcome = await spec.run({ params, ctx, view, look: new Lookup(ctx.reads(view), ctx.tenant) });
  } catch (e) {
    if (ProviderError.is(e)) return providerErrorResponse(e);
    throw e;
  }
  if (outcome.rows === undefined) {
    return outcome.warnings ? { status: 200, body: envelope(req, ctx, [], outcome.warnings) } : { status: 200 };
  }
  const select = parseSelect(req.query.get("$select") ?? token?.select);
  const preferred = preferredPageSize(req);
  const pageSize = preferred ?? token?.pageSize ?? DEFAULT_PAGE_SIZE;
  const page = nextPage(outcome, token, pageSize);
  const body: Record<string, unknown> = envelope(req, ctx, page.rows.map((r) => project(r.object, select)), [...(outcome.warnings ?? []), ...page.warnings]);
  if (page.more) {
    const last = page.rows[page.rows.length - 1]!;
    const next: PageToken = { input, select: select?.join(",") ?? null, pageSize, after: last.key, sent: (token?.sent ?? 0) + page.rows.length };
    body["@odata.nextLink"] = `${ctx.origin}${req.path}?$skiptoken=${Buffer.from(JSON.stringify(next)).toString("base64url")}`;
  }
  return { status: 200, headers: preferred === undefined ? {} : { "Preference-Applied": `odata.maxpagesize=${preferred}` }, body };
}

function envelope(req: WireRequest, ctx: EndpointContext, value: readonly unknown[], warnings: readonly string[]): Record<string, unknown> {
  const base = req.path.slice(0, req.path.lastIndexOf("/"));
  const body: Record<string, unknown> = { "@odata.context": `${ctx.origin}${base}/$metadata#Collection(Exchange.GenericHashTable)`, value };
  if (warnings.length > 0) body["@adminapi.warnings"] = warnings;
  return body;
}

/** The $skiptoken of a nextLink, decoded; null when there is none; 400 when it is not one of ours. */
function pageToken(req: WireRequest): PageToken | null {
  const raw = req.query.get("$skiptoken");
  if (raw === null) return null;
  try {
    const t = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as PageToken;
    if (isCmdletInput(t.input) && typeof t.after === "string" && Number.isSafeInteger(t.sent) && Number.isSafeInteger(t.pageSize) && (t.select === null || typeof t.select === "string")) return t;
  } catch {
    // answered below
  }
  return badRequest("The $skiptoken is not valid: follow the @odata.nextLink exactly as it was returned.");
}

function isCmdletInput(x: unknown): x is CmdletInput {
  const i = x as Partial<CmdletInput> | null;
  return typeof i === "object" && i !== null && typeof i.CmdletName === "string" && i.CmdletName.trim() !== "" && typeof i.Parameters === "object" && i.Parameters !== null && !Array.isArray(i.Parameters);
}

/** The request's CmdletInput (Parameters defaulting to {}); on a nextLink, the token's, which a re-POST must repeat. */
function cmdletInputOf(req: WireRequest, token: PageToken | null): CmdletInput {
  if (req.body === undefined && token !== null) return token.input;
  const raw = (req.body as { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } } | null | undefined)?.CmdletInput;
  const input = raw && typeof raw === "object" ? { CmdletName: raw.CmdletName, Parameters: raw.Parameters ?? {} } : undefined;
  if (!isCmdletInput(input)) {
    badRequest('The request body must be {"CmdletInput":{"CmdletName":"<cmdlet>","Parameters":{...}}}.');
  }
  if (token !== null && canonicalJson(input) !== canonicalJson(token.input)) {
    badRequest("The body re-posted to an @odata.nextLink must carry the same CmdletInput as the request that returned the link.");
  }
  return input;
}

function preferredPageSize(req: WireRequest): number | undefined {
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(req.headers["prefer"] ?? "");
  const n = m ? Number(m[1]) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The rows of this page, whether more follow, and the -ResultSize warning when the cap cut the list. */
function nextPage(outcome: CmdletOutcome, token: PageToken | null, pageSize: number): { rows: Row[]; more: boolean; warnings: string[] } {
  const all = [...(outcome.rows ?? [])].sort((a, b) => compareStrings(a.key, b.key));
  const rest = token === null ? all : all.filter((r) => compareStrings(r.key, token.after) > 0);
  const cap = outcome.resultSize?.limit ?? Number.POSITIVE_INFINITY;
  const allowed = Math.max(0, cap - (token?.sent ?? 0));
  const rows = rest.slice(0, Math.min(pageSize, allowed));
  const more = rows.length < rest.length && rows.length < allowed;
  const cut = !more && rows.length < rest.length;
  const warnings = !cut
    ? []
    : outcome.resultSize?.explicit
      ? ["There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter."]
      : [`By default, only the first ${cap} items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify "-ResultSize Unlimited".`];
  return { rows, more, warnings };
}

// ------------------------------------------------------------------ $batch

interface BatchItem {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
}

async function batch(req: WireRequest, caller: Caller, view: ReadView, ctx: EndpointContext): Promise<WireResponse> {
  if (req.method !== "POST") return { status: 405, headers: { Allow: "POST" } };
  const items = (req.body as { requests?: unknown } | null | undefined)?.requests;
  if (!Array.isArray(items) || items.length === 0) badRequest('A $batch body is {"requests":[{"id","method","url","headers","body"}, ...]} with at least one request.');
  if (items.length > MAX_BATCH_ITEMS) badRequest(`The $batch has ${items.length} requests; at most ${MAX_BATCH_ITEMS} are allowed in one batch.`);
  const ids = new Set<string>();
  for (const item of items as BatchItem[]) {
    if (typeof item !== "object" || item === null || typeof item.id !== "string" || item.id === "") badRequest("Every $batch request needs a string id.");
    if (ids.has(item.id)) badRequest(`The $batch request id '${item.id}' is used more than once.`);
    ids.add(item.id);
  }
  const responses: Array<{ id: string; status: number; headers: Readonly<Record<string, string>>; body?: unknown }> = [];
  for (const item of items as BatchItem[]) {
    const answer = await batchItem(req, item, caller, view, ctx);
    responses.push({ id: item.id, status: answer.status, headers: answer.headers ?? {}, ...(answer.body === undefined ? {} : { body: answer.body }) });
  }
  return { status: 200, body: { responses } };
}

async function batchItem(outer: WireRequest, item: BatchItem, caller: Caller, view: ReadView, ctx: EndpointContext): Promise<WireResponse> {
  try {
    if (typeof item.url !== "string" || typeof item.method !== "string") badRequest(`$batch request '${item.id}' needs a method and a url.`);
    const url = itemUrl(item, ctx);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(item.headers ?? {})) if (typeof v === "string") headers[k.toLowerCase()] = v;
    const anchor = outer.headers["x-anchormailbox"];
    if (headers["x-anchormailbox"] === undefined && anchor !== undefined) headers["x-anchormailbox"] = anchor;
    const request: WireRequest = {
      method: item.method.toUpperCase(),
      path: url.path,
      query: url.query,
      headers,
      body: item.body,
      requestId: `${outer.requestId}/${item.id}`,
    };
    const refusal = ctx.admit("exchange", request, caller, isWrite(request));
    if (refusal !== null) return refusal;
    return await route(request, caller, view, ctx, true);
  } catch (e) {
    if (e instanceof ExchangeRefusal) return e.response;
    throw e;
  }
}

/** An item's url, absolute or relative to the endpoint, as a decoded path and its query. */
function itemUrl(item: BatchItem, ctx: EndpointContext): { path: string; query: URLSearchParams } {
  try {
    const url = new URL(item.url, ctx.origin);
    return { path: decodeURIComponent(url.pathname), query: url.searchParams };
  } catch {
    return badRequest(`$batch request '${item.id}' has a url that cannot be read: ${item.url}`);
  }
}

/** Whether a request runs a writing cmdlet (for throttling; unknown cmdlets count as reads). */
function isWrite(req: WireRequest): boolean {
  let name = (req.body as { CmdletInput?: { CmdletName?: unknown } } | null | undefined)?.CmdletInput?.CmdletName;
  if (name === undefined && req.query.has("$skiptoken")) {
    try {
      name = pageToken(req)?.input.CmdletName;
    } catch {
      name = undefined;
    }
  }
  return typeof name === "string" && (cmdletNamed(name)?.write ?? false);
}
