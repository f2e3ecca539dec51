import { createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJsonChunks } from "./canonical-json.js";

/**
 * Lower-case hex HMAC-SHA256 of the canonical JSON of `value` (canonicalJson:
 * keys sorted at every level, no whitespace), keyed with the UTF-8 bytes of
 * `key`; hashed in pieces, as digestOf is, so a plan of any size can be signed.
 */
export function hmacOf(value: unknown, key: string): string {
  const mac = createHmac("sha256", Buffer.from(key, "utf8"));
  for (const chunk of canonicalJsonChunks(value)) mac.update(chunk, "utf8");
  return mac.digest("hex");
}

/** Whether two hex strings are equal, in time that does not depend on where they differ. */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
