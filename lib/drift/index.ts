/**
 * lib/drift: drift detection and its renderers. detectDrift(desired,
 * observed, options) is pure: it compares the tenant with the desired state,
 * field by field, and returns a versioned DriftReport (schema/drift.schema.json)
 * with a severity, a stable code, expected and actual values and a fix for
 * each drifted object, keeping apart what is merely pending (not yet applied)
 * and counting what ignore rules suppress. render.ts turns the report into
 * text, markdown or json; it never reads the tenant.
 */
export * from "./types.js";
export { detectDrift, type DriftOptions } from "./detect.js";
export { restoreWindow } from "./existence.js";
export { IgnoreMatcher, parseIgnoreRules, unknownIgnoreFields, isDriftField, type IgnoreRule } from "./ignore.js";
export { renderDrift, driftSummaryLine, DRIFT_FORMATS, type DriftFormat, type DriftRenderOptions } from "./render.js";
