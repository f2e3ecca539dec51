/**
 * Packages loaded on first use rather than at start-up. Every exoform
 * command starts from one bundle, and a package imported at its top is paid
 * for by every command: msal-node, selfsigned and ajv cost about 0.2 s of CPU
 * together before `exoform --version` can answer, though most commands use
 * none of them (issue 15, docs/decisions/0006). A lazy package is required
 * synchronously the first time it is asked for (CommonJS entry), once.
 */
import { createRequire } from "node:module";

const requireHere = createRequire(import.meta.url);

/** `load()` returns the package `id`, required on its first call. */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(id) as T);
}
