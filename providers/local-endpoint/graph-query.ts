/**
 * Graph's OData query options over a directory collection, as /users and
 * /directory/deletedItems/microsoft.graph.user need them: $select (projection),
 * $filter (the subset exoform's provider sends), $top, $count and opaque
 * $skiptoken paging. Each is parsed before the tenant is read, so a bad query
 * costs no read, and refused with the code and message Graph uses:
 *
 * - a property Graph does not know: 400 BadRequest "Could not find a property named ...";
 * - a clause Graph would not run for this property or operator: 400 Request_UnsupportedQuery;
 * - a clause that does not parse, or compares a boolean with a string: 400 BadRequest "Invalid filter clause".
 *
 * Paging is by position, not offset: the $skiptoken names the sort key of the
 * last item served, so users added or removed between pages neither repeat nor
 * get skipped. Tokens are signed with a key made at process start: a forged or
 * altered token is 400, and so is a token from an earlier run of the endpoint
 * (a client then lists again from the first page, as after an expired Graph token).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { compareStrings } from "../../lib/private/canonical-json.js";
import { badRequest, GraphFailure, ok, odataContext, type GraphCall } from "./graph-http.js";
import type { WireRequest, WireResponse } from "./wire.js";

/** How a resource type answers queries. */
export interface QuerySchema {
  /** Graph's type name, e.g. "microsoft.graph.user" (in $select errors). */
  readonly typeName: string;
  /** Graph's resource name, e.g. "User" (in $filter errors). */
  readonly resourceName: string;
  /** Every property $select may name, in Graph's spelling. */
  readonly properties: readonly string[];
  /** The properties $filter supports, and how. */
  readonly filterable: Readonly<Record<string, FilterRule>>;
}

export interface FilterRule {
  readonly type: "string" | "boolean";
  /** `prop in ('a','b')` is supported. */
  readonly in?: boolean;
  /** `startswith(prop,'a')` is supported. */
  readonly startswith?: boolean;
}

export type Filter =
  | { readonly op: "eq"; readonly property: string; readonly value: string | boolean | null }
  | { readonly op: "in"; readonly property: string; readonly values: readonly string[] }
  | { readonly op: "startswith"; readonly property: string; readonly prefix: string }
  | { readonly op: "and" | "or"; readonly left: Filter; readonly right: Filter };

export interface CollectionQuery {
  /** Properties to return, in Graph's spelling; null: the type's default set. */
  readonly select: readonly string[] | null;
  readonly filter: Filter | null;
  readonly top: number;
  readonly count: boolean;
  /** The sort key of the last item already served ($skiptoken); null on the first page. */
  readonly after: readonly string[] | null;
}

/** One item of a collection: its sort key (unique, stable) and its full Graph-shaped record. */
export interface CollectionRow {
  readonly key: readonly string[];
  readonly record: Readonly<Record<string, unknown>>;
}

export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 999;
/** The system query options collections accept; any other `$option` is refused rather than ignored. */
const COLLECTION_OPTIONS = new Set(["$select", "$filter", "$top", "$count", "$skiptoken"]);

// ------------------------------------------------------------------ parsing the options

/** $select, $filter, $top, $count and $skiptoken of a collection request, or the 400 Graph answers. */
export function parseCollectionQuery(req: WireRequest, collection: string, schema: QuerySchema): CollectionQuery {
  for (const key of req.query.keys()) {
    if (key.startsWith("$") && !COLLECTION_OPTIONS.has(key)) throw badRequest(`Query option '${key}' is not supported by the local endpoint.`);
  }
  const count = parseCount(req);
  // ne, not and null comparisons are "advanced queries": Graph runs them only with both of these
  const advanced = count && (req.headers["consistencylevel"] ?? "").toLowerCase() === "eventual";
  const filterText = req.query.get("$filter");
  const token = req.query.get("$skiptoken");
  return {
    select: parseSelect(req, schema),
    filter: filterText === null || filterText.trim() === "" ? null : parseFilter(filterText, schema, advanced),
    top: parseTop(req),
    count,
    after: token === null ? null : decodeSkipToken(token, collection),
  };
}

/** $select on a single object (the only option it takes here). */
export function parseSelect(req: WireRequest, schema: QuerySchema): readonly string[] | null {
  const raw = req.query.get("$select");
  if (raw === null || raw.trim() === "") return null;
  const picked: string[] = [];
  for (const name of raw.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const property = schema.properties.find((p) => p.toLowerCase() === name.toLowerCase());
    if (property === undefined) throw new GraphFailure(400, "BadRequest", `Could not find a property named '${name}' on type '${schema.typeName}'.`);
    if (!picked.includes(property)) picked.push(property);
  }
  return picked;
}

function parseTop(req: WireRequest): number {
  const raw = req.query.get("$top");
  if (raw === null) return DEFAULT_PAGE_SIZE;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(n >= 1 && n <= MAX_PAGE_SIZE)) throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`);
  return n;
}

function parseCount(req: WireRequest): boolean {
  const raw = req.query.get("$count");
  if (raw === null || raw === "false") return false;
  if (raw !== "true") throw new GraphFailure(400, "BadRequest", `Invalid value '${raw}' for $count query option found. Valid values are 'true', 'false'.`);
  // directory objects count only as an advanced query (microsoft-apis.md G3)
  if ((req.headers["consistencylevel"] ?? "").toLowerCase() !== "eventual") throw badRequest("$count is not currently supported.");
  return true;
}

// ------------------------------------------------------------------ $filter

type Token = { readonly kind: "(" | ")" | "," | "word" | "string"; readonly text: string };

const invalidFilter = (): GraphFailure => new GraphFailure(400, "BadRequest", "Invalid filter clause");
const unsupportedQuery = (): GraphFailure => new GraphFailure(400, "Request_UnsupportedQuery", "Unsupported Query.");
/** Graph names operators by their internal names in this message (seen: NotEqualsMatch, Contains); the others are guesses. */
const OPERATOR_NAMES: Readonly<Record<string, string>> = {
  ne: "NotEqualsMatch", gt: "GreaterThan", ge: "GreaterThanOrEqual", lt: "LessThan", le: "LessThanOrEqual",
  not: "Not", endswith: "EndsWith", contains: "Contains",
};
const unsupportedOperator = (op: string): GraphFailure =>
  new GraphFailure(400, "Request_UnsupportedQuery", `Unsupported property filter clause operator '${OPERATOR_NAMES[op] ?? op}'.`);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === "'") {
      // OData string literal: '' is an escaped quote
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw invalidFilter();
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ kind: "string", text: value });
    } else {
      const word = /^[^\s(),']+/.exec(text.slice(i))![0];
      tokens.push({ kind: "word", text: word });
      i += word.length;
    }
  }
  return tokens;
}

/** A recursive-descent parser for `a and b or c`, parentheses, `p eq v`, `p in (...)` and `startswith(p,'x')`. */
class FilterParser {
  private i = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly schema: QuerySchema,
    private readonly advanced: boolean,
  ) {}

  parse(): Filter {
    const filter = this.or();
    if (this.i < this.tokens.length) throw invalidFilter();
    return filter;
  }

  /** `and` binds tighter than `or`, as in OData. */
  private or(): Filter {
    return this.chain("or", () => this.and());
  }

  private and(): Filter {
    return this.chain("and", () => this.primary());
  }

  /** operand (op operand)*, left-associative. */
  private chain(op: "and" | "or", operand: () => Filter): Filter {
    let left = operand();
    while (this.peekWord(op)) {
      this.i++;
      left = { op, left, right: operand() };
    }
    return left;
  }

  private primary(): Filter {
    const token = this.next();
    if (token.kind === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (token.kind !== "word") throw invalidFilter();
    if (token.text.toLowerCase() === "not") throw unsupportedOperator("not");
    if (this.tokens[this.i]?.kind === "(") return this.call(token.text);
    return this.comparison(token.text);
  }

  /** startswith(property,'prefix'); other functions are refused as Graph refuses them. */
  private call(name: string): Filter {
    const fn = name.toLowerCase();
    if (fn === "endswith" || fn === "contains") throw unsupportedOperator(fn);
    if (fn !== "startswith") throw unsupportedQuery(); // any(), lambdas, unknown functions
    this.expect("(");
    const property = this.property(this.expectKind("word").text);
    this.expect(",");
    const prefix = this.expectKind("string").text;
    this.expect(")");
    if (this.schema.filterable[property]?.startswith !== true) throw this.unsupportedProperty(property);
    return { op: "startswith", property, prefix };
  }

  private comparison(name: string): Filter {
    const property = this.property(name);
    const op = this.expectKind("word").text.toLowerCase();
    const rule = this.schema.filterable[property];
    if (op === "eq") {
      if (rule === undefined) throw this.unsupportedProperty(property);
      return { op: "eq", property, value: this.literal(property, rule) };
    }
    if (op === "in") {
      if (rule?.in !== true) throw this.unsupportedProperty(property);
      this.expect("(");
      const values = [this.expectKind("string").text];
      while (this.tokens[this.i]?.kind === ",") {
        this.i++;
        values.push(this.expectKind("string").text);
      }
      this.expect(")");
      return { op: "in", property, values };
    }
    if (op in OPERATOR_NAMES) throw unsupportedOperator(op);
    throw invalidFilter();
  }

  /** The value of `property eq <value>`, typed by the property; null only in an advanced query. */
  private literal(property: string, rule: FilterRule): string | boolean | null {
    const token = this.next();
    if (token.kind === "word" && token.text === "null") {
      if (!this.advanced) throw this.unsupportedProperty(property);
      return null;
    }
    if (rule.type === "string" && token.kind === "string") return token.text;
    if (rule.type === "boolean" && token.kind === "word" && (token.text === "true" || token.text === "false")) return token.text === "true";
    throw invalidFilter(); // Graph: `accountEnabled eq 'true'` is an invalid clause, not an unsupported one
  }

  /** The property named, in Graph's spelling; a name the type does not have is Graph's "Could not find a property". */
  private property(name: string): string {
    const property = this.schema.properties.find((p) => p.toLowerCase() === name.toLowerCase());
    if (property !== undefined) return property;
    if (name.includes("/")) throw unsupportedQuery(); // navigation paths: assignedLicenses/any(...)
    throw new GraphFailure(400, "BadRequest", `Could not find a property named '${name}' on type '${this.schema.typeName}'.`);
  }

  private unsupportedProperty(property: string): GraphFailure {
    return new GraphFailure(400, "Request_UnsupportedQuery", `Unsupported or invalid query filter clause specified for property '${property}' of resource '${this.schema.resourceName}'.`);
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === "word" && t.text.toLowerCase() === word;
  }

  private next(): Token {
    const t = this.tokens[this.i++];
    if (t === undefined) throw invalidFilter();
    return t;
  }

  private expect(kind: "(" | ")" | ","): void {
    this.expectKind(kind);
  }

  private expectKind(kind: Token["kind"]): Token {
    const t = this.next();
    if (t.kind !== kind) throw invalidFilter();
    return t;
  }
}

export function parseFilter(text: string, schema: QuerySchema, advanced: boolean): Filter {
  return new FilterParser(tokenize(text), schema, advanced).parse();
}

/** Whether a Graph-shaped record passes the filter. Strings compare case-insensitively, as directory strings do. */
export function matches(filter: Filter, record: Readonly<Record<string, unknown>>): boolean {
  const same = (actual: unknown, wanted: string | boolean | null): boolean =>
    wanted === null ? actual === null || actual === undefined
      : typeof wanted === "string" ? typeof actual === "string" && actual.toLowerCase() === wanted.toLowerCase()
        : actual === wanted;
  switch (filter.op) {
    case "eq":
      return same(record[filter.property], filter.value);
    case "in":
      return filter.values.some((v) => same(record[filter.property], v));
    case "startswith": {
      const actual = record[filter.property];
      return typeof actual === "string" && actual.toLowerCase().startsWith(filter.prefix.toLowerCase());
    }
    case "and":
      return matches(filter.left, record) && matches(filter.right, record);
    case "or":
      return matches(filter.left, record) || matches(filter.right, record);
  }
}

/** The properties a filter reads (so a route computes only what it needs). */
export function filterProperties(filter: Filter | null): string[] {
  if (filter === null) return [];
  return "property" in filter ? [filter.property] : [...filterProperties(filter.left), ...filterProperties(filter.right)];
}

// ------------------------------------------------------------------ $skiptoken

/** Made once per process: tokens are opaque and cannot be forged, at the price of not surviving a restart. */
const TOKEN_KEY = randomBytes(32);

function tokenMac(payload: string): Buffer {
  return createHmac("sha256", TOKEN_KEY).update(payload).digest().subarray(0, 16);
}

/** An opaque token naming the position after `key` in `collection`. */
export function encodeSkipToken(collection: string, key: readonly string[]): string {
  const payload = Buffer.from(JSON.stringify([collection, ...key])).toString("base64url");
  return `${payload}.${tokenMac(payload).toString("base64url")}`;
}

/** The position a token names, or 400 when it was not made here for this collection. */
export function decodeSkipToken(token: string, collection: string): readonly string[] {
  const refuse = (): GraphFailure => badRequest(`The $skiptoken value '${token.slice(0, 80)}' is not valid for this request; list again from the first page.`);
  const [payload, mac, extra] = token.split(".");
  if (payload === undefined || mac === undefined || extra !== undefined) throw refuse();
  const given = Buffer.from(mac, "base64url");
  const expected = tokenMac(payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse();
  const decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
  if (!Array.isArray(decoded) || decoded.length < 2 || decoded[0] !== collection || !decoded.every((s) => typeof s === "string")) throw refuse();
  return decoded.slice(1) as string[];
}

// ------------------------------------------------------------------ answering a collection

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareStrings(a[i] ?? "", b[i] ?? "");
    if (c !== 0) return c;
  }
  return 0;
}

/** The record cut down to `select` (in that order); absent properties are null, as Graph returns them. */
export function project(record: Readonly<Record<string, unknown>>, select: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(select.map((p) => [p, record[p] ?? null]));
}

/** `name` or `name(a,b)`: how @odata.context names a projection. */
export function contextWithSelect(fragment: string, select: readonly string[] | null): string {
  return select === null ? fragment : `${fragment}(${select.join(",")})`;
}

/** The request's own URL with a new $skiptoken, absolute under the endpoint's origin. */
function nextLink(origin: string, req: WireRequest, token: string): string {
  const parts: string[] = [];
  for (const [key, value] of req.query) {
    if (key !== "$skiptoken") parts.push(`${encodeURIComponent(key).replace(/^%24/, "$")}=${encodeURIComponent(value)}`);
  }
  parts.push(`$skiptoken=${token}`);
  return `${origin}${req.path}?${parts.join("&")}`;
}

export interface CollectionShape {
  /** The collection's name in $skiptoken (tokens of one collection are refused by another). */
  readonly collection: string;
  /** The @odata.context fragment, e.g. "users". */
  readonly context: string;
  /** The properties returned without $select. */
  readonly defaultSelect: readonly string[];
}

/** Filter, sort by key, cut the page after the token's position, project, and link the next page. */
export function answerCollection(call: GraphCall, query: CollectionQuery, rows: readonly CollectionRow[], shape: CollectionShape): WireResponse {
  const filter = query.filter;
  const kept = rows.filter((r) => filter === null || matches(filter, r.record)).sort((a, b) => compareKeys(a.key, b.key));
  const after = query.after;
  let start = after === null ? 0 : kept.findIndex((r) => compareKeys(r.key, after) > 0);
  if (start < 0) start = kept.length;
  const page = kept.slice(start, start + query.top);
  const last = page[page.length - 1];
  const more = start + query.top < kept.length && last !== undefined;
  const select = query.select ?? shape.defaultSelect;
  return ok(call.req, {
    "@odata.context": odataContext(call, contextWithSelect(shape.context, query.select)),
    ...(query.count ? { "@odata.count": kept.length } : {}),
    ...(more ? { "@odata.nextLink": nextLink(call.ctx.origin, call.req, encodeSkipToken(shape.collection, last.key)) } : {}),
    value: page.map((r) => project(r.record, select)),
  });
}
