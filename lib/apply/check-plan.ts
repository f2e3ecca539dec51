/**
 * What apply checks before it touches anything.
 *
 * Every plan (checkPlanDocument, run by the engine on any document): it is one
 * this version understands (formatVersion), was not modified after it was
 * written (contentDigest), has no error diagnostics, and is internally
 * consistent (unique ids, known types, dependsOn pointing backwards).
 *
 * A plan FILE (checkPlanFile, `exoform apply plan.json`) is untrusted input: a
 * digest detects accidents, not edits, since whoever edits the file can
 * recompute it. So a file is also checked against schema/plan.schema.json, a
 * closed vocabulary (each action type with exactly its own params, the
 * reasons the planner gives, fingerprints for every action), for the
 * consistency the planner always keeps (ids derived from type, target and
 * params; access matching the grant; summary counts), and, with
 * EXOFORM_PLAN_KEY set, for a valid signature (lib/plan/document.ts).
 *
 * Then, after the fresh read and before any write (checkNotStale, with
 * checkPlanInvariants): the rules apply can check by itself whatever the plan
 * says (no mailbox deleted unless its management tag names this plan's stack;
 * no grant outside the tenant's domains), and that the tenant has not moved
 * away from the plan (fingerprints, lib/plan/fingerprint.ts). writeRefusal
 * re-checks the same rules right before one write, against a point read.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { ajvPackage } from "../private/ajv.js";
import schema from "../../schema/plan.schema.json" with { type: "json" };
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { UserError } from "../diagnostics/errors.js";
import { formatManagementTag, parseManagementTag } from "../model/management-tag.js";
import { trusteeProblems, type GrantList } from "../model/validate.js";
import { planKeyId, summarize, verifyContentDigest, verifyPlanSignature, type SignedPlanDocument } from "../plan/document.js";
import { FingerprintIndex, staleKeys } from "../plan/fingerprint.js";
import { actionId } from "../plan/ids.js";
import { ACTION_TYPES, PLAN_FORMAT_VERSION, type PlanAction, type PlanDocument } from "../plan/types.js";
import type { ObservedMailbox, ObservedState, Right } from "../provider/observed.js";
import type { EffectReader } from "./execute.js";
import type { ActionError } from "./types.js";

function problem(code: string, message: string, target = ""): Diagnostic {
  return { severity: "error", code, target, message };
}

/**
 * `value` as a plan apply can run, or a UserError listing every problem.
 * `source` names the file in messages.
 */
export function checkPlanDocument(value: unknown, source = "plan"): PlanDocument {
  const doc = checkFormat(value, source);
  const problems = documentProblems(doc, source);
  if (problems.length > 0) throw new UserError(problems);
  return doc;
}

/** A JSON object of this formatVersion with contentDigest, actions and fingerprint, or a UserError. */
function checkFormat(value: unknown, source: string): PlanDocument {
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
  if (typeof doc.contentDigest !== "string" || !Array.isArray(doc.actions) || typeof doc.fingerprint !== "object") {
    throw new UserError([problem("not_a_plan", `${source}: not a plan document (contentDigest, actions or fingerprint missing)`)]);
  }
  return doc as PlanDocument;
}

function digestProblem(doc: PlanDocument, source: string): Diagnostic[] {
  if (verifyContentDigest(doc)) return [];
  return [
    problem(
      "plan_modified",
      `${source}: the plan was modified after it was written (contentDigest does not match its content); plans cannot be edited, plan again instead`,
    ),
  ];
}

function documentProblems(doc: PlanDocument, source: string): Diagnostic[] {
  const problems = digestProblem(doc, source);
  const errors = (doc.diagnostics ?? []).filter((d) => d.severity === "error");
  for (const d of errors) {
    problems.push({ ...d, message: `the plan has errors and cannot be applied: ${d.message}` });
  }
  problems.push(...checkActions(doc.actions, source));
  return problems;
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

// ------------------------------------------------------------------ plan files

export interface PlanFileOptions {
  /** EXOFORM_PLAN_KEY (planKeyFrom): when set, the plan must carry a valid signature by it. */
  readonly key?: string | undefined;
}

export interface CheckedPlanFile {
  readonly doc: SignedPlanDocument;
  /** Problems that do not stop apply (a signature that could not be checked). */
  readonly warnings: readonly Diagnostic[];
}

/**
 * A plan file as apply may run it: everything checkPlanDocument checks, plus
 * the signature (with a key), the schema's closed vocabulary, and the
 * consistency the planner always keeps. Every problem is reported at once.
 */
export function checkPlanFile(value: unknown, source: string, options: PlanFileOptions = {}): CheckedPlanFile {
  const doc = checkFormat(value, source) as SignedPlanDocument;
  const warnings: Diagnostic[] = [];
  const problems: Diagnostic[] = [];
  if (options.key !== undefined) problems.push(...signatureProblems(doc, source, options.key));
  else if (doc.signature !== undefined && doc.signature !== null) {
    const keyId: unknown = (doc.signature as { keyId?: unknown }).keyId;
    warnings.push({
      severity: "warning",
      code: "plan_signature_not_checked",
      target: "",
      message: `${source}: the plan is signed (key ${typeof keyId === "string" ? keyId : "?"}), but EXOFORM_PLAN_KEY is not set, so the signature was not checked; set EXOFORM_PLAN_KEY to the key the plan was signed with, and apply refuses a plan edited after planning`,
    });
  }
  const shape = schemaProblems(doc, source);
  if (shape.length > 0) {
    // the rest reads fields the schema vouches for: only the digest is checked on a malformed plan
    problems.push(...digestProblem(doc, source), ...shape);
  } else {
    problems.push(...documentProblems(doc, source), ...consistencyProblems(doc, source));
  }
  if (problems.length > 0) throw new UserError(problems);
  return { doc, warnings };
}

/** EXOFORM_PLAN_KEY from `env`: undefined when unset or empty (a secret a fork's pull request cannot read is empty). */
export function planKeyFrom(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const key = env["EXOFORM_PLAN_KEY"];
  if (key === undefined || key === "") return undefined;
  if (key.length < MIN_KEY_LENGTH) {
    throw new UserError(
      `EXOFORM_PLAN_KEY is set but shorter than ${MIN_KEY_LENGTH} characters, too short to sign plans with; make one with: openssl rand -hex 32, and keep it in a secret store (a repository secret in CI); nothing was done`,
      "plan_key_too_short",
    );
  }
  return key;
}

const MIN_KEY_LENGTH = 32;

function signatureProblems(doc: SignedPlanDocument, source: string, key: string): Diagnostic[] {
  switch (verifyPlanSignature(doc, key)) {
    case "ok":
      return [];
    case "unsigned":
      return [
        problem(
          "plan_unsigned",
          `${source}: the plan is not signed, and EXOFORM_PLAN_KEY is set: apply runs only plans signed with that key (rule: signed plans); make the plan with exoform plan --out while EXOFORM_PLAN_KEY holds the same key (in CI, pass the same secret to the plan job and the apply job); nothing was changed`,
        ),
      ];
    case "other_key":
      return [
        problem(
          "plan_signed_with_other_key",
          `${source}: the plan is signed with key ${String(doc.signature?.keyId)}, but EXOFORM_PLAN_KEY is key ${planKeyId(key)} (a key's id is the first 8 hex characters of its SHA-256; rule: signed plans); plan again with the key apply uses, or give apply the key the plan was signed with; nothing was changed`,
        ),
      ];
    case "mismatch":
      return [
        problem(
          "plan_signature_mismatch",
          `${source}: the plan's signature does not match its content: it was modified after it was signed (rule: signed plans cannot be edited); plan again with exoform plan --out and review the new plan; nothing was changed`,
        ),
      ];
  }
}

// ------------------------------------------------------------------ schema

interface Validators {
  /** Stops at the first error: the fast yes/no for a plan of a hundred thousand actions. */
  readonly fast: ValidateFunction;
  /** Every error, for the report. */
  readonly whole: ValidateFunction;
  /** ActionFields: the fields every action has. */
  readonly fields: ValidateFunction;
  /** The oneOf branch of each action type. */
  readonly branches: ReadonlyMap<string, ValidateFunction>;
}

let validators: Validators | undefined;

function compiled(): Validators {
  if (validators === undefined) {
    const { Ajv } = ajvPackage();
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addSchema(schema);
    const defs = schema.definitions as unknown as Record<string, { properties?: { type?: { const?: string } } }>;
    const branches = new Map<string, ValidateFunction>();
    for (const { $ref } of schema.definitions.Action.oneOf) {
      const name = $ref.replace("#/definitions/", "");
      const type = defs[name]?.properties?.type?.const;
      if (type !== undefined) branches.set(type, ajv.getSchema(`${schema.$id}#/definitions/${name}`)!);
    }
    validators = {
      fast: new Ajv({ allErrors: false, strict: true }).compile(schema),
      whole: ajv.getSchema(schema.$id)!,
      fields: ajv.getSchema(`${schema.$id}#/definitions/ActionFields`)!,
      branches,
    };
  }
  return validators;
}

/** Every way `doc` departs from schema/plan.schema.json, one diagnostic each, an action's errors from its own type's branch only. */
function schemaProblems(doc: unknown, source: string): Diagnostic[] {
  const { fast, whole, fields, branches } = compiled();
  if (fast(doc) || whole(doc)) return [];
  const out: Diagnostic[] = [];
  const actionsWithErrors = new Set<number>();
  for (const e of whole.errors ?? []) {
    const m = /^\/actions\/(\d+)(?:\/|$)/.exec(e.instancePath);
    if (m) actionsWithErrors.add(Number(m[1]));
    else if (e.keyword !== "if") out.push(schemaDiagnostic(doc, e, source, "", ""));
  }
  const actions = (doc as { actions: unknown[] }).actions;
  for (const i of [...actionsWithErrors].sort((a, b) => a - b)) {
    const action = actions[i] as Record<string, unknown> | undefined;
    const prefix = `/actions/${i}`;
    const type = typeof action?.["type"] === "string" ? (action["type"] as string) : "";
    const target = typeof action?.["target"] === "string" ? (action["target"] as string) : "";
    const errors: ErrorObject[] = [];
    if (!fields(action)) errors.push(...(fields.errors ?? []));
    const own = branches.get(type);
    // an unknown type matches no branch: its ActionFields error says so, and the branches would only add noise
    if (own !== undefined && !own(action)) errors.push(...(own.errors ?? []));
    for (const e of errors) out.push(schemaDiagnostic(doc, { ...e, instancePath: `${prefix}${e.instancePath}` }, source, type, target));
  }
  return out;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let v: unknown = doc;
  for (const part of pointer.split("/").slice(1)) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? "undefined";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function schemaDiagnostic(doc: unknown, e: ErrorObject, source: string, type: string, target: string): Diagnostic {
  const value = valueAt(doc, e.instancePath);
  const field = e.instancePath.split("/").pop() ?? "";
  const params = e.params as Record<string, unknown>;
  const kind = type !== "" ? ` of a ${type} action` : "";
  let what: string;
  switch (e.keyword) {
    case "additionalProperties":
      what = `unknown field "${String(params["additionalProperty"])}"${field === "params" ? ` in the params${kind}: each action type takes exactly its own params` : ""}`;
      break;
    case "required":
      what = `"${String(params["missingProperty"])}" is missing${kind}`;
      break;
    case "enum":
      what =
        field === "type"
          ? `action type ${shown(value)} is unknown to this exoform`
          : field === "reason"
            ? `reason ${shown(value)} is not one the planner gives`
            : `${shown(value)} is not one of ${shown(params["allowedValues"])}`;
      break;
    case "const":
      what = `${field} must be ${shown(params["allowedValue"])}${kind}, not ${shown(value)}`;
      break;
    case "minProperties":
      what =
        e.instancePath === "/fingerprint/objects"
          ? "fingerprint.objects is empty, but the plan has actions: every action records the tenant objects it depends on (docs/decisions/0005)"
          : `${field} ${e.message ?? "is too small"}`;
      break;
    case "maxItems":
      what = field === "access" ? `a ${type} action gives or takes no more access than its params say, but lists ${Array.isArray(value) ? value.length : "more"}` : `${field} ${e.message ?? ""}`;
      break;
    default:
      what = `${shown(value)} ${e.message ?? "is not valid"}`;
  }
  return {
    severity: "error",
    code: "plan_schema",
    target,
    location: `${source}#${e.instancePath}`,
    message: `the plan does not match schema/plan.schema.json: ${what}; plans come from exoform plan and cannot be edited: plan again`,
  };
}

// ------------------------------------------------------------------ consistency

/** The fingerprint keys the planner records for every action of a type, whatever the tenant (docs/decisions/0005). */
export function requiredFingerprintKeys(action: PlanAction): string[] {
  const t = action.target;
  const p = action.params;
  switch (action.type) {
    case "permission.grant":
      return [`mailbox:${t}`, `grants:${t}`, `user:${p.trustee ?? ""}`];
    case "permission.revoke":
    case "mailbox.delete":
      return [`mailbox:${t}`, `grants:${t}`];
    case "mailbox.create":
      return [`mailbox:${t}`, `user:${t}`];
    case "mailbox.update":
    case "mailbox.convert":
    case "mailbox.wait":
      return [`mailbox:${t}`];
    case "user.assignLicense":
      return [`user:${t}`, `sku:${p.sku ?? ""}`, ...(p.replaces ?? []).map((r) => `sku:${r}`)];
    case "user.removeLicense":
      return [`user:${t}`, `sku:${p.sku ?? ""}`];
    case "user.restore":
    case "user.resetPassword":
    case "user.blockSignIn":
    case "user.allowSignIn":
    case "user.revokeSessions":
      return [`user:${t}`];
    case "mailbox.rename":
      return [`mailbox:${t}`, `mailbox:${p.from ?? ""}`];
    case "user.rename":
      return [`user:${t}`, `user:${p.from ?? ""}`];
  }
}

/** What the planner always keeps true of its own document, and an edit easily breaks. */
function consistencyProblems(doc: PlanDocument, source: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const inconsistent = (i: number, a: PlanAction, what: string) =>
    out.push({
      ...problem("plan_inconsistent", `action ${a.id}: ${what}; exoform plan never writes such a plan, so it was edited: plan again`, a.target),
      location: `${source}#/actions/${i}`,
    });
  doc.actions.forEach((a, i) => {
    const expected = actionId(a.type, a.target, a.params);
    if (a.id !== expected) inconsistent(i, a, `its id is not derived from its type, target and params (they give ${expected})`);
    if (a.type === "permission.grant" || a.type === "permission.revoke") {
      const change = a.type === "permission.grant" ? "gain" : "lose";
      for (const c of a.access) {
        if (c.mailbox !== a.target || c.principal !== a.params.trustee || c.right !== a.params.right || c.change !== change) {
          inconsistent(i, a, `its access (${c.principal} would ${c.change} ${c.right} on ${c.mailbox}) is not what its params do (${a.params.trustee} would ${change} ${a.params.right} on ${a.target})`);
        }
      }
    }
    if (a.type === "mailbox.delete") {
      for (const c of a.access) if (c.mailbox !== a.target) inconsistent(i, a, `its access names mailbox ${c.mailbox}, but it deletes ${a.target}`);
    }
    for (const key of requiredFingerprintKeys(a)) {
      if (doc.fingerprint.objects[key] === undefined) {
        out.push({
          ...problem(
            "fingerprint_missing",
            `action ${a.id} depends on ${key}, which has no fingerprint: the planner records every object an action depends on (docs/decisions/0005), so apply could not tell whether it changed; plan again`,
            a.target,
          ),
          location: `${source}#/fingerprint/objects`,
        });
      }
    }
  });
  const counted = summarize(doc.actions, doc.diagnostics);
  for (const key of Object.keys(counted) as (keyof typeof counted)[]) {
    if (doc.summary[key] !== counted[key]) {
      out.push({
        ...problem("plan_inconsistent", `summary.${key} is ${doc.summary[key]}, but the actions and diagnostics count ${counted[key]}; exoform plan never writes such a plan, so it was edited: plan again`),
        location: `${source}#/summary/${key}`,
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------ invariants

const LIST_OF: Readonly<Record<Right, GrantList>> = { FullAccess: "fullAccess", SendAs: "sendAs", SendOnBehalf: "sendOnBehalf" };

export const PLAN_RULES = {
  deleteTagged: "a mailbox is deleted only when its management tag (CustomAttribute15) names this plan's stack with removal=delete (docs/decisions/0002)",
  trusteeInTenant: "grants go only to people inside the tenant's domains (R3.8)",
  noSelfGrant: "a mailbox is never its own trustee",
  ownTag: "a plan writes only its own stack's management tag",
} as const;

/**
 * The rule `action` breaks, given the mailbox at its target as read now
 * (undefined when not read: only the rules that need no read are checked),
 * or null. Shared by the check before any write and the check before each.
 */
function invariantViolation(
  plan: Pick<PlanDocument, "stack">,
  action: PlanAction,
  live: ObservedMailbox | null | undefined,
  domains: readonly string[],
): { code: string; rule: string; why: string } | null {
  const p = action.params;
  switch (action.type) {
    case "mailbox.delete": {
      if (live === undefined || live === null) return null; // nothing live to delete: the delete is done, or there is nothing to refuse
      const tag = parseManagementTag(live.managementTag);
      if (tag?.stack === plan.stack) return null;
      const has = live.managementTag === null || live.managementTag === "" ? "no management tag" : `management tag ${JSON.stringify(live.managementTag)}`;
      return {
        code: "delete_not_tagged",
        rule: PLAN_RULES.deleteTagged,
        why: `it deletes ${action.target}, which has ${has}, not ${JSON.stringify(formatManagementTag({ stack: plan.stack, removal: "delete" }))}`,
      };
    }
    case "permission.grant": {
      if (p.right === undefined || p.trustee === undefined) return null;
      const found = trusteeProblems(action.target, LIST_OF[p.right], p.trustee, domains)[0];
      if (found === undefined) return null;
      return { code: found.code, rule: found.code === "self_grant" ? PLAN_RULES.noSelfGrant : PLAN_RULES.trusteeInTenant, why: found.message };
    }
    case "mailbox.update": {
      const to = p.changes?.["managementTag"]?.to;
      if (to === undefined || to === null || to === formatManagementTag({ stack: plan.stack, removal: "delete" })) return null;
      return { code: "foreign_management_tag", rule: PLAN_RULES.ownTag, why: `it sets the management tag of ${action.target} to ${JSON.stringify(to)}, which is not this stack's ("${plan.stack}")` };
    }
    default:
      return null;
  }
}

function refusal(action: PlanAction, v: { rule: string; why: string }): string {
  return `refused: action ${action.id} breaks the rule "${v.rule}": ${v.why}; exoform plan never writes such a plan, so it was edited or made for another tenant: plan again and review it; nothing was changed`;
}

/**
 * Refuse, before any write, a plan that breaks a rule apply can check by
 * itself against `observed` (the fresh read apply makes): no mailbox deleted
 * unless its management tag names this plan's stack with removal=delete; no
 * grant to a trustee outside the tenant's domains; no management tag of
 * another stack; no plan that tags a mailbox and deletes it. Names the
 * action and the rule. Called by checkNotStale, which the engine runs right
 * after its read, before its first write.
 */
export function checkPlanInvariants(plan: PlanDocument, observed: ObservedState, source = "plan"): void {
  const problems = invariantProblems(plan, observed, source);
  if (problems.length > 0) throw new UserError(problems);
}

function invariantProblems(plan: PlanDocument, observed: ObservedState, source: string): Diagnostic[] {
  const live = new Map<string, ObservedMailbox>();
  for (const m of observed.mailboxes) if (m.deletedAt === null) live.set(m.address, m);
  const tagged = new Set<string>();
  for (const a of plan.actions) {
    const to = a.type === "mailbox.update" ? a.params.changes?.["managementTag"]?.to : undefined;
    if (typeof to === "string") tagged.add(a.target);
  }
  const out: Diagnostic[] = [];
  plan.actions.forEach((a, i) => {
    const where = `${source}#/actions/${i}`;
    const v = invariantViolation(plan, a, live.get(a.target) ?? null, observed.tenant.domains);
    if (v !== null) out.push({ ...problem(v.code, refusal(a, v), a.target), location: where });
    if (a.type === "mailbox.delete" && tagged.has(a.target)) {
      const why = `the same plan writes the management tag of ${a.target} that would allow it; the tag must be on the mailbox before the plan is made`;
      out.push({ ...problem("delete_not_tagged", refusal(a, { rule: PLAN_RULES.deleteTagged, why }), a.target), location: where });
    }
  });
  return out;
}

/**
 * The per-write re-check: the rule `action` breaks right before its write,
 * read through `reader` (a point read of the mailbox for a delete), or null.
 * For the engine to call after its pre-check and before the write, failing
 * the action with the returned error (nothing is written).
 */
export async function writeRefusal(
  plan: Pick<PlanDocument, "stack">,
  action: PlanAction,
  reader: EffectReader,
  domains: readonly string[],
): Promise<ActionError | null> {
  const live = action.type === "mailbox.delete" ? await reader.mailbox(action.target) : undefined;
  const v = invariantViolation(plan, action, live !== null && live !== undefined && live.deletedAt !== null ? null : live, domains);
  return v === null ? null : { code: "PlanRuleViolated", kind: "precondition", message: refusal(action, v) };
}

// ------------------------------------------------------------------ staleness

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
  // a rename empties its old address (mailbox.rename, user.rename)
  if (action.params.from !== undefined) keys.push(`mailbox:${action.params.from}`, `grants:${action.params.from}`, `user:${action.params.from}`);
  return keys;
}

/**
 * Refuse a plan that breaks a rule apply checks by itself (checkPlanInvariants)
 * or that the tenant has moved away from: every recorded fingerprint must
 * match `observed`, except `excused` keys (objects the plan itself has already
 * changed, on resume). Every problem at once.
 */
export function checkNotStale(doc: PlanDocument, observed: ObservedState, excused: ReadonlySet<string> = new Set()): void {
  const problems = invariantProblems(doc, observed, "plan");
  const index = FingerprintIndex.over(observed);
  const stale = staleKeys(doc.fingerprint.objects, index).filter((k) => !excused.has(k));
  for (const key of stale) {
    const { what, target } = describeFingerprintKey(key);
    problems.push(
      problem("stale_plan", `stale plan: ${what} changed since the plan was made (observed ${doc.observedAt}); run exoform plan again and review the new plan`, target),
    );
  }
  if (problems.length > 0) throw new UserError(problems);
}
