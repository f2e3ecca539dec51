/**
 * The Microsoft provider's reads lag its writes (read-your-writes only within a
 * backend session; the local endpoint models it with readLagMs). It is to
 * declare `consistency: "eventual"` (lib/provider/provider.ts); until it does,
 * the wire tests declare it for it. A module of its own so that the child
 * script imports nothing else from the tests.
 */
import type { ITenantProvider } from "../../lib/provider/provider.js";

/** `provider`, declaring eventually consistent reads unless it declares its consistency itself. */
export function declaredEventual<T extends ITenantProvider>(provider: T): T {
  if (provider.consistency !== undefined) return provider;
  return new Proxy(provider, {
    get: (target, prop) => (prop === "consistency" ? "eventual" : Reflect.get(target, prop, target)),
  });
}
