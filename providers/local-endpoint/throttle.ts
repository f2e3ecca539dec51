/**
 * Throttling of the local endpoint, as the services throttle (rules R7.6 and
 * R8, microsoft-apis.md §5 and §7): pure bookkeeping on the TENANT clock, so
 * tests advance a virtual clock instead of sleeping. Settings are read on
 * every call (`exoform tenant faults set` changes them live).
 *
 * Graph (identity and access, per app and tenant): two token buckets, both
 * full at first and refilled continuously (capacity / window per ms):
 * - resource units, `graphResourceUnitsPer10s` per 10 s, or by tenant size when null
 *   (fewer than 50 users 3,500; 50 to 500 users 5,000; more than 500 users 8,000);
 * - writes, `graphWritesPer150s` per 150 s.
 * A call costs resource units (GET /users 2, GET /subscribedSkus 3, any other call 1;
 * $select -1, $expand +1, $top below 20 -1; at least 1) and, when it writes, 1 write.
 * A call is admitted only when every bucket it draws on holds its cost, and then
 * pays all of it; a refused call takes nothing. A call costing more than a bucket
 * holds waits for the bucket to be full and then empties it. The $batch envelope
 * costs nothing: its items are admitted one by one.
 *
 * Exchange (per tenant): a cmdlet bucket (`exchangeCmdletsPer5s` per 5 s), a
 * writing-cmdlet bucket (`exchangeWritesPer60s` per 60 s), each call costing 1 of
 * each it draws on, and at most `exchangeConcurrency` top-level requests in flight.
 *
 * `wireThrottling: false` turns everything off: every call is admitted, nothing is
 * charged, no throttling headers are sent (requests in flight are still counted, so
 * turning it back on mid-flight counts them right).
 */
import type { FaultSettings } from "../simulated/index.js";
import { exchangeError, graphError, type Caller, type WireRequest, type WireResponse } from "./wire.js";

export interface ThrottleDeps {
  readonly settings: () => FaultSettings;
  readonly nowMs: () => number;
  /** Users in the tenant (live and soft-deleted): sizes Graph's resource-unit bucket when its setting is null. */
  readonly tenantUserCount: () => number;
  readonly tenantId: string;
}

/** The documented resource-unit budgets per 10 s by tenant size (R7.6). */
export const GRAPH_RU_BY_SIZE = { small: 3_500, medium: 5_000, large: 8_000 } as const;
const GRAPH_RU_WINDOW_MS = 10_000;
const GRAPH_WRITES_WINDOW_MS = 150_000;
const EXCHANGE_CMDLETS_WINDOW_MS = 5_000;
const EXCHANGE_WRITES_WINDOW_MS = 60_000;
/** Above this share of a limit used, Graph sends x-ms-throttle-limit-percentage. */
const LIMIT_WARNING_SHARE = 0.8;
/** Floating-point slack when comparing token levels: a wait of exactly Retry-After must admit. */
const EPSILON = 1e-9;

export const EXCHANGE_THROTTLED_TYPE = "Microsoft.Exchange.Diagnostics.TooManyRequestsException";
export const EXCHANGE_CONCURRENCY_MESSAGE = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again.";

interface Limit {
  readonly capacity: number;
  readonly windowMs: number;
}

/** A token bucket refilled continuously on the tenant clock; full until first used. */
class TokenBucket {
  private tokens: number | null = null;
  private at = 0;

  /** The tokens now (refilled since the last look; a lowered capacity takes effect at once). */
  level(limit: Limit, nowMs: number): number {
    const capacity = capacityOf(limit);
    const refilled = this.tokens === null ? capacity : this.tokens + Math.max(0, nowMs - this.at) * (capacity / limit.windowMs);
    this.tokens = Math.min(capacity, refilled);
    this.at = nowMs;
    return this.tokens;
  }

  /** How long (ms) until the bucket holds `cost` (capped at its capacity); 0 when it does now. */
  waitMs(limit: Limit, cost: number, nowMs: number): number {
    const need = Math.min(cost, capacityOf(limit));
    const missing = need - this.level(limit, nowMs);
    return missing <= EPSILON ? 0 : missing / (capacityOf(limit) / limit.windowMs);
  }

  take(limit: Limit, cost: number): void {
    this.tokens = Math.max(0, (this.tokens ?? capacityOf(limit)) - Math.min(cost, capacityOf(limit)));
  }

  /** The share of the capacity in use now, 0..1. */
  used(limit: Limit, nowMs: number): number {
    return 1 - this.level(limit, nowMs) / capacityOf(limit);
  }
}

/** A bucket holds at least one token: a limit set to 0 would otherwise refuse forever. */
function capacityOf(limit: Limit): number {
  return Math.max(1, limit.capacity);
}

/** The Graph resource-unit cost of one call (R7.6 "Costs"). */
export function graphCost(req: Pick<WireRequest, "method" | "path" | "query">, write: boolean): number {
  let cost = 1;
  if (!write && req.method.toUpperCase() === "GET") {
    const path = graphResourcePath(req.path);
    if (path === "/users") cost = 2;
    else if (path === "/subscribedskus") cost = 3;
  }
  if (req.query.has("$select")) cost -= 1;
  if (req.query.has("$expand")) cost += 1;
  const top = req.query.get("$top");
  if (top !== null && /^\d+$/.test(top.trim()) && Number(top) < 20) cost -= 1;
  return Math.max(1, cost);
}

/** The path under the Graph version ("/v1.0/users/" and "users" both give "/users"), lower-case. */
function graphResourcePath(path: string): string {
  const rooted = `/${path.replace(/^\/+/, "")}`.toLowerCase();
  const unversioned = rooted.replace(/^\/(v1\.0|beta)(?=\/|$)/, "");
  return unversioned.replace(/\/+$/, "") || "/";
}

function isBatchEnvelope(req: Pick<WireRequest, "path">): boolean {
  return /\/\$batch\/?$/i.test(req.path);
}

/** Seconds as Graph sends them in Retry-After: fractional, rounded UP to the millisecond. */
function fractionalSeconds(ms: number): string {
  return String(Math.ceil(ms) / 1000);
}

interface GraphBuckets {
  readonly resourceUnits: TokenBucket;
  readonly writes: TokenBucket;
}

export class ServiceThrottles {
  private readonly graph = new Map<string, GraphBuckets>();
  private readonly exchangeCmdlets = new TokenBucket();
  private readonly exchangeWrites = new TokenBucket();
  private exchangeInFlight = 0;

  constructor(private readonly deps: ThrottleDeps) {}

  /** Admission of one Graph or Exchange call (top-level or batch item). null: go ahead (and the call is charged); otherwise the 429 to send. */
  admit(service: "graph" | "exchange", req: WireRequest, caller: Caller, write: boolean): WireResponse | null {
    const settings = this.deps.settings();
    if (!settings.wireThrottling || isBatchEnvelope(req)) return null;
    return service === "graph" ? this.admitGraph(settings, req, caller, write) : this.admitExchange(settings, write);
  }

  /** Headers to add to a successful response of that service (x-ms-resource-unit for Graph; Rate-Limit-Limit/Remaining/Reset for Exchange). */
  successHeaders(service: "graph" | "exchange", req: WireRequest, caller: Caller, write: boolean): Record<string, string> {
    const settings = this.deps.settings();
    if (!settings.wireThrottling || isBatchEnvelope(req)) return {};
    const now = this.deps.nowMs();
    if (service === "exchange") return this.rateLimitHeaders(settings, now);
    const limits = this.graphLimits(settings);
    const buckets = this.graphBuckets(caller.appId);
    const used = Math.max(buckets.resourceUnits.used(limits.resourceUnits, now), write ? buckets.writes.used(limits.writes, now) : 0);
    const headers: Record<string, string> = { "x-ms-resource-unit": String(graphCost(req, write)) };
    if (used > LIMIT_WARNING_SHARE) headers["x-ms-throttle-limit-percentage"] = used.toFixed(2);
    return headers;
  }

  /** Exchange concurrency: a top-level Exchange request enters before running and leaves after; the 429 to send when over exchangeConcurrency. */
  enterExchange(): { leave(): void } | WireResponse {
    const settings = this.deps.settings();
    if (settings.wireThrottling && this.exchangeInFlight >= Math.max(1, settings.exchangeConcurrency)) {
      return exchangeError(429, EXCHANGE_THROTTLED_TYPE, EXCHANGE_CONCURRENCY_MESSAGE, { "Retry-After": "1" });
    }
    this.exchangeInFlight += 1;
    let left = false;
    return {
      leave: () => {
        if (left) return;
        left = true;
        this.exchangeInFlight -= 1;
      },
    };
  }

  // ---------------------------------------------------------------- Graph

  private admitGraph(settings: FaultSettings, req: WireRequest, caller: Caller, write: boolean): WireResponse | null {
    const now = this.deps.nowMs();
    const limits = this.graphLimits(settings);
    const buckets = this.graphBuckets(caller.appId);
    const cost = graphCost(req, write);
    const unitsWait = buckets.resourceUnits.waitMs(limits.resourceUnits, cost, now);
    const writesWait = write ? buckets.writes.waitMs(limits.writes, 1, now) : 0;
    if (unitsWait === 0 && writesWait === 0) {
      buckets.resourceUnits.take(limits.resourceUnits, cost);
      if (write) buckets.writes.take(limits.writes, 1);
      return null;
    }
    const refused = graphError(429, "TooManyRequests", "Please retry again later.", req, new Date(now).toISOString(), {
      "Retry-After": fractionalSeconds(Math.max(unitsWait, writesWait)),
      "x-ms-throttle-scope": `Tenant_Application/${write ? "ReadWrite" : "Read"}/${caller.appId}/${this.deps.tenantId}`,
      "x-ms-throttle-information": writesWait >= unitsWait ? "WriteLimitExceeded" : "ResourceUnitLimitExceeded",
    });
    return withThrottledInnerError(refused);
  }

  private graphLimits(settings: FaultSettings): { resourceUnits: Limit; writes: Limit } {
    return {
      resourceUnits: { capacity: settings.graphResourceUnitsPer10s ?? this.resourceUnitsBySize(), windowMs: GRAPH_RU_WINDOW_MS },
      writes: { capacity: settings.graphWritesPer150s, windowMs: GRAPH_WRITES_WINDOW_MS },
    };
  }

  private resourceUnitsBySize(): number {
    const users = this.deps.tenantUserCount();
    return users < 50 ? GRAPH_RU_BY_SIZE.small : users <= 500 ? GRAPH_RU_BY_SIZE.medium : GRAPH_RU_BY_SIZE.large;
  }

  private graphBuckets(appId: string): GraphBuckets {
    let buckets = this.graph.get(appId);
    if (!buckets) {
      buckets = { resourceUnits: new TokenBucket(), writes: new TokenBucket() };
      this.graph.set(appId, buckets);
    }
    return buckets;
  }

  // ---------------------------------------------------------------- Exchange

  private admitExchange(settings: FaultSettings, write: boolean): WireResponse | null {
    const now = this.deps.nowMs();
    const limits = exchangeLimits(settings);
    const cmdletsWait = this.exchangeCmdlets.waitMs(limits.cmdlets, 1, now);
    const writesWait = write ? this.exchangeWrites.waitMs(limits.writes, 1, now) : 0;
    if (cmdletsWait === 0 && writesWait === 0) {
      this.exchangeCmdlets.take(limits.cmdlets, 1);
      if (write) this.exchangeWrites.take(limits.writes, 1);
      return null;
    }
    const waitMs = Math.max(cmdletsWait, writesWait);
    const [part, value] = writesWait >= cmdletsWait ? ["PowerShellMaxDestructiveCmdlets", limits.writes.capacity] : ["ExchangeMaxCmdlets", limits.cmdlets.capacity];
    const message = `This operation exceeds the throttling budget for policy part '${part}', policy value '${value}', Budget type: 'PowerShell'. Suggested backoff time ${Math.ceil(waitMs)} ms.`;
    return exchangeError(429, EXCHANGE_THROTTLED_TYPE, message, { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))), ...this.rateLimitHeaders(settings, now) });
  }

  /** Rate-Limit-Limit/Remaining/Reset of the cmdlet bucket; Reset: when it is full again (tenant time). */
  private rateLimitHeaders(settings: FaultSettings, now: number): Record<string, string> {
    const { cmdlets } = exchangeLimits(settings);
    const level = this.exchangeCmdlets.level(cmdlets, now);
    const capacity = capacityOf(cmdlets);
    const untilFull = (capacity - level) / (capacity / cmdlets.windowMs);
    return {
      "Rate-Limit-Limit": String(capacity),
      "Rate-Limit-Remaining": String(Math.floor(level + EPSILON)),
      "Rate-Limit-Reset": new Date(now + Math.ceil(untilFull)).toISOString(),
    };
  }
}

function exchangeLimits(settings: FaultSettings): { cmdlets: Limit; writes: Limit } {
  return {
    cmdlets: { capacity: settings.exchangeCmdletsPer5s, windowMs: EXCHANGE_CMDLETS_WINDOW_MS },
    writes: { capacity: settings.exchangeWritesPer60s, windowMs: EXCHANGE_WRITES_WINDOW_MS },
  };
}

/** Graph's 429 carries code, message and status in innerError too (microsoft-apis.md §5, "Graph, 429 handling"). */
function withThrottledInnerError(response: WireResponse): WireResponse {
  const body = response.body as { error: { innerError: Record<string, string> } & Record<string, unknown> };
  return {
    ...response,
    body: { error: { ...body.error, innerError: { code: "429", message: "Please retry after", status: "429", ...body.error.innerError } } },
  };
}
