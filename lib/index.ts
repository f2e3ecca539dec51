/**
 * exoform's public API: the authoring constructs (TenantStack,
 * SharedMailbox, UserMailbox) and the desired-state model they produce.
 * Re-exports only.
 */
export * from "./model/index.js";
export * from "./constructs/index.js";
export { readSynthOutput, desiredStateFromTerraformJson, type SynthesizedStack } from "./synth/read.js";
export type { Diagnostic, Severity } from "./diagnostics/diagnostic.js";
export { UserError } from "./diagnostics/errors.js";
