/**
 * The Exchange Online admin API's InvokeCommand channel (the one the
 * ExchangeOnlineManagement module itself uses; undocumented, see
 * docs/decisions/0009): `POST {origin}/adminapi/beta/{tenant}/InvokeCommand`
 * with `{"CmdletInput":{"CmdletName","Parameters"}}`, its paging, its
 * `$batch`, and its error bodies.
 *
 * - X-AnchorMailbox routes the call: `UPN:<mailbox>` for a call about one
 *   mailbox, the organisation's system mailbox otherwise.
 * - Paging re-POSTs the same body to `@odata.nextLink` (as CIPP, ExoHelper and
 *   the module do), on the same origin only, refusing repeated links and
 *   more than `maxPages` pages.
 * - A Set-/Remove-/Add-/Enable-/Disable- cmdlet is never sent without a
 *   non-empty, wildcard-free Identity: for Exchange an absent Identity means
 *   every object.
 * - `$batch` carries up to `batchSize` reads (default 20; the service's limit
 *   is undocumented, CIPP sends 10: a batch refused with 400 is split into
 *   tens and the client keeps to ten), a few batches in flight for the whole
 *   client; results are matched to requests by id, never by "a row came
 *   back", and a request without an answer is asked again, never taken as done.
 * - Reads are paced on the tenant's cmdlet budget once the service has
 *   throttled one and stated its budget (pacing.ts): each $batch item and each
 *   page is one cmdlet.
 */
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
import type { TokenSource } from "./auth.js";
import { checkNextLink, kindOfStatus, pagingError, type CallContext, type HttpClient, type HttpResponse, type ServiceError } from "./http.js";
import { BudgetPacer } from "./pacing.js";
import { redact } from "./secrets.js";

/** The organisation's system mailbox: the anchor for calls not about one mailbox. */
export const ORGANIZATION_ANCHOR_GUID = "bb558c35-97f1-4cb9-8ff7-d53741dc928c";
/**
 * Cmdlets per Exchange $batch by default. Microsoft documents no limit for this $batch; Graph's is
 * 20, the local endpoint takes 20, CIPP sends 10. Unconfirmed against the service: a $batch it
 * refuses with 400 is sent again as batches of EXCHANGE_BATCH_FALLBACK (docs/decisions/0009).
 */
export const EXCHANGE_BATCH_LIMIT = 20;
/** What CIPP sends, and what the client keeps to once a larger $batch was refused. */
export const EXCHANGE_BATCH_FALLBACK = 10;

export type ExoRow = Readonly<Record<string, unknown>>;

export interface Cmdlet {
  readonly name: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Properties to return ($select on the URL). */
  readonly select?: readonly string[];
  /** The mailbox the call is about (X-AnchorMailbox UPN:<mailbox>); org-wide when absent. */
  readonly mailbox?: string;
}

export interface CmdletResult {
  readonly rows: ExoRow[];
  /** `@adminapi.warnings`: what the cmdlet printed as WARNING (no-op writes, micro delays). */
  readonly warnings: string[];
}

export interface ExchangeClientOptions {
  readonly maxPages?: number;
  /** $batch requests in flight at once, all batch() calls of the client together; default 3 (the service's historical concurrency per app, R8.2). */
  readonly concurrency?: number;
  /** Cmdlets per $batch, 1 to 20; default EXCHANGE_BATCH_LIMIT (20). */
  readonly batchSize?: number;
  /** Rounds in a row in which no item of a batch was answered (all throttled or unanswered) before it fails; default 5. */
  readonly maxBatchRounds?: number;
}

const WRITE_VERBS = /^(Set|Remove|Add|Enable|Disable)-/;
const CONCURRENCY_TEXT = /maximum number of concurrent requests/i;

/** The time a "still being provisioned" refusal names (ms), null when it names none, undefined when it is another message. */
export function notReadyUntil(message: string): number | null | undefined {
  if (!/is still being provisioned/i.test(message)) return undefined;
  const at = /accepts changes from\s+(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)/i.exec(message)?.[1];
  const ms = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(ms) ? null : ms;
}

/** InvokeCommand's error body: code, message and kind (see the table in the module comment of providers/local-endpoint/exchange-errors.ts). */
export function parseExchangeError(status: number, body: unknown, text = ""): ServiceError {
  const error = (typeof body === "object" && body !== null ? (body as { error?: Record<string, unknown> }).error : undefined) ?? undefined;
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  let typeName = "";
  let message = "";
  const details = Array.isArray(error?.["details"]) ? (error["details"] as Array<Record<string, unknown>>) : [];
  for (const d of details) {
    const raw = str(d["message"]);
    if (raw === "") continue;
    try {
      const inner = JSON.parse(raw) as { Message?: unknown; TypeName?: unknown };
      message = str(inner.Message);
      typeName = str(inner.TypeName);
    } catch {
      const parts = raw.split("|");
      if (parts.length >= 3 && /\./.test(parts[1]!)) {
        typeName = parts[1]!.trim();
        message = parts.slice(2).join("|").trim();
      } else message = raw;
    }
    if (message !== "") break;
  }
  const internal = (error?.["innererror"] ?? error?.["innerError"]) as { internalException?: { message?: unknown } } | undefined;
  message ||= str(internal?.internalException?.message) || str(error?.["message"]) || text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 500) || `HTTP ${status}`;
  const typeCode = typeName.split(".").pop()?.replace(/Exception$/, "") ?? "";

  let kind: ProviderErrorKind = kindOfStatus(status);
  let code = typeCode || str(error?.["code"]) || `Http${status}`;
  if (CONCURRENCY_TEXT.test(message) || CONCURRENCY_TEXT.test(text)) kind = "throttled";
  else if (status === 404 || /NotFound/.test(typeName) || /doesn't exist on the object|couldn't be found/i.test(message)) kind = "notFound";
  else if (/AlreadyExists/.test(typeName) || /already (exists|being used|holds|present)|is already (a member|of the type|being used|present)/i.test(message)) kind = "conflict";
  else if (notReadyUntil(message) !== undefined) {
    kind = "precondition";
    code = "MailboxNotReady";
  } else if (status === 401 || status === 403) kind = "forbidden";
  else if (status === 400) kind = "precondition";
  return { code, message, kind };
}

export class ExchangeClient {
  private readonly maxPages: number;
  private readonly slots: Slots;
  private batchSize: number;
  private readonly maxBatchRounds: number;
  private readonly pacer: BudgetPacer;

  constructor(
    private readonly http: HttpClient,
    private readonly tokens: TokenSource,
    /** Exchange's origin, e.g. https://outlook.office365.com. */
    private readonly origin: string,
    /** AZURE_TENANT_ID as given (GUID or domain). */
    private readonly tenantId: string,
    options: ExchangeClientOptions = {},
  ) {
    this.maxPages = options.maxPages ?? 10_000;
    this.slots = new Slots(Math.max(1, options.concurrency ?? 3));
    this.batchSize = Math.min(EXCHANGE_BATCH_LIMIT, Math.max(1, Math.floor(options.batchSize ?? EXCHANGE_BATCH_LIMIT)));
    this.maxBatchRounds = options.maxBatchRounds ?? 5;
    this.pacer = new BudgetPacer({ now: () => http.now(), sleep: (ms) => http.sleep(ms) });
  }

  /** Run one cmdlet; a read follows every page. */
  async invoke(cmd: Cmdlet, ctx: CallContext): Promise<CmdletResult> {
    assertIdentity(cmd, ctx);
    const write = !cmd.name.startsWith("Get-");
    const first = readPage((await this.post(this.invokeUrl(cmd), cmd, ctx, write)).json);
    return write ? { rows: first.rows, warnings: first.warnings } : this.follow(cmd, first, ctx);
  }

  /**
   * Run read cmdlets through $batch, `batchSize` per batch and at most `concurrency` batches of the
   * client in flight. One result per cmdlet, in order: its rows, or the ProviderError it failed with.
   */
  async batch(cmds: readonly Cmdlet[], ctx: CallContext): Promise<Array<CmdletResult | ProviderError>> {
    for (const cmd of cmds) {
      if (!cmd.name.startsWith("Get-")) throw pagingError(ctx, "InvalidBatch", `${cmd.name} changes the tenant; exoform batches reads only`, "precondition");
    }
    const results: Array<CmdletResult | ProviderError> = new Array<CmdletResult | ProviderError>(cmds.length);
    const size = this.batchSize;
    const chunks: number[][] = [];
    for (let i = 0; i < cmds.length; i += size) chunks.push(cmds.slice(i, i + size).map((_, j) => i + j));
    let failed = false;
    await Promise.all(
      chunks.map((chunk) =>
        this.slots.run(async () => {
          if (failed) return; // the batch() call has already rejected
          await this.runChunk(chunk, cmds, ctx, results).catch((e: unknown) => {
            failed = true;
            throw e;
          });
        }),
      ),
    );
    return results;
  }

  private async runChunk(chunk: readonly number[], cmds: readonly Cmdlet[], ctx: CallContext, results: Array<CmdletResult | ProviderError>): Promise<void> {
    let pending = [...chunk];
    // rounds in a row without an answered item, and the wait before the next round (Retry-After)
    let stalled = 0;
    let wait = 0;
    while (pending.length > 0) {
      const requests = pending.map((i) => {
        const cmd = cmds[i]!;
        return {
          id: String(i),
          method: "POST",
          url: `/adminapi/beta/${encodeURIComponent(this.tenantId)}/InvokeCommand${selectQuery(cmd)}`,
          headers: { "Content-Type": "application/json", ...this.headers(cmd) },
          body: cmdletBody(cmd),
        };
      });
      // the batch's items are its cost in the budget; its turn ends once its answer is learned from
      const release = await this.pacer.acquire(requests.length, wait);
      let res: HttpResponse;
      try {
        res = await this.http.send({
          service: "exchange",
          method: "POST",
          url: `${this.origin}/adminapi/beta/${encodeURIComponent(this.tenantId)}/$batch`,
          headers: { "X-AnchorMailbox": this.orgAnchor() },
          body: { requests },
          token: () => this.tokens.token("exchange"),
          write: false,
          operation: ctx.operation,
          target: ctx.target,
          parseError: (r) => parseExchangeError(r.status, r.json, r.text),
          isThrottle: isThrottleResponse,
        });
      } catch (e) {
        release();
        if (pending.length > EXCHANGE_BATCH_FALLBACK && ProviderError.is(e) && e.kind === "precondition") {
          // the service refused the envelope: taken as too many items for it (its limit is not documented)
          this.batchSize = Math.min(this.batchSize, EXCHANGE_BATCH_FALLBACK);
          for (let i = 0; i < pending.length; i += EXCHANGE_BATCH_FALLBACK) await this.runChunk(pending.slice(i, i + EXCHANGE_BATCH_FALLBACK), cmds, ctx, results);
          return;
        }
        throw e;
      }
      const answers = new Map<string, { status: number; headers: Record<string, string>; body: unknown }>();
      for (const item of ((res.json as { responses?: Array<{ id?: unknown; status?: unknown; headers?: Record<string, string>; body?: unknown }> } | undefined)?.responses ?? [])) {
        if (typeof item.id !== "string" || typeof item.status !== "number") continue;
        let body = item.body;
        if (typeof body === "string") {
          try {
            body = JSON.parse(body) as unknown;
          } catch {
            // a text body: kept as is for the error parser
          }
        }
        const headers = Object.fromEntries(Object.entries(item.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
        answers.set(item.id, { status: item.status, headers, body });
      }
      const throttledIds = new Set<number>();
      for (const i of pending) {
        const a = answers.get(String(i));
        if (a !== undefined && (a.status === 429 || CONCURRENCY_TEXT.test(typeof a.body === "string" ? a.body : JSON.stringify(a.body ?? "")))) throttledIds.add(i);
      }
      // items run in order: the last one stating the budget says where it stands now
      const stating = pending.filter((i) => answers.get(String(i))?.headers["rate-limit-remaining"] !== undefined).pop();
      try {
        if (stating !== undefined) {
          const headers = answers.get(String(stating))!.headers;
          await this.pacer.learn((name) => headers[name], throttledIds.has(stating));
        }
      } finally {
        release();
      }
      stalled = pending.some((i) => answers.has(String(i)) && !throttledIds.has(i)) ? 0 : stalled + 1;
      const last = stalled >= this.maxBatchRounds;
      const again: number[] = [];
      wait = 0;
      for (const i of pending) {
        const a = answers.get(String(i));
        const throttled = throttledIds.has(i);
        if (a === undefined || throttled) {
          if (throttled) this.http.count("exchange", "throttled");
          if (!last) {
            again.push(i);
            const ra = a?.headers["retry-after"];
            wait = Math.max(wait, this.http.backoff(Math.max(1, stalled), ra !== undefined && /^\d+(\.\d+)?$/.test(ra) ? Math.ceil(Number(ra) * 1000) : null));
            continue;
          }
          results[i] = new ProviderError({
            kind: throttled ? "throttled" : "transient",
            code: throttled ? "TooManyRequests" : "NoAnswer",
            message: throttled ? `${cmds[i]!.name} stayed throttled in $batch for ${stalled} rounds in a row` : `the $batch answer had no response for ${cmds[i]!.name}; it is unconfirmed, not done`,
            operation: ctx.operation,
            target: ctx.target,
          });
        } else if (a.status >= 200 && a.status < 300) {
          results[i] = await this.follow(cmds[i]!, readPage(a.body), ctx).catch((e: unknown) => {
            if (ProviderError.is(e)) return e;
            throw e;
          });
        } else {
          const parsed = parseExchangeError(a.status, a.body, typeof a.body === "string" ? a.body : "");
          results[i] = new ProviderError({ kind: parsed.kind ?? kindOfStatus(a.status), code: parsed.code, message: redact(parsed.message), operation: ctx.operation, target: ctx.target });
        }
      }
      if (again.length === 0) return;
      this.http.count("exchange", "retries", again.length);
      pending = again;
    }
  }

  /** A read's first page and every page its nextLink leads to (the same body re-POSTed). */
  private async follow(cmd: Cmdlet, first: Page, ctx: CallContext): Promise<CmdletResult> {
    const rows = [...first.rows];
    const warnings = [...first.warnings];
    const seen = new Set<string>([this.invokeUrl(cmd)]);
    for (let page = 2, next = first.next; next !== undefined; page++) {
      if (page > this.maxPages) throw pagingError(ctx, "PageLimitExceeded", `${cmd.name} returned more than ${this.maxPages} pages; exoform stopped reading rather than answer with part of it`, "precondition");
      const url = checkNextLink(this.origin, next, seen, ctx, cmd.name);
      seen.add(url);
      const p = readPage((await this.post(url, cmd, ctx, false)).json);
      rows.push(...p.rows);
      warnings.push(...p.warnings);
      next = p.next;
    }
    return { rows, warnings };
  }

  private post(url: string, cmd: Cmdlet, ctx: CallContext, write: boolean): Promise<HttpResponse> {
    return this.http.send({
      ...(write ? {} : { pacing: { pacer: this.pacer, cost: 1 } }),
      service: "exchange",
      method: "POST",
      url,
      headers: this.headers(cmd),
      body: cmdletBody(cmd),
      token: () => this.tokens.token("exchange"),
      write,
      operation: ctx.operation,
      target: ctx.target,
      parseError: (r) => parseExchangeError(r.status, r.json, r.text),
      isThrottle: isThrottleResponse,
    });
  }

  private invokeUrl(cmd: Cmdlet): string {
    return `${this.origin}/adminapi/beta/${encodeURIComponent(this.tenantId)}/InvokeCommand${selectQuery(cmd)}`;
  }

  private orgAnchor(): string {
    return `APP:SystemMailbox{${ORGANIZATION_ANCHOR_GUID}}@${this.tenantId}`;
  }

  private headers(cmd: Cmdlet): Record<string, string> {
    return {
      "X-AnchorMailbox": cmd.mailbox !== undefined ? `UPN:${cmd.mailbox}` : this.orgAnchor(),
      Prefer: "odata.maxpagesize=1000",
      "X-CmdletName": cmd.name,
    };
  }

}

/** Refuse a mutating cmdlet without a usable Identity: Exchange would apply it to every object. */
export function assertIdentity(cmd: Cmdlet, ctx: CallContext): void {
  if (!WRITE_VERBS.test(cmd.name)) return;
  const identity = cmd.parameters["Identity"];
  if (typeof identity !== "string" || identity.trim() === "" || identity.includes("*")) {
    throw new ProviderError({
      kind: "precondition",
      code: "MissingIdentity",
      message: `${cmd.name} was about to be sent without a single Identity (${JSON.stringify(identity ?? null)}); exoform never sends one, as Exchange would act on every object`,
      operation: ctx.operation,
      target: ctx.target,
    });
  }
}

function cmdletBody(cmd: Cmdlet): unknown {
  return { CmdletInput: { CmdletName: cmd.name, Parameters: cmd.parameters } };
}

function selectQuery(cmd: Cmdlet): string {
  return cmd.select && cmd.select.length > 0 ? `?$select=${cmd.select.join(",")}` : "";
}

function isThrottleResponse(res: HttpResponse): boolean {
  return CONCURRENCY_TEXT.test(res.text);
}

interface Page {
  readonly rows: ExoRow[];
  readonly warnings: string[];
  readonly next: string | undefined;
}

function readPage(body: unknown): Page {
  const b = (typeof body === "object" && body !== null ? body : {}) as { value?: unknown; "@odata.nextLink"?: unknown; "@adminapi.warnings"?: unknown };
  const rows = Array.isArray(b.value) ? (b.value.filter((r) => typeof r === "object" && r !== null) as ExoRow[]) : [];
  const warnings = Array.isArray(b["@adminapi.warnings"]) ? b["@adminapi.warnings"].filter((w): w is string => typeof w === "string") : [];
  const next = typeof b["@odata.nextLink"] === "string" ? b["@odata.nextLink"] : undefined;
  return { rows, warnings, next };
}

/** At most `limit` tasks running at once, whoever starts them; the others wait in order. */
class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // hand the slot to the next waiting task, or give it back
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
