/**
 * Microsoft Graph v1.0 over the HTTP layer: requests, paging, JSON batching
 * and Graph's error body.
 *
 * - Paging follows `@odata.nextLink` as an opaque URL, only on Graph's own
 *   origin (the bearer token goes with it), refusing a link seen before and
 *   more than `maxPages` pages: a bulk read is complete or it fails.
 * - `$batch` sends at most 20 requests per call, keeps `dependsOn` chains in
 *   one call, re-sends items answered 429 after their own Retry-After (and
 *   the items that failed with 424 only because of them), and re-sends read
 *   items the answer left out. A write item left out is OutcomeUnknown.
 * - Errors: `{"error":{"code","message","details":[{"code","message"}]}}`.
 *   The specific code is details[0].code when present (the local endpoint
 *   puts the tenant's code there), else one read from the message for the
 *   codes the real service only states in words, else error.code.
 */
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
import type { TokenSource } from "./auth.js";
import { checkNextLink, kindOfStatus, pagingError, type CallContext, type HttpClient, type HttpResponse, type ServiceError } from "./http.js";
import { redact } from "./secrets.js";

export const GRAPH_BATCH_LIMIT = 20;

export type { CallContext };

export interface GraphBatchRequest {
  readonly id: string;
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Relative to the version root, e.g. "/users/ann@contoso.com?$select=id". */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly dependsOn?: readonly string[];
}

export interface GraphBatchResponse {
  readonly id: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; details?: Array<{ code?: unknown; message?: unknown }> };
}

/** The specific code Graph states only in words (the real service), by message. */
const MESSAGE_CODES: ReadonlyArray<readonly [RegExp, string]> = [
  [/does not have any available licenses|no free licenses/i, "CountViolation"],
  [/usage location/i, "InvalidUsageLocation"],
  [/mutually exclusive/i, "MutuallyExclusiveViolation"],
  [/on-premises mastered/i, "Request_BadRequest"],
  [/depend/i, "DependencyViolation"],
];

/** Graph's error body as code, message and (where the status does not say it) kind. */
export function parseGraphError(status: number, body: unknown, text = ""): ServiceError {
  const error = (body as GraphErrorBody | undefined)?.error;
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  const message = str(error?.message) || str(error?.details?.[0]?.message) || text.slice(0, 500) || `HTTP ${status}`;
  const detail = str(error?.details?.[0]?.code);
  const general = str(error?.code);
  const fromMessage = status === 400 ? MESSAGE_CODES.find(([re]) => re.test(message))?.[1] : undefined;
  const code = detail || fromMessage || general || `Http${status}`;
  let kind: ProviderErrorKind | undefined;
  if (status === 400 && (/conflicting object|already exists/i.test(message) || code === "ObjectConflict")) kind = "conflict";
  else if (status === 400 && code === "Request_ResourceNotFound") kind = "notFound";
  return kind === undefined ? { code, message } : { code, message, kind };
}

export interface GraphClientOptions {
  readonly maxPages?: number;
  /** Rounds of re-sending throttled or missing batch items; default 5. */
  readonly maxBatchRounds?: number;
}

export class GraphClient {
  private readonly maxPages: number;
  private readonly maxBatchRounds: number;

  constructor(
    private readonly http: HttpClient,
    private readonly tokens: TokenSource,
    /** Graph's origin, e.g. https://graph.microsoft.com. */
    private readonly origin: string,
    options: GraphClientOptions = {},
  ) {
    this.maxPages = options.maxPages ?? 10_000;
    this.maxBatchRounds = options.maxBatchRounds ?? 5;
  }

  /** One request to `path` (under /v1.0, or an absolute URL on Graph's origin); the parsed body. */
  async request<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, ctx: CallContext, body?: unknown, headers?: Record<string, string>): Promise<T | undefined> {
    const res = await this.send(method, this.url(path), ctx, body, headers);
    return res.json as T | undefined;
  }

  /** GET, or null on 404 (a point read of something that may not exist). */
  async getOrNull<T>(path: string, ctx: CallContext): Promise<T | null> {
    try {
      return (await this.request<T>("GET", path, ctx)) ?? null;
    } catch (e) {
      if (ProviderError.is(e) && e.kind === "notFound") return null;
      throw e;
    }
  }

  /** Every item of a collection, following @odata.nextLink. */
  async list<T>(path: string, ctx: CallContext, headers?: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let url: string | undefined = this.url(path);
    for (let page = 1; url !== undefined; page++) {
      if (page > this.maxPages) throw pagingError(ctx, "PageLimitExceeded", `${path} has more than ${this.maxPages} pages; exoform stopped reading rather than answer with part of it`, "precondition");
      seen.add(url);
      const body = (await this.send("GET", url, ctx, undefined, headers)).json as { value?: T[]; "@odata.nextLink"?: string } | undefined;
      items.push(...(body?.value ?? []));
      const next = body?.["@odata.nextLink"];
      if (next === undefined) break;
      url = checkNextLink(this.origin, next, seen, ctx, path);
    }
    return items;
  }

  /**
   * Run `requests` through $batch: chunks of at most 20, dependsOn chains kept together.
   * Resolves with one response per request id (429s retried, 424s of retried dependencies
   * re-sent); a request that cannot be kept with its dependencies in one chunk is refused.
   */
  async batch(requests: readonly GraphBatchRequest[], ctx: CallContext): Promise<Map<string, GraphBatchResponse>> {
    const out = new Map<string, GraphBatchResponse>();
    for (const chunk of chunkByDependencies(requests, GRAPH_BATCH_LIMIT, ctx)) await this.runChunk(chunk, ctx, out);
    return out;
  }

  /** A failed batch item as a ProviderError. */
  itemError(item: GraphBatchResponse, ctx: CallContext): ProviderError {
    const parsed = item.status === 424
      ? { code: "FailedDependency", message: "a request this one depends on failed" }
      : parseGraphError(item.status, item.body, typeof item.body === "string" ? item.body : "");
    return new ProviderError({ kind: parsed.kind ?? kindOfStatus(item.status), code: parsed.code, message: redact(parsed.message), operation: ctx.operation, target: ctx.target });
  }

  private async runChunk(chunk: readonly GraphBatchRequest[], ctx: CallContext, out: Map<string, GraphBatchResponse>): Promise<void> {
    const byId = new Map(chunk.map((r) => [r.id, r]));
    let pending = [...chunk];
    for (let round = 1; pending.length > 0; round++) {
      const pendingIds = new Set(pending.map((r) => r.id));
      // a dependency answered in an earlier round is no longer in this request
      const requests = pending.map((r) => {
        const dependsOn = (r.dependsOn ?? []).filter((d) => pendingIds.has(d));
        const { dependsOn: _drop, ...rest } = r;
        return dependsOn.length > 0 ? { ...rest, dependsOn } : rest;
      });
      const write = requests.some((r) => r.method !== "GET");
      const res = await this.send("POST", this.url("/v1.0/$batch"), ctx, { requests }, undefined, write);
      const answers = new Map<string, GraphBatchResponse>();
      for (const item of ((res.json as { responses?: GraphBatchResponse[] } | undefined)?.responses ?? [])) {
        if (item && typeof item.id === "string" && pendingIds.has(item.id)) answers.set(item.id, { ...item, headers: lowerKeys(item.headers ?? {}) });
      }
      const again: GraphBatchRequest[] = [];
      let wait = 0;
      const retrying = new Set<string>();
      for (const r of pending) {
        const a = answers.get(r.id);
        if (a?.status === 429) {
          this.http.count("graph", "throttled");
          retrying.add(r.id);
          wait = Math.max(wait, this.http.backoff(round, retryAfterOf(a)));
        } else if (a === undefined && r.method === "GET") {
          retrying.add(r.id); // no answer is no confirmation: a read is asked again
          wait = Math.max(wait, this.http.backoff(round, null));
        }
      }
      // a 424 caused by a dependency that is being retried is retried with it
      for (const r of pending) {
        if (answers.get(r.id)?.status === 424 && (r.dependsOn ?? []).some((d) => retrying.has(d))) retrying.add(r.id);
      }
      for (const r of pending) {
        const a = answers.get(r.id);
        if (retrying.has(r.id) && round < this.maxBatchRounds) again.push(byId.get(r.id)!);
        else if (a !== undefined) out.set(r.id, a);
        else {
          out.set(r.id, {
            id: r.id,
            status: 0,
            headers: {},
            body: { error: { code: r.method === "GET" ? "NoAnswer" : "OutcomeUnknown", message: `the batch answer had no response for request ${r.id}; it is unconfirmed, not done` } },
          });
        }
      }
      if (again.length === 0) return;
      this.http.count("graph", "retries", again.length);
      await this.http.sleep(wait);
      pending = again;
    }
  }

  private async send(method: "GET" | "POST" | "PATCH" | "DELETE", url: string, ctx: CallContext, body?: unknown, headers?: Record<string, string>, write = method !== "GET"): Promise<HttpResponse> {
    return this.http.send({
      service: "graph",
      method,
      url,
      ...(headers ? { headers } : {}),
      ...(body !== undefined ? { body } : {}),
      token: () => this.tokens.token("graph"),
      write,
      operation: ctx.operation,
      target: ctx.target,
      parseError: (res) => parseGraphError(res.status, res.json, res.text),
    });
  }

  private url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.origin}${path}`;
  }

}


function retryAfterOf(item: GraphBatchResponse): number | null {
  const raw = item.headers["retry-after"];
  return raw !== undefined && /^\d+(\.\d+)?$/.test(raw.trim()) ? Math.ceil(Number(raw) * 1000) : null;
}

function lowerKeys(h: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** Requests grouped so that each dependsOn chain is in one chunk of at most `limit`, in order. */
export function chunkByDependencies(requests: readonly GraphBatchRequest[], limit: number, ctx: CallContext): GraphBatchRequest[][] {
  // union-find over dependsOn edges
  const parent = new Map(requests.map((r) => [r.id, r.id]));
  const find = (id: string): string => {
    let p = parent.get(id) ?? id;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
    return p;
  };
  for (const r of requests) {
    for (const d of r.dependsOn ?? []) {
      if (!parent.has(d)) throw pagingError(ctx, "InvalidBatch", `batch request ${r.id} depends on ${d}, which is not in the batch`, "precondition");
      parent.set(find(r.id), find(d));
    }
  }
  const groups = new Map<string, GraphBatchRequest[]>();
  for (const r of requests) {
    const root = find(r.id);
    const g = groups.get(root);
    if (g) g.push(r);
    else groups.set(root, [r]);
  }
  const chunks: GraphBatchRequest[][] = [];
  let current: GraphBatchRequest[] = [];
  for (const g of groups.values()) {
    if (g.length > limit) throw pagingError(ctx, "InvalidBatch", `${g.length} batch requests depend on each other; at most ${limit} fit in one $batch`, "precondition");
    if (current.length + g.length > limit) {
      chunks.push(current);
      current = [];
    }
    current.push(...g);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
