/**
 * The text of something thrown, for a message: an Error's message, a
 * string as it is, anything else as JSON (never "[object Object]").
 */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "string") return e;
  try {
    return JSON.stringify(e) ?? String(e as undefined);
  } catch {
    return Object.prototype.toString.call(e);
  }
}
