/**
 * Typed provider errors. Every failure a provider reports is a ProviderError:
 * either retryable (throttled, transient) or terminal (precondition failed,
 * not found, conflict, forbidden). Each carries the service's own code and
 * message so that what the operator sees is what the service said.
 */

export type ProviderErrorKind =
  /** 429 / micro-delay: retry after `retryAfterMs`. */
  | "throttled"
  /** 5xx, timeouts, connection resets: retry with backoff. */
  | "transient"
  /** The service refused because a rule is not met (no license, no seat, synced user...). */
  | "precondition"
  /** The object named does not exist (or the grant to remove is absent). */
  | "notFound"
  /** The object already exists, or the change collides with another object. */
  | "conflict"
  /** The caller lacks the role or permission. */
  | "forbidden";

const BRAND = Symbol.for("exoform.ProviderError");

export interface ProviderErrorInit {
  readonly kind: ProviderErrorKind;
  /** The service's own error code, e.g. "TooManyRequests", "CountViolation", "ACENotFound". */
  readonly code: string;
  /** The service's own message. */
  readonly message: string;
  /** The operation that failed, e.g. "addMailboxPermission". */
  readonly operation: string;
  /** The object it was called on: mailbox address or UPN. */
  readonly target: string;
  /** For throttled errors: how long the service asked us to wait. */
  readonly retryAfterMs?: number;
}

export class ProviderError extends Error {
  static is(x: unknown): x is ProviderError {
    return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly kind: ProviderErrorKind;
  readonly code: string;
  readonly operation: string;
  readonly target: string;
  readonly retryAfterMs: number | undefined;

  constructor(init: ProviderErrorInit) {
    super(init.message);
    Object.defineProperty(this, BRAND, { value: true });
    this.name = "ProviderError";
    this.kind = init.kind;
    this.code = init.code;
    this.operation = init.operation;
    this.target = init.target;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Throttled and transient errors are worth retrying; everything else is terminal. */
  get retryable(): boolean {
    return this.kind === "throttled" || this.kind === "transient";
  }
}
