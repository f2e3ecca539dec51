/**
 * lib/plan: the pure planner. Given a canonical desired state and an observed
 * tenant, it produces the versioned PlanDocument (types.ts, described by
 * schema/plan.schema.json): ordered actions with reasons, dependencies and
 * the access each grants or takes away, the diagnostics that block or qualify
 * the plan, and the fingerprints apply uses to refuse a stale plan. No I/O, no
 * clock, no randomness: same inputs, byte-identical plan.
 */
export * from "./types.js";
export { plan, planDraft } from "./planner.js";
export type { DraftPlan } from "./document.js";
export { verifyContentDigest, contentDigestOf, summarize } from "./document.js";
export { topologicalOrder, TYPE_RANK } from "./graph.js";
export { actionId } from "./ids.js";
export { FingerprintIndex, staleKeys, ABSENT } from "./fingerprint.js";
export { FULL_ACCESS_WARN, FULL_ACCESS_MAX } from "./grants.js";
export { TEMPORARY_SKU_PREFERENCE } from "./licenses.js";
export { RESTORE_WINDOW_DAYS, RECREATE_MINUTES, PROVISION_MINUTES } from "./shared-mailbox.js";
