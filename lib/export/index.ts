/**
 * lib/export: turning an observed tenant back into desired state, so an
 * existing tenant can be adopted as code (`exoform export`) and so tests can
 * check that a tenant planned against itself needs no change. Pure functions
 * only; the command that writes files lives in lib/cli.
 */
export { desiredFromObserved, type ExportOptions } from "./from-observed.js";
