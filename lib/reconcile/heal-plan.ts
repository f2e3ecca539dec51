/**
 * The plan a reconcile cycle applies: the cycle's full plan cut down to the
 * actions it heals. It is an ordinary plan document (same schema, same
 * checks, signed with EXOFORM_PLAN_KEY when one is set), saved as an artifact
 * for audit and applied by the same engine as `exoform apply`.
 *
 * Its fingerprints are those of the objects the healed actions touch (the
 * mailbox, its grants, the trustee or the account), so an unrelated change
 * between the cycle's read and its writes does not refuse the heal, while a
 * change to anything the heal relies on still does.
 */
import { contentDigestOf, signPlan, summarize, type SignedPlanDocument } from "../plan/document.js";
import type { PlanAction, PlanDocument } from "../plan/types.js";

/** Fingerprint keys an action's effect relies on (the key names of lib/plan/fingerprint.ts). */
function fingerprintKeys(action: PlanAction): string[] {
  if (action.type === "user.blockSignIn") return [`user:${action.target}`];
  const keys = [`mailbox:${action.target}`, `grants:${action.target}`];
  if (action.params.trustee !== undefined) keys.push(`user:${action.params.trustee}`);
  return keys;
}

/** `doc` restricted to `actions` (a dependency-closed subset, in plan order), re-digested and signed when a key is given. */
export function healPlan(doc: PlanDocument, actions: readonly PlanAction[], key?: string): SignedPlanDocument {
  const wanted = new Set(actions.flatMap(fingerprintKeys));
  const objects = Object.fromEntries(Object.entries(doc.fingerprint.objects).filter(([k]) => wanted.has(k)));
  const { contentDigest: _digest, ...rest } = doc;
  const body: Omit<PlanDocument, "contentDigest"> = {
    ...rest,
    fingerprint: { algorithm: doc.fingerprint.algorithm, objects },
    actions,
    summary: summarize(actions, doc.diagnostics),
  };
  const cut: PlanDocument = { ...body, contentDigest: contentDigestOf(body) };
  return key !== undefined && key !== "" ? signPlan(cut, key) : cut;
}
