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
