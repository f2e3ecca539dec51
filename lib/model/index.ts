/**
 * lib/model: the canonical desired-state model and nothing else. The types
 * generated from schema/desired-state.schema.json, validation (schema plus
 * semantic rules) into Diagnostics, the canonical form, and the licensing
 * rules shared by tenant and planner. Knows nothing of constructs, plans or
 * providers.
 */
export type * from "./generated/desired-state.js";
export * from "./normalize.js";
export * from "./validate.js";
export * from "./licensing.js";
export * from "./service-rules.js";
export * from "./management-tag.js";
export * from "./group-trustees.js";
