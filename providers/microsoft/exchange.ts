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
 * - `$batch` carries at most 10 reads (as CIPP), several batches in flight;
 *   results are matched to requests by id, never by "a row came back", and a
 *   request without an answer is asked again, never taken as done.
 */
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
import type { TokenSource } from "./auth.js";
import { checkNextLink, kindOfStatus, pagingError, type CallContext, type HttpClient, type HttpResponse, type ServiceError } from "./http.js";
import { redact } from "./secrets.js";

/** The organisation's system mailbox: the anchor for calls not about one mailbox. */
export const ORGANIZATION_ANCHOR_GUID = "bb558c35-97f1-4cb9-8ff7-d53741dc928c";
export const EXCHANGE_BATCH_LIMIT = 10;

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
  /** Batches in flight at once; default 3 (the service's historical concurrency per app, R8.2). */
  readonly concurrency?: number;
  /** Rounds of re-sending throttled or unanswered batch items; default 5. */
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
  private readonly concurrency: number;
  private readonly maxBatchRounds: number;

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
    this.concurrency = Math.max(1, options.concurrency ?? 3);
    this.maxBatchRounds = options.maxBatchRounds ?? 5;
  }

  /** Run one cmdlet; a read follows every page. */
  async invoke(cmd: Cmdlet, ctx: CallContext): Promise<CmdletResult> {
    assertIdentity(cmd, ctx);
    const write = !cmd.name.startsWith("Get-");
    const first = readPage((await this.post(this.invokeUrl(cmd), cmd, ctx, write)).json);
    return write ? { rows: first.rows, warnings: first.warnings } : this.follow(cmd, first, ctx);
  }

  /**
   * Run read cmdlets through $batch, at most 10 per batch and `concurrency` batches at once.
   * One result per cmdlet, in order: its rows, or the ProviderError it failed with.
   */
  async batch(cmds: readonly Cmdlet[], ctx: CallContext): Promise<Array<CmdletResult | ProviderError>> {
    for (const cmd of cmds) {
      if (!cmd.name.startsWith("Get-")) throw pagingError(ctx, "InvalidBatch", `${cmd.name} changes the tenant; exoform batches reads only`, "precondition");
    }
    const results: Array<CmdletResult | ProviderError> = new Array<CmdletResult | ProviderError>(cmds.length);
    const chunks: number[][] = [];
    for (let i = 0; i < cmds.length; i += EXCHANGE_BATCH_LIMIT) chunks.push(cmds.slice(i, i + EXCHANGE_BATCH_LIMIT).map((_, j) => i + j));
    await mapLimit(chunks, this.concurrency, async (chunk) => {
      await this.runChunk(chunk, cmds, ctx, results);
    });
    return results;
  }

  private async runChunk(chunk: readonly number[], cmds: readonly Cmdlet[], ctx: CallContext, results: Array<CmdletResult | ProviderError>): Promise<void> {
    let pending = [...chunk];
    for (let round = 1; pending.length > 0; round++) {
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
      const res = await this.http.send({
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
      const again: number[] = [];
      let wait = 0;
      for (const i of pending) {
        const a = answers.get(String(i));
        const text = typeof a?.body === "string" ? a.body : JSON.stringify(a?.body ?? "");
        const throttled = a !== undefined && (a.status === 429 || CONCURRENCY_TEXT.test(text));
        const last = round >= this.maxBatchRounds;
        if (a === undefined || throttled) {
          if (throttled) this.http.count("exchange", "throttled");
          if (!last) {
            again.push(i);
            const ra = a?.headers["retry-after"];
            wait = Math.max(wait, this.http.backoff(round, ra !== undefined && /^\d+(\.\d+)?$/.test(ra) ? Math.ceil(Number(ra) * 1000) : null));
            continue;
          }
          results[i] = new ProviderError({
            kind: throttled ? "throttled" : "transient",
            code: throttled ? "TooManyRequests" : "NoAnswer",
            message: throttled ? `${cmds[i]!.name} stayed throttled in $batch after ${round} rounds` : `the $batch answer had no response for ${cmds[i]!.name}; it is unconfirmed, not done`,
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
      await this.http.sleep(wait);
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

/** Run `fn` over `items` with at most `limit` calls in flight; rejects with the first failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
