import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level: the same value always gives the
 * same bytes, whatever order its keys were built in. Used for digests and for
 * every document exoform writes, so plans and synth output are byte-stable.
 */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

/**
 * `value` with the keys of every object sorted and undefined members left
 * out. A value already in that form is returned as it is, not copied: the
 * canonical desired state is built in key order, so digesting it copies
 * nothing (issue 15).
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const sorted = sortKeys(v);
      if (sorted !== v) (out ??= value.slice(0, i)).push(sorted);
      else out?.push(v);
    }
    return out ?? value;
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const sorted = keys.map((key) => sortKeys(record[key]));
    // integer-like keys are listed first by JSON.stringify, and "__proto__" is dropped by the copy: both are copied as before
    let same = !keys.some((key) => isArrayIndex(key) || key === "__proto__");
    for (let i = 0; i < keys.length && same; i++) same = (i === 0 || keys[i - 1]! < keys[i]!) && record[keys[i]!] !== undefined && sorted[i] === record[keys[i]!];
    if (same) return value;
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
    const out: Record<string, unknown> = {};
    for (const i of order) if (sorted[i] !== undefined) out[keys[i]!] = sorted[i];
    return out;
  }
  return value;
}

/**
 * "sha256:<hex>" of the canonical JSON of `value`, hashed in pieces: a plan of
 * a million actions is more JSON than one JavaScript string may hold.
 */
export function digestOf(value: unknown): string {
  const hash = createHash("sha256");
  for (const chunk of canonicalJsonChunks(value)) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}

/** Arrays longer than this, and objects with more keys, are written piece by piece. */
const SPLIT_ABOVE = 256;
/** Pieces are handed out once they reach this many characters. */
const CHUNK_CHARS = 1 << 20;

/**
 * canonicalJson(value, indent) in pieces of about a megabyte, to hash or
 * write without ever building the whole text (past about 500 million
 * characters V8 refuses: RangeError "Invalid string length"). Joined, the
 * pieces are exactly canonicalJson(value, indent); values smaller than
 * SPLIT_ABOVE come out as one piece.
 */
export function* canonicalJsonChunks(value: unknown, indent?: number): Generator<string> {
  const unit = indent !== undefined && indent >= 1 ? " ".repeat(Math.min(10, Math.floor(indent))) : "";
  const pads: string[] = [];
  const nl = (depth: number): string => (unit === "" ? "" : (pads[depth] ??= `\n${unit.repeat(depth)}`));
  const tails: number[] = [];
  /** JSON.stringify's text of a small value at `depth`, indented as it would be inside the whole (undefined: omitted). */
  const leaf = (v: unknown, depth: number): string | undefined => {
    if (unit === "" || depth === 0) return JSON.stringify(sortKeys(v), null, unit) as string | undefined;
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
    // wrapped in `depth` arrays, JSON.stringify indents it natively; the wrapping is cut off again
    let wrapped: unknown = sortKeys(v);
    let head = 0;
    for (let d = depth; d >= 1; d--) {
      wrapped = [wrapped];
      head += 1 + nl(d).length;
    }
    let tail = tails[depth];
    if (tail === undefined) {
      tail = 0;
      for (let d = 0; d < depth; d++) tail += nl(d).length + 1;
      tails[depth] = tail;
    }
    const text = JSON.stringify(wrapped, null, unit);
    return text.slice(head, text.length - tail);
  };
  let buffer = "";
  function* walk(v: unknown, depth: number): Generator<string> {
    if (Array.isArray(v)) {
      buffer += "[";
      for (let i = 0; i < v.length; i++) {
        buffer += `${i > 0 ? "," : ""}${nl(depth + 1)}`;
        const item: unknown = v[i];
        if (isLarge(item)) yield* walk(item, depth + 1);
        else buffer += leaf(item, depth + 1) ?? "null";
        if (buffer.length >= CHUNK_CHARS) {
          yield buffer;
          buffer = "";
        }
      }
      buffer += `${nl(depth)}]`;
      return;
    }
    const record = v as Record<string, unknown>;
    let first = true;
    buffer += "{";
    for (const key of enumerationOrder(Object.keys(record).sort())) {
      const item = record[key];
      if (item === undefined) continue;
      const large = isLarge(item);
      const text = large ? "" : leaf(item, depth + 1);
      if (text === undefined) continue;
      buffer += `${first ? "" : ","}${nl(depth + 1)}${JSON.stringify(key)}${unit === "" ? ":" : ": "}`;
      first = false;
      if (large) yield* walk(item, depth + 1);
      else buffer += text;
      if (buffer.length >= CHUNK_CHARS) {
        yield buffer;
        buffer = "";
      }
    }
    buffer += first ? "}" : `${nl(depth)}}`;
  }
  if (isLarge(value) || (value !== null && typeof value === "object" && !Array.isArray(value))) {
    yield* walk(value, 0);
    if (buffer !== "") yield buffer;
    return;
  }
  const text = leaf(value, 0);
  if (text !== undefined) yield text;
}

function isLarge(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > SPLIT_ABOVE;
  return v !== null && typeof v === "object" && Object.keys(v).length > SPLIT_ABOVE;
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
const isArrayIndex = (key: string): boolean => ARRAY_INDEX.test(key) && Number(key) < 4294967295;

/** The order JSON.stringify lists a sortKeys copy in: integer-like keys first, numerically, then the rest as sorted. */
function enumerationOrder(sorted: string[]): string[] {
  if (!sorted.some(isArrayIndex)) return sorted;
  return [...sorted.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)), ...sorted.filter((k) => !isArrayIndex(k))];
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Code-unit string comparison: locale-independent, so sorting is the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
