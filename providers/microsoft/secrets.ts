/**
 * Secrets never leave this provider: not in errors, logs, JSON or util.inspect.
 *
 * - Secret wraps a value read from the environment (client secret, key
 *   password, GitHub's request token). Only reveal() gives the value; String(),
 *   JSON.stringify and console.log show "[redacted]".
 * - Every secret value the provider handles (those, a federated token read
 *   from a file, a generated password while its request is in flight) is
 *   registered, and redact() replaces any of them, and anything shaped like a
 *   JWT, in text that may reach a person: service messages, msal's errors.
 */
import { randomInt } from "node:crypto";
import { inspect } from "node:util";

const REDACTED = "[redacted]";
const registered = new Set<string>();
/** Three base64url segments, the first one a JSON header ("eyJ"): an access token or assertion. */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    registerSecret(value);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Remember `value` so that redact() removes it; short values (under 6 characters) are not worth the false positives. */
export function registerSecret(value: string): void {
  if (value.length >= 6) registered.add(value);
}

/** Forget a value that is no longer in use (a generated password once its request is over). */
export function forgetSecret(value: string): void {
  registered.delete(value);
}

/** `text` with every registered secret and every JWT-shaped string replaced. */
export function redact(text: string): string {
  let out = text.replace(JWT_SHAPE, "[token]");
  for (const secret of registered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** 32 characters from four classes (Entra's complexity rule), by crypto.randomInt; never kept, logged or returned. */
export function strongPassword(length = 32): string {
  const classes = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!@#$%^&*-_=+?"];
  const all = classes.join("");
  const chars = classes.map((c) => c[randomInt(c.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}
