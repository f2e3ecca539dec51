/**
 * evaluatePolicy: check a plan document against a policy. Pure. Reads only
 * the plan document (its actions and their access changes) plus an optional
 * context for what the plan does not carry (who is on hold, how many
 * FullAccess trustees a mailbox has now).
 */
import type { PlanAction, PlanView } from "../plan/types.js";
import type { ObservedState, Right } from "../provider/observed.js";
import { compareStrings } from "../private/canonical-json.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type {
  ForbidSignInExceptionsRule,
  FullAccessTrusteesRule,
  HoldReviewRule,
  MaxMembersRule,
  Policy,
  PolicyContext,
  PolicyResult,
  PolicyRule,
  PolicyViolation,
} from "./types.js";

export function evaluatePolicy(doc: PlanView, policy: Policy, context: PolicyContext = {}): PolicyResult[] {
  return policy.rules.map((rule) => {
    const violations = sortViolations(violationsOf(rule, doc, context));
    return { ruleId: rule.id, kind: rule.kind, level: rule.level, description: rule.description, passed: violations.length === 0, violations };
  });
}

/** True when a mandatory rule failed: the plan command exits 1. */
export function mandatoryFailed(results: readonly PolicyResult[]): boolean {
  return results.some((r) => r.level === "mandatory" && !r.passed);
}

/** Failed rules as diagnostics (mandatory: error, advisory: warning), for stderr in every output format. */
export function policyDiagnostics(results: readonly PolicyResult[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of results) {
    for (const v of r.violations) {
      out.push({
        severity: r.level === "mandatory" ? "error" : "warning",
        code: `policy_${r.kind}`,
        target: v.target,
        location: `policy rule ${r.ruleId} (${r.level})`,
        message: v.message,
      });
    }
  }
  return out;
}

/** The context the plan command can build from the observation it planned against. */
export function policyContextFromObserved(observed: ObservedState): PolicyContext {
  const holdMailboxes: string[] = [];
  for (const m of observed.mailboxes) if (m.deletedAt === null && m.litigationHold) holdMailboxes.push(m.address.toLowerCase());
  const fullAccessCounts = new Map<string, number>();
  for (const g of observed.grants) {
    if (g.right !== "FullAccess") continue;
    const mailbox = g.mailbox.toLowerCase();
    fullAccessCounts.set(mailbox, (fullAccessCounts.get(mailbox) ?? 0) + 1);
  }
  return { holdMailboxes, fullAccessCounts };
}

function violationsOf(rule: PolicyRule, doc: PlanView, context: PolicyContext): PolicyViolation[] {
  switch (rule.kind) {
    case "noDestructive":
      return doc.actions.filter((a) => a.destructive).map((a) => ({ target: a.target, message: `${a.id} is destructive: ${a.description}` }));
    case "fullAccessTrustees":
      return trusteeViolations(rule, doc);
    case "maxMembers":
      return maxMembersViolations(rule, doc, context);
    case "holdReview":
      return holdViolations(rule, doc, context);
    case "forbidSignInExceptions":
      return signInViolations(rule, context);
  }
}

/** The shape of a desired-state document this needs (lib/model's canonical form has it). */
export interface DesiredSignIns {
  readonly sharedMailboxes: readonly { readonly address: string; readonly signIn?: { readonly allowed: boolean; readonly reason?: string } }[];
}

/** The context the plan command adds from the desired state it planned: the declared sign-in exceptions. */
export function policyContextFromDesired(desired: DesiredSignIns): PolicyContext {
  const signInExceptions = new Map<string, string>();
  for (const m of desired.sharedMailboxes) if (m.signIn?.allowed === true) signInExceptions.set(m.address.toLowerCase(), m.signIn.reason ?? "");
  return { signInExceptions };
}

/**
 * The plan document does not carry the declaration, so the exceptions come
 * from the context; without it the rule cannot be checked and fails, saying
 * so, rather than pass a plan nobody looked at.
 */
function signInViolations(rule: ForbidSignInExceptionsRule, context: PolicyContext): PolicyViolation[] {
  if (context.signInExceptions === undefined) {
    return [{ target: "", message: `rule ${rule.id} needs the desired state's sign-in exceptions, which were not given to the policy check; run it through exoform plan --policy` }];
  }
  const allowed = new Set((rule.allow ?? []).map((a) => a.toLowerCase()));
  const out: PolicyViolation[] = [];
  for (const [mailbox, reason] of context.signInExceptions) {
    if (allowed.has(mailbox)) continue;
    out.push({
      target: mailbox,
      message: `shared mailbox ${mailbox} declares a sign-in exception ("${reason}"); this policy forbids them: remove signIn so sign-in is blocked (R4.1), or list ${mailbox} under "allow" in rule ${rule.id}`,
    });
  }
  return out;
}

function* gains(doc: PlanView): Generator<{ action: PlanAction; mailbox: string; principal: string; right: Right }> {
  for (const action of doc.actions) {
    for (const c of action.access) {
      if (c.change === "gain") yield { action, mailbox: c.mailbox.toLowerCase(), principal: c.principal.toLowerCase(), right: c.right };
    }
  }
}

function trusteeViolations(rule: FullAccessTrusteesRule, doc: PlanView): PolicyViolation[] {
  const rights = new Set<Right>(rule.rights ?? ["FullAccess"]);
  const allowed = new Set(rule.allow);
  const out: PolicyViolation[] = [];
  for (const g of gains(doc)) {
    if (!rights.has(g.right)) continue;
    const domain = g.principal.slice(g.principal.lastIndexOf("@") + 1);
    if (allowed.has(g.principal) || allowed.has(domain)) continue;
    out.push({ target: g.mailbox, message: `${g.principal} would gain ${g.right} on ${g.mailbox}; only ${rule.allow.join(", ")} may hold it` });
  }
  return out;
}

/**
 * What is counted: distinct direct FullAccess trustees of each mailbox the
 * plan GIVES FullAccess on, after the plan: the current count (context, or 0
 * for a mailbox the plan creates) plus principals gaining FullAccess minus
 * those losing it (a revoke + re-grant of the same trustee, e.g. an
 * autoMapping change, counts zero). Without a current count the figure is a
 * lower bound and the message says "at least". Mailboxes the plan gives no
 * FullAccess on are not checked: the plan does not make them worse.
 */
function maxMembersViolations(rule: MaxMembersRule, doc: PlanView, context: PolicyContext): PolicyViolation[] {
  const created = new Set(doc.actions.filter((a) => a.type === "mailbox.create").map((a) => a.target.toLowerCase()));
  const gained = new Map<string, Set<string>>();
  const lost = new Map<string, Set<string>>();
  for (const action of doc.actions) {
    for (const c of action.access) {
      if (c.right !== "FullAccess") continue;
      const map = c.change === "gain" ? gained : lost;
      const mailbox = c.mailbox.toLowerCase();
      let set = map.get(mailbox);
      if (!set) map.set(mailbox, (set = new Set()));
      set.add(c.principal.toLowerCase());
    }
  }
  const out: PolicyViolation[] = [];
  for (const [mailbox, gainSet] of gained) {
    const lossSet = lost.get(mailbox) ?? new Set<string>();
    const added = [...gainSet].filter((p) => !lossSet.has(p)).length;
    const removed = [...lossSet].filter((p) => !gainSet.has(p)).length;
    const known = created.has(mailbox) ? 0 : context.fullAccessCounts?.get(mailbox);
    const after = (known ?? 0) + added - (known === undefined ? 0 : removed);
    if (after > rule.max) {
      out.push({
        target: mailbox,
        message: `${mailbox} would have ${known === undefined ? "at least " : ""}${after} FullAccess trustees after the plan, more than ${rule.max}`,
      });
    }
  }
  return out;
}

/** A mailbox is on hold when the plan says so (params.mailboxOnHold, or an update turning the hold on), the context says so, or the rule lists it. */
function holdViolations(rule: HoldReviewRule, doc: PlanView, context: PolicyContext): PolicyViolation[] {
  const onHold = new Set<string>([...(context.holdMailboxes ?? [])].map((m) => m.toLowerCase()));
  for (const m of rule.holdMailboxes ?? []) onHold.add(m);
  for (const a of doc.actions) {
    const change = a.params.changes?.["litigationHold"];
    if (a.type === "mailbox.update" && change?.to === true) onHold.add(a.target.toLowerCase());
  }
  const reviewed = new Set((rule.reviewed ?? []).map((r) => `${r.mailbox}|${r.trustee}|${r.right ?? "*"}`));
  const out: PolicyViolation[] = [];
  for (const g of gains(doc)) {
    const flagged = (g.action.params as { readonly mailboxOnHold?: boolean }).mailboxOnHold === true;
    if (!flagged && !onHold.has(g.mailbox)) continue;
    if (reviewed.has(`${g.mailbox}|${g.principal}|${g.right}`) || reviewed.has(`${g.mailbox}|${g.principal}|*`)) continue;
    out.push({
      target: g.mailbox,
      message: `${g.principal} would gain ${g.right} on ${g.mailbox}, which is on litigation hold; have it reviewed and list it under "reviewed" in rule ${rule.id}`,
    });
  }
  return out;
}

/** Sorted, and once each: two actions can give the same access (a conversion and a grant). */
function sortViolations(list: PolicyViolation[]): PolicyViolation[] {
  const sorted = list.sort((a, b) => compareStrings(a.target, b.target) || compareStrings(a.message, b.message));
  return sorted.filter((v, i) => i === 0 || v.target !== sorted[i - 1]!.target || v.message !== sorted[i - 1]!.message);
}
