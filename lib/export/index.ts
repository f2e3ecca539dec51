/**
 * lib/export: turning an observed tenant back into desired state, so an
 * existing tenant can be adopted as code (`exoform export`): the document
 * (from-observed.ts, with notes on what it could not carry over) and the same
 * document as a readable constructs program (typescript.ts). Pure functions
 * only; the command that reads the tenant and writes files is
 * lib/cli/commands/export.ts.
 */
export {
  desiredFromObserved,
  exportDesired,
  stackNameFor,
  EXPORT_FULL_ACCESS_MAX,
  type ExportOptions,
  type ExportResult,
} from "./from-observed.js";
export { constructIdFor, desiredToTypeScript, DEFAULT_IMPORT_FROM, type TypeScriptOptions } from "./typescript.js";
