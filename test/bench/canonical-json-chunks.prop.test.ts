/**
 * canonicalJsonChunks (lib/private/canonical-json.ts), added for plans too
 * large for one string: joined, its pieces must be byte-for-byte
 * canonicalJson, for every value and indent, or every digest would change.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalJsonChunks, digestOf, sha256Hex } from "../../lib/private/canonical-json.js";

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.nat({ max: 5000 }).map(String), fc.constantFrom("a", "b", "10", "9", "01", "-1", "4294967295"));
const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
const small = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 5 }),
  fc.dictionary(key, leaf, { maxKeys: 5 }),
);
/** Containers over the split threshold (256) whose items are `item`. */
const large = (item: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.array(item, { minLength: 250, maxLength: 270 }),
    fc.dictionary(key, item, { minKeys: 250, maxKeys: 270 }),
    fc.record({ actions: fc.array(item, { minLength: 257, maxLength: 265 }), summary: small }),
  );
/** Large containers nested two deep (rarely, to keep values small), with undefined and integer-like keys. */
const value = fc.oneof(small, large(small), large(fc.oneof({ arbitrary: small, weight: 200 }, { arbitrary: large(small), weight: 1 })));
const indent = fc.constantFrom(undefined, 0, 1, 2, 4, 12);

/** canonicalJson as first written: every object copied with its keys sorted (the reference the no-copy fast path must match). */
function referenceJson(v: unknown, indent?: number): string | undefined {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (x === null || typeof x !== "object") return x;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) if ((x as Record<string, unknown>)[k] !== undefined) out[k] = sorted((x as Record<string, unknown>)[k]);
    return out;
  };
  return JSON.stringify(sorted(v), null, indent);
}

/** `v` rebuilt with every object's keys inserted in sorted order: the form canonicalJson returns without copying. */
function keyOrdered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keyOrdered);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, keyOrdered((v as Record<string, unknown>)[k])]));
}

describe("canonicalJson", () => {
  it("writes exactly what copying every object with sorted keys writes, for values in any key order and values already in key order", () => {
    fc.assert(
      fc.property(value, indent, (v, i) => {
        expect(canonicalJson(v, i)).toBe(referenceJson(v, i));
        expect(canonicalJson(keyOrdered(v), i)).toBe(referenceJson(v, i));
      }),
      { numRuns: 80 },
    );
  });
});

describe("canonicalJsonChunks", () => {
  it("joins to exactly canonicalJson for any value and indent", () => {
    fc.assert(
      fc.property(value, indent, (v, i) => {
        expect([...canonicalJsonChunks(v, i)].join("")).toBe(canonicalJson(v, i) ?? "");
      }),
      { numRuns: 60 },
    );
  });

  it("hands out pieces of about a megabyte for a large document, and digestOf hashes the same bytes", () => {
    const doc = { formatVersion: 1, actions: Array.from({ length: 30_000 }, (_, i) => ({ id: `a${i}`, params: { n: i, text: "x".repeat(60) }, dependsOn: [] })) };
    const pieces = [...canonicalJsonChunks(doc, 2)];
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join("")).toBe(canonicalJson(doc, 2));
    expect(digestOf(doc)).toBe(`sha256:${sha256Hex(canonicalJson(doc))}`);
  });
});
