/**
 * Branded error classes. Library code throws these; only lib/cli/main.ts
 * catches them and maps them to exit codes. Brands (Symbol.for) survive
 * duplicate copies of the package, unlike instanceof.
 */
import type { Diagnostic } from "./diagnostic.js";

const USER_ERROR = Symbol.for("exoform.UserError");

/**
 * A problem with what the user gave us (input, flags, plan file, lock):
 * printed as diagnostics, exit 1, no stack trace.
 */
export class UserError extends Error {
  static is(x: unknown): x is UserError {
    return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[USER_ERROR] === true;
  }

  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[] | string, code = "usage") {
    const list: readonly Diagnostic[] =
      typeof diagnostics === "string" ? [{ severity: "error", code, target: "", message: diagnostics }] : diagnostics;
    super(list.map((d) => d.message).join("; "));
    Object.defineProperty(this, USER_ERROR, { value: true });
    this.name = "UserError";
    this.diagnostics = list;
  }
}
