/**
 * lib/policy: the policy gate over plan documents. A policy file
 * (schema/policy.schema.json) lists declarative rules (allowed FullAccess
 * trustees, a member ceiling, no destructive actions, review of grants on
 * mailboxes under litigation hold, no sign-in exceptions), each advisory or mandatory. loadPolicy
 * reads and validates one; evaluatePolicy checks a plan document against it
 * (pure, reading only the plan plus an optional context); renderPolicyResults
 * shows the results as text, markdown or json. A failed mandatory rule makes
 * `exoform plan --policy` exit 1.
 */
export * from "./types.js";
export { loadPolicy, validatePolicy } from "./load.js";
export { evaluatePolicy, mandatoryFailed, policyDiagnostics, policyContextFromObserved, policyContextFromDesired, type DesiredSignIns } from "./evaluate.js";
export { renderPolicyResults, policyReport, policySummaryLine, type PolicyFormat, type PolicyRenderOptions, type PolicyReport } from "./render.js";
