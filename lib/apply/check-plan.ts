/**
 * What apply checks before it touches anything: the plan document is one this
 * version understands (formatVersion), was not modified after it was written
 * (contentDigest), has no error diagnostics, and is internally consistent
 * (unique ids, known types, dependsOn pointing backwards); then that the tenant
 * has not moved away from it (fingerprints, lib/plan/fingerprint.ts).
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { UserError } from "../diagnostics/errors.js";
import { FingerprintIndex, staleKeys } from "../plan/fingerprint.js";
import { ACTION_TYPES, PLAN_FORMAT_VERSION, type PlanAction, type PlanDocument } from "../plan/types.js";
import type { ObservedState } from "../provider/observed.js";
import { verifyContentDigest } from "../plan/document.js";

function problem(code: string, message: string, target = ""): Diagnostic {
  return { severity: "error", code, target, message };
}

/**
 * `value` as a plan apply can run, or a UserError listing every problem.
 * `source` names the file in messages.
 */
export function checkPlanDocument(value: unknown, source = "plan"): PlanDocument {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UserError([problem("not_a_plan", `${source}: not a plan document (expected a JSON object from exoform plan --out)`)]);
  }
  const doc = value as Partial<PlanDocument>;
  if (doc.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new UserError([
      problem(
        "unknown_plan_format",
        `${source}: plan formatVersion ${JSON.stringify(doc.formatVersion)} is not supported (this exoform reads formatVersion ${PLAN_FORMAT_VERSION}); plan again with this version`,
      ),
    ]);
  }
  const problems: Diagnostic[] = [];
  if (typeof doc.contentDigest !== "string" || !Array.isArray(doc.actions) || typeof doc.fingerprint !== "object") {
    throw new UserError([problem("not_a_plan", `${source}: not a plan document (contentDigest, actions or fingerprint missing)`)]);
  }
  if (!verifyContentDigest(doc as PlanDocument)) {
    problems.push(
      problem(
        "plan_modified",
        `${source}: the plan was modified after it was written (contentDigest does not match its content); plans cannot be edited, plan again instead`,
      ),
    );
  }
  const errors = (doc.diagnostics ?? []).filter((d) => d.severity === "error");
  for (const d of errors) {
    problems.push({ ...d, message: `the plan has errors and cannot be applied: ${d.message}` });
  }
  problems.push(...checkActions(doc.actions, source));
  if (problems.length > 0) throw new UserError(problems);
  return doc as PlanDocument;
}

function checkActions(actions: readonly PlanAction[], source: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const seen = new Set<string>();
  const types = new Set<string>(ACTION_TYPES);
  actions.forEach((a, i) => {
    const where = `${source}#/actions/${i}`;
    if (typeof a?.id !== "string" || typeof a.target !== "string" || typeof a.params !== "object" || !Array.isArray(a.dependsOn)) {
      problems.push({ ...problem("bad_action", "action lacks id, target, params or dependsOn"), location: where });
      return;
    }
    if (seen.has(a.id)) problems.push({ ...problem("duplicate_action_id", `action id ${a.id} appears twice`, a.target), location: where });
    if (!types.has(a.type)) problems.push({ ...problem("unknown_action_type", `action type "${a.type}" is unknown to this exoform`, a.target), location: where });
    for (const dep of a.dependsOn) {
      if (!seen.has(dep)) {
        problems.push({ ...problem("bad_dependency", `action ${a.id} depends on ${dep}, which does not appear before it`, a.target), location: where });
      }
    }
    seen.add(a.id);
  });
  return problems;
}

/** "grants:support@contoso.com" -> "the grants on support@contoso.com". */
export function describeFingerprintKey(key: string): { what: string; target: string } {
  const colon = key.indexOf(":");
  const kind = key.slice(0, colon);
  const id = key.slice(colon + 1);
  switch (kind) {
    case "mailbox":
      return { what: `mailbox ${id}`, target: id };
    case "grants":
      return { what: `the grants on ${id}`, target: id };
    case "user":
      return { what: `user ${id}`, target: id };
    case "sku":
      return { what: `license ${id}`, target: id };
    default:
      return { what: key, target: id };
  }
}

/** Fingerprint keys that the given actions change themselves (excused on resume). */
export function keysTouchedBy(action: PlanAction): string[] {
  const t = action.target;
  const keys = [`mailbox:${t}`, `grants:${t}`, `user:${t}`];
  if (action.params.sku !== undefined) keys.push(`sku:${action.params.sku}`);
  return keys;
}

/**
 * Refuse a plan the tenant has moved away from: every recorded fingerprint
 * must match `observed`, except `excused` keys (objects the plan itself has
 * already changed, on resume).
 */
export function checkNotStale(doc: PlanDocument, observed: ObservedState, excused: ReadonlySet<string> = new Set()): void {
  const index = new FingerprintIndex(observed);
  const stale = staleKeys(doc.fingerprint.objects, index).filter((k) => !excused.has(k));
  if (stale.length === 0) return;
  throw new UserError(
    stale.map((key) => {
      const { what, target } = describeFingerprintKey(key);
      return problem(
        "stale_plan",
        `stale plan: ${what} changed since the plan was made (observed ${doc.observedAt}); run exoform plan again and review the new plan`,
        target,
      );
    }),
  );
}
