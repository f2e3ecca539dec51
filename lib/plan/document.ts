/**
 * Assembles the PlanDocument: summary counts, the desired-state digest, the
 * fingerprints of every tenant object the actions rely on, and the content
 * digest that lets apply refuse a plan file someone edited by accident.
 *
 * A digest detects accidents, not edits: anyone who can edit the file can
 * recompute it. A plan signed with a key (`signPlan`, EXOFORM_PLAN_KEY) can
 * only be re-signed by someone who holds the key:
 *
 *   "signature": { "alg": "HMAC-SHA256", "keyId": "<8 hex>", "value": "<64 hex>" }
 *
 * value = HMAC-SHA256(key = UTF-8 bytes of the key, message = the canonical
 * JSON of the document without its `signature` field: object keys sorted by
 * UTF-16 code units at every level (a plan has no all-digit keys, which
 * JavaScript would list first), no whitespace, strings and numbers as
 * JSON.stringify writes them, UTF-8 encoded: lib/private/canonical-json.ts).
 * keyId = the first 8 hex characters of SHA-256(key): it names the key
 * without revealing it. contentDigest covers the document without
 * contentDigest and signature, so signing does not change a plan's id.
 */
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { CanonicalDesiredState } from "../model/normalize.js";
import { digestOf, sha256Hex } from "../private/canonical-json.js";
import { hmacOf, sameHex } from "../private/hmac.js";
import type { ObservedIndex } from "../compare/observed-index.js";
import type { ObservedState } from "../provider/observed.js";
import { FingerprintIndex } from "./fingerprint.js";
import { PLAN_FORMAT_VERSION, type ActionType, type PlanAction, type PlanDocument, type PlanSummary, type PlanView } from "./types.js";

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
  let warnings = 0;
  // notes (severity "info") are neither: they change nothing and need no one's attention
  for (const d of diagnostics) {
    if (d.severity === "error") errors++;
    else if (d.severity === "warning") warnings++;
  }
  return {
    actions: actions.length,
    create,
    update,
    destroy,
    destructive,
    accessGained,
    accessLost,
    errors,
    warnings,
  };
}

export interface DocumentInput {
  readonly desired: CanonicalDesiredState;
  /** The observation, indexed once by the planner (fingerprints are read from it). */
  readonly ix: ObservedIndex;
  readonly observed: ObservedState;
  /** In execution order. Empty when there are errors. */
  readonly actions: readonly PlanAction[];
  readonly fingerprintKeys: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  readonly targets?: readonly string[];
}

/**
 * A plan before it is sealed: the view a reviewer reads (actions,
 * diagnostics, summary), and `seal()`, which adds what only a saved or
 * applied plan needs: the desired-state digest, the fingerprints and the
 * content digest. Hashing the whole desired state and every object the
 * actions touch is most of a large plan's cost (issue 15), and a text or
 * markdown plan shows none of it, so it is done only when asked for.
 */
export interface DraftPlan {
  readonly view: PlanView;
  /** The whole document (computed once, then the same object). */
  seal(): PlanDocument;
}

export function draftDocument(input: DocumentInput): DraftPlan {
  const diagnostics = sortDiagnostics(input.diagnostics);
  const view: PlanView = {
    formatVersion: PLAN_FORMAT_VERSION,
    stack: input.desired.stack,
    tenantId: input.observed.tenant.id,
    observedAt: input.observed.observedAt,
    // the canonical form carries it only when not the default
    ...(input.desired.tenant.managementAttribute !== undefined ? { managementAttribute: input.desired.tenant.managementAttribute } : {}),
    ...(input.targets !== undefined ? { targets: input.targets } : {}),
    actions: input.actions,
    diagnostics,
    summary: summarize(input.actions, diagnostics),
  };
  let sealed: PlanDocument | undefined;
  return { view, seal: () => (sealed ??= sealDocument(view, input)) };
}

/** The draft sealed at once: what plan() returns. */
export function buildDocument(input: DocumentInput): PlanDocument {
  return draftDocument(input).seal();
}

function sealDocument(view: PlanView, input: DocumentInput): PlanDocument {
  const objects = view.actions.length > 0 ? new FingerprintIndex(input.ix).ofAll(input.fingerprintKeys) : {};
  // the document's field order, as plans have always been written (JSON output keeps it)
  const body: Omit<PlanDocument, "contentDigest"> = {
    formatVersion: view.formatVersion,
    stack: view.stack,
    tenantId: view.tenantId,
    observedAt: view.observedAt,
    desiredDigest: digestOf(input.desired),
    fingerprint: { algorithm: "sha256", objects },
    ...(view.managementAttribute !== undefined ? { managementAttribute: view.managementAttribute } : {}),
    ...(view.targets !== undefined ? { targets: view.targets } : {}),
    actions: view.actions,
    diagnostics: view.diagnostics,
    summary: view.summary,
  };
  return { ...body, contentDigest: contentDigestOf(body) };
}

/** "sha256:<hex>" of the document without its contentDigest (and without a signature, which is added after it). */
export function contentDigestOf(doc: Omit<PlanDocument, "contentDigest"> | PlanDocument): string {
  const { contentDigest: _ignored, signature: _signature, ...rest } = doc as SignedPlanDocument;
  return digestOf(rest);
}

/** Whether `doc` is exactly what the planner wrote (apply refuses a plan file edited after planning). */
export function verifyContentDigest(doc: PlanDocument): boolean {
  return typeof doc.contentDigest === "string" && doc.contentDigest === contentDigestOf(doc);
}

export const PLAN_SIGNATURE_ALG = "HMAC-SHA256";

/** The `signature` field of a signed plan (schema/plan.schema.json#/definitions/Signature). */
export interface PlanSignature {
  readonly alg: typeof PLAN_SIGNATURE_ALG;
  /** The first 8 hex characters of SHA-256 of the key: which key signed, never the key. */
  readonly keyId: string;
  /** Lower-case hex HMAC-SHA256 of the canonical document without `signature`. */
  readonly value: string;
}

/** A plan document as written by `exoform plan --out`: signed when EXOFORM_PLAN_KEY was set. */
export type SignedPlanDocument = PlanDocument & { readonly signature?: PlanSignature };

/** The key's id: the first 8 hex characters of its SHA-256. */
export function planKeyId(key: string): string {
  return sha256Hex(key).slice(0, 8);
}

function signatureValue(doc: PlanDocument | SignedPlanDocument, key: string): string {
  const { signature: _ignored, ...rest } = doc as SignedPlanDocument;
  return hmacOf(rest, key);
}

/** `doc` with a signature by `key` (replacing any earlier one). */
export function signPlan(doc: PlanDocument, key: string): SignedPlanDocument {
  const { signature: _ignored, ...rest } = doc as SignedPlanDocument;
  return { ...rest, signature: { alg: PLAN_SIGNATURE_ALG, keyId: planKeyId(key), value: signatureValue(rest, key) } };
}

/**
 * Whether `doc` carries a valid signature by `key`: "unsigned" (no signature
 * field), "other_key" (signed, by a key with another id), "mismatch" (by
 * this key's id, but not over this content: edited after it was signed), or "ok".
 */
export function verifyPlanSignature(doc: PlanDocument | SignedPlanDocument, key: string): "ok" | "unsigned" | "other_key" | "mismatch" {
  const signature: unknown = (doc as SignedPlanDocument).signature;
  if (signature === undefined || signature === null) return "unsigned";
  if (typeof signature !== "object") return "mismatch";
  if ((signature as PlanSignature).keyId !== planKeyId(key)) return "other_key";
  const { alg, value } = signature as PlanSignature;
  if (alg !== PLAN_SIGNATURE_ALG || typeof value !== "string") return "mismatch";
  return sameHex(value, signatureValue(doc, key)) ? "ok" : "mismatch";
}
