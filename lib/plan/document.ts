/**
 * Assembles the PlanDocument: summary counts, the desired-state digest, the
 * fingerprints of every tenant object the actions rely on, and the content
 * digest that lets apply refuse a plan file someone edited.
 */
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { CanonicalDesiredState } from "../model/normalize.js";
import { digestOf } from "../private/canonical-json.js";
import type { ObservedState } from "../provider/observed.js";
import { FingerprintIndex } from "./fingerprint.js";
import { PLAN_FORMAT_VERSION, type ActionType, type PlanAction, type PlanDocument, type PlanSummary } from "./types.js";

/** Action types counted as "create" and "destroy" in the summary; waits are not changes; the rest are updates. */
const CREATE: ReadonlySet<ActionType> = new Set(["mailbox.create", "user.restore", "permission.grant"]);
const DESTROY: ReadonlySet<ActionType> = new Set(["mailbox.delete", "permission.revoke"]);

export function summarize(actions: readonly PlanAction[], diagnostics: readonly Diagnostic[]): PlanSummary {
  let create = 0;
  let destroy = 0;
  let update = 0;
  let destructive = 0;
  let accessGained = 0;
  let accessLost = 0;
  for (const a of actions) {
    if (CREATE.has(a.type)) create++;
    else if (DESTROY.has(a.type)) destroy++;
    else if (a.type !== "mailbox.wait") update++;
    if (a.destructive) destructive++;
    for (const c of a.access) {
      if (c.change === "gain") accessGained++;
      else accessLost++;
    }
  }
  let errors = 0;
  for (const d of diagnostics) if (d.severity === "error") errors++;
  return {
    actions: actions.length,
    create,
    update,
    destroy,
    destructive,
    accessGained,
    accessLost,
    errors,
    warnings: diagnostics.length - errors,
  };
}

export interface DocumentInput {
  readonly desired: CanonicalDesiredState;
  readonly observed: ObservedState;
  /** In execution order. Empty when there are errors. */
  readonly actions: readonly PlanAction[];
  readonly fingerprintKeys: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  readonly targets?: readonly string[];
}

export function buildDocument(input: DocumentInput): PlanDocument {
  const diagnostics = sortDiagnostics(input.diagnostics);
  const objects = input.actions.length > 0 ? new FingerprintIndex(input.observed).ofAll(input.fingerprintKeys) : {};
  const body: Omit<PlanDocument, "contentDigest"> = {
    formatVersion: PLAN_FORMAT_VERSION,
    stack: input.desired.stack,
    tenantId: input.observed.tenant.id,
    observedAt: input.observed.observedAt,
    desiredDigest: digestOf(input.desired),
    fingerprint: { algorithm: "sha256", objects },
    ...(input.targets !== undefined ? { targets: input.targets } : {}),
    actions: input.actions,
    diagnostics,
    summary: summarize(input.actions, diagnostics),
  };
  return { ...body, contentDigest: contentDigestOf(body) };
}

/** "sha256:<hex>" of the document without its contentDigest. */
export function contentDigestOf(doc: Omit<PlanDocument, "contentDigest"> | PlanDocument): string {
  const { contentDigest: _ignored, ...rest } = doc as PlanDocument;
  return digestOf(rest);
}

/** Whether `doc` is exactly what the planner wrote (apply refuses a plan file edited after planning). */
export function verifyContentDigest(doc: PlanDocument): boolean {
  return typeof doc.contentDigest === "string" && doc.contentDigest === contentDigestOf(doc);
}
