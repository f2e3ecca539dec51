/**
 * lib/provider: the CONTRACT between exoform and a tenant, and nothing else.
 * The interface (provider.ts), the observed-state shapes it returns
 * (observed.ts; grants a mailbox at a time: packed-grants.ts), its typed errors
 * (errors.ts), and observe(), which turns the bulk reads into one ObservedState.
 * Implementations live in providers/.
 */
export * from "./observed.js";
export * from "./errors.js";
export * from "./provider.js";
export * from "./packed-grants.js";
export { observe } from "./observe.js";
