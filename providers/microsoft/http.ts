/**
 * The one HTTP layer under Graph and Exchange: Node's fetch, a timeout per
 * request, a client-request-id, bearer tokens, manual redirects, retries on
 * the provider's clock, and every failure turned into a ProviderError.
 *
 * Retries
 * - A READ is retried on 429, 503, 504, other 5xx, timeouts and connection
 *   failures, honouring Retry-After (seconds, fractional, or an HTTP date),
 *   else exponential backoff with jitter, capped; at most `maxRetries` times.
 *   A read paced on its service's budget (`pacing`, Exchange: pacing.ts)
 *   waits for its turn before every attempt, and after a throttled answer
 *   for its Retry-After there, so that waits are shared, never stacked.
 * - A WRITE is not idempotent (lib/provider/provider.ts). It is retried only
 *   when the service refused it before running it: 429 (throttled), 503 with
 *   Retry-After, a connection that was never made. Any other failure after
 *   it was sent (timeout, reset, lost response, 5xx) is a "transient"
 *   ProviderError with code OutcomeUnknown: the caller reads to settle it
 *   (lib/apply does), never this layer.
 *
 * Redirects are followed once, to the same site only (the frontend may send
 * a request to a regional host), with the token re-attached; fetch itself
 * would drop the Authorization header on a cross-origin redirect.
 */
import { randomUUID } from "node:crypto";
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
import type { BudgetPacer } from "./pacing.js";
import { redact } from "./secrets.js";

export type Service = "graph" | "exchange" | "identity";

export interface ServiceCost {
  /** HTTP requests sent (every attempt, every page). */
  readonly requests: number;
  /** Responses that said "slow down" (429, or Exchange's concurrency message), batch items included. */
  readonly throttled: number;
  /** Requests (or batch items) sent again after a throttled or failed attempt. */
  readonly retries: number;
}

export type Cost = Readonly<Record<Service, ServiceCost>>;

/** What a service's error body says, parsed by that service's client. */
export interface ServiceError {
  readonly code: string;
  readonly message: string;
  /** Overrides the kind the HTTP status implies (an Exchange 400 that is really "not found"). */
  readonly kind?: ProviderErrorKind;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  readonly json: unknown;
}

export interface HttpRequest {
  readonly service: "graph" | "exchange";
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly token: () => Promise<string>;
  /** The call changes the tenant: never re-sent once it may have run. */
  readonly write: boolean;
  /** Contract operation and object, for errors. */
  readonly operation: string;
  readonly target: string;
  readonly parseError: (res: HttpResponse) => ServiceError;
  /** A response, whatever its status, that is really a throttling refusal (Exchange's concurrency text). */
  readonly isThrottle?: (res: HttpResponse) => boolean;
  readonly timeoutMs?: number;
  /**
   * A read paced on the service's budget (pacing.ts): every attempt waits for its turn (and a
   * throttled one for its Retry-After there), and its answer is learned from before the next goes.
   */
  readonly pacing?: { readonly pacer: BudgetPacer; readonly cost: number };
}

export interface HttpOptions {
  /** The provider's clock: every wait goes through it. */
  readonly sleep: (ms: number) => Promise<void>;
  /** The same clock's time in ms (pacing on a budget the service states in its time); default Date.now. */
  readonly now?: () => Promise<number>;
  readonly fetch?: typeof fetch;
  /** In [0, 1): backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /** Per attempt; default 100 s. */
  readonly timeoutMs?: number;
  /** Retries of one request; default 5. */
  readonly maxRetries?: number;
  /** First backoff step without Retry-After; default 1 s, doubled per retry. */
  readonly baseBackoffMs?: number;
  /** Longest backoff without Retry-After, and longest Retry-After honoured; default 60 s. */
  readonly maxBackoffMs?: number;
  readonly newRequestId?: () => string;
  /** What the app lacks for `operation` on `service`: appended to forbidden errors. */
  readonly explainForbidden?: (service: "graph" | "exchange", operation: string) => Promise<string>;
}

const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH"]);
const MAX_RETRY_AFTER_MS = 10 * 60_000;

type Counters = Record<Service, { requests: number; throttled: number; retries: number }>;

export class HttpClient {
  private readonly counters: Counters = {
    graph: { requests: 0, throttled: 0, retries: 0 },
    exchange: { requests: 0, throttled: 0, retries: 0 },
    identity: { requests: 0, throttled: 0, retries: 0 },
  };
  private readonly fetch: typeof fetch;
  private readonly random: () => number;
  readonly maxRetries: number;

  constructor(private readonly options: HttpOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.random = options.random ?? Math.random;
    this.maxRetries = options.maxRetries ?? 5;
  }

  cost(): Cost {
    const copy = (s: Service): ServiceCost => ({ ...this.counters[s] });
    return { graph: copy("graph"), exchange: copy("exchange"), identity: copy("identity") };
  }

  count(service: Service, what: keyof ServiceCost, n = 1): void {
    this.counters[service][what] += n;
  }

  sleep(ms: number): Promise<void> {
    return this.options.sleep(ms);
  }

  now(): Promise<number> {
    return this.options.now ? this.options.now() : Promise.resolve(Date.now());
  }

  /** The wait before retry number `retry` (1-based): Retry-After when given, else exponential with jitter. */
  backoff(retry: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return retryAfterMs;
    const max = this.options.maxBackoffMs ?? 60_000;
    const exp = Math.min(max, (this.options.baseBackoffMs ?? 1000) * 2 ** Math.min(retry - 1, 20));
    return Math.round(exp / 2 + this.random() * (exp / 2));
  }

  /** Send `req`, retrying what may be retried; resolves with a 2xx response or rejects with a ProviderError. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const requestId = (this.options.newRequestId ?? randomUUID)();
    const fail = (kind: ProviderErrorKind, code: string, message: string, retryAfterMs?: number): ProviderError =>
      new ProviderError({ kind, code, message: redact(message), operation: req.operation, target: req.target, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    // a paced read waits for its turn, and after a throttled answer for its Retry-After, in the pacer
    const pacing = req.pacing;
    let pacedWait = 0;
    for (let attempt = 1; ; attempt++) {
      const canRetry = attempt <= this.maxRetries;
      const release = pacing ? await pacing.pacer.acquire(pacing.cost, pacedWait) : null;
      pacedWait = 0;
      let res: HttpResponse;
      try {
        res = await this.attempt(req, requestId);
      } catch (e) {
        release?.();
        if (ProviderError.is(e)) throw new ProviderError({ kind: e.kind, code: e.code, message: e.message, operation: req.operation, target: req.target, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) });
        const failure = networkFailure(e);
        if (req.write && !failure.notSent) {
          throw fail("transient", "OutcomeUnknown", `${req.method} ${describe(req)} ${failure.what} after it was sent, so whether the service made the change is unknown; read the object before trying again (client-request-id ${requestId})`);
        }
        if (!canRetry) throw fail("transient", failure.code, `${req.method} ${describe(req)} ${failure.what} (${attempt} attempts)`);
        await this.retry(req.service, this.backoff(attempt, null));
        continue;
      }
      const throttle = res.status === 429 || (req.isThrottle?.(res) ?? false);
      if (pacing && release) {
        const headers = res.headers;
        try {
          await pacing.pacer.learn((name) => headers.get(name), throttle);
        } finally {
          release();
        }
      }
      if (res.status >= 200 && res.status < 300 && !throttle) return res;

      const parsed = req.parseError(res);
      const retryAfter = retryAfterMs(res.headers, this.options.maxBackoffMs ?? 60_000);
      if (throttle) {
        this.count(req.service, "throttled");
        const wait = this.backoff(attempt, retryAfter);
        if (!canRetry) throw fail("throttled", parsed.code || "TooManyRequests", parsed.message, wait);
        if (pacing) {
          this.count(req.service, "retries");
          pacedWait = wait;
        } else await this.retry(req.service, wait);
        continue;
      }
      if (res.status >= 500) {
        // a 503 with Retry-After is the service declining the request before running it
        const refusedBeforeRun = res.status === 503 && retryAfter !== null;
        if (req.write && !refusedBeforeRun) {
          throw fail("transient", "OutcomeUnknown", `${req.method} ${describe(req)} failed with ${res.status} (${parsed.code}: ${parsed.message}) after it was sent, so whether the service made the change is unknown; read the object before trying again (client-request-id ${requestId})`);
        }
        if (!canRetry) throw fail("transient", parsed.code, parsed.message, retryAfter ?? undefined);
        await this.retry(req.service, this.backoff(attempt, retryAfter));
        continue;
      }
      const kind = parsed.kind ?? kindOfStatus(res.status);
      if (kind === "forbidden" && this.options.explainForbidden) {
        const why = await this.options.explainForbidden(req.service, req.operation).catch(() => "");
        throw fail(kind, parsed.code, why ? `${parsed.message} (${why})` : parsed.message);
      }
      throw fail(kind, parsed.code, parsed.message);
    }
  }

  private async retry(service: Service, waitMs: number): Promise<void> {
    this.count(service, "retries");
    await this.sleep(waitMs);
  }

  /** One request (plus one same-site redirect); rejects with a network error or a ProviderError for a bad redirect. */
  private async attempt(req: HttpRequest, requestId: string): Promise<HttpResponse> {
    let url = req.url;
    for (let hop = 0; ; hop++) {
      const token = await req.token();
      const headers: Record<string, string> = {
        accept: "application/json",
        "client-request-id": requestId,
        "return-client-request-id": "true",
        ...(req.headers ?? {}),
        authorization: `Bearer ${token}`,
      };
      if (req.body !== undefined) headers["content-type"] = "application/json";
      this.count(req.service, "requests");
      const response = await this.fetch(url, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        redirect: "manual",
        signal: AbortSignal.timeout(req.timeoutMs ?? this.options.timeoutMs ?? 100_000),
      });
      const location = response.headers.get("location");
      if ([301, 302, 307, 308].includes(response.status) && location !== null) {
        await response.body?.cancel().catch(() => undefined);
        const next = new URL(location, url);
        if (hop > 0 || !sameSite(new URL(url), next)) {
          throw new ProviderError({
            kind: "transient",
            code: "UnexpectedRedirect",
            message: `${describe(req)} was redirected ${hop > 0 ? "more than once" : `to another site (${next.origin})`}; exoform follows one redirect within the service's own site only`,
            operation: req.operation,
            target: req.target,
          });
        }
        url = next.toString();
        continue;
      }
      const text = await response.text();
      let json: unknown;
      if (text.length > 0) {
        try {
          json = JSON.parse(text) as unknown;
        } catch {
          json = undefined;
        }
      }
      return { status: response.status, headers: response.headers, text, json };
    }
  }
}

/** The kind an HTTP status implies. */
export function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 429) return "throttled";
  if (status === 401 || status === 403) return "forbidden";
  if (status === 404 || status === 410) return "notFound";
  if (status === 409 || status === 412) return "conflict";
  if (status >= 500) return "transient";
  return "precondition";
}

/** Retry-After in ms: seconds (fractional allowed) or an HTTP date (against the response's Date); null when absent or unreadable. */
export function retryAfterMs(headers: Headers, cap = MAX_RETRY_AFTER_MS): number | null {
  const raw = headers.get("retry-after")?.trim();
  if (!raw) return null;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(raw)) ms = Number(raw) * 1000;
  else {
    const at = Date.parse(raw);
    if (Number.isNaN(at)) return null;
    const date = Date.parse(headers.get("date") ?? "");
    ms = at - (Number.isNaN(date) ? Date.now() : date);
  }
  return Math.min(Math.max(0, Math.ceil(ms)), Math.max(cap, MAX_RETRY_AFTER_MS));
}

/** Same scheme, and the same host or hosts sharing their last two labels (outlook.office365.com -> x.outlook.office365.com). */
function sameSite(from: URL, to: URL): boolean {
  if (from.protocol !== to.protocol) return false;
  if (from.host === to.host) return true;
  const site = (h: string) => (/^[\d.]+$|:/.test(h) ? h : h.split(".").slice(-2).join("."));
  return site(from.hostname) === site(to.hostname) && !/^[\d.]+$/.test(from.hostname);
}

function describe(req: HttpRequest): string {
  const url = new URL(req.url);
  return `${req.service === "graph" ? "Graph" : "Exchange"} ${url.pathname}`;
}

function networkFailure(e: unknown): { code: string; what: string; notSent: boolean } {
  const err = e as { name?: string; message?: string; cause?: { code?: string; name?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError" || err.cause?.name === "TimeoutError") {
    return { code: "Timeout", what: "timed out", notSent: false };
  }
  const code = err.cause?.code ?? "NetworkError";
  return { code, what: `failed on the network (${code})`, notSent: NOT_SENT_CODES.has(code) };
}

/** Contract operation and object, for errors. */
export interface CallContext {
  readonly operation: string;
  readonly target: string;
}

/** A listing or batch that cannot be completed; transient unless retrying cannot help. */
export function pagingError(ctx: CallContext, code: string, message: string, kind: ProviderErrorKind = "transient"): ProviderError {
  return new ProviderError({ kind, code, message, operation: ctx.operation, target: ctx.target });
}

/**
 * The next page's URL, when it may be followed: a URL on the service's own origin (the bearer
 * token goes with it) that this listing has not fetched before (else it would never end).
 */
export function checkNextLink(origin: string, next: string, seen: ReadonlySet<string>, ctx: CallContext, what: string): string {
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    throw pagingError(ctx, "InvalidNextLink", `${what} answered a nextLink that is not a URL`);
  }
  if (url.origin !== new URL(origin).origin) throw pagingError(ctx, "InvalidNextLink", `${what} answered a nextLink to another origin (${url.origin}); exoform sends its token to ${origin} only`);
  if (seen.has(url.toString())) throw pagingError(ctx, "RepeatedNextLink", `${what} answered a nextLink it had answered before; the listing would never end`);
  return url.toString();
}
