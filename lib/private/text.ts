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
