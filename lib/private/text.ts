/**
 * Text of values whose type the code does not control (wire JSON, things
 * thrown), for comparisons and messages: never "[object Object]".
 */

/** The text of something thrown: an Error's message, a string as it is, anything else as JSON. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return valueText(e);
}

/** A JSON value as text: a string as it is, null and undefined as "", numbers and booleans as written, objects and arrays as JSON. */
export function valueText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  try {
    return JSON.stringify(v) ?? Object.prototype.toString.call(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** A character toLowerCase could change: an ASCII capital, or anything beyond ASCII. */
const MAY_HAVE_CAPITALS = /[A-Z\u0080-\uffff]/;

/** Whether toLowerCase could change `s`. */
export function mayHaveCapitals(s: string): boolean {
  return MAY_HAVE_CAPITALS.test(s);
}

/**
 * `s` lower-cased: addresses and UPNs compare case-insensitively. Tested
 * first, so the common case (already lower-case, as providers and most
 * documents write them) returns `s` itself: this runs for every mailbox and
 * grant of a desired state and a tenant (issue 15, decision 0006).
 */
export function lowerCase(s: string): string {
  return MAY_HAVE_CAPITALS.test(s) ? s.toLowerCase() : s;
}
