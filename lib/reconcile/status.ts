/**
 * The status document a reconcile cycle writes (schema/reconcile-status.schema.json),
 * with conditions in Kubernetes' shape: each of Ready, Drifted, Healing and
 * Degraded has a status, a CamelCase reason, a message and the time it last
 * changed status (kept from the previous cycle while the status stays).
 */
import type { ActionStatus } from "../apply/types.js";
import type { ActionClass, HealClass } from "./classify.js";

export const RECONCILE_STATUS_FORMAT_VERSION = 1;

export type ConditionType = "Ready" | "Drifted" | "Healing" | "Degraded";
export const CONDITION_TYPES: readonly ConditionType[] = ["Ready", "Drifted", "Healing", "Degraded"];

export interface Condition {
  readonly type: ConditionType;
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

/** One action the cycle healed or left, as the status lists it. */
export interface StatusAction {
  readonly id: string;
  readonly type: string;
  readonly target: string;
  readonly class: ActionClass;
  readonly description: string;
  /** Healed actions: how the apply ended for it. */
  readonly outcome?: ActionStatus;
}

export interface ReconcileStatus {
  readonly formatVersion: typeof RECONCILE_STATUS_FORMAT_VERSION;
  readonly stack: string | null;
  readonly tenantId: string | null;
  /** Cycles run by this process, from 1. */
  readonly cycle: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The desired state's digest ("sha256:..."): which generation of the code this cycle reconciled. */
  readonly observedGeneration: string | null;
  /** The classes opted into (--heal). */
  readonly heal: readonly HealClass[];
  readonly conditions: readonly Condition[];
  /** Actions the cycle's plan held, per class, before healing. */
  readonly planned: Readonly<Record<ActionClass, number>>;
  readonly healed: readonly StatusAction[];
  /** In a heal class not opted into (or waiting on a change under review). */
  readonly notOptedIn: readonly StatusAction[];
  readonly awaitingReview: readonly StatusAction[];
  /** The heal plan saved for audit, when the cycle applied one. */
  readonly healPlan?: string;
  /** Why the cycle did nothing: another replica holds the lease, or an apply holds the tenant lock. */
  readonly skipped?: { readonly reason: "LeaseHeld" | "TenantLocked"; readonly message: string };
  readonly error?: { readonly code: string; readonly message: string };
  /** Differences that remain after the cycle (healing included): what --once's exit code says. */
  readonly remaining: number;
}

export type ConditionInput = Omit<Condition, "lastTransitionTime">;

/** Conditions for `now`, each keeping its lastTransitionTime from `previous` while its status is unchanged. */
export function withTransitions(next: readonly ConditionInput[], previous: readonly Condition[], now: string): Condition[] {
  const before = new Map(previous.map((c) => [c.type, c]));
  return next.map((c) => {
    const old = before.get(c.type);
    return { ...c, lastTransitionTime: old !== undefined && old.status === c.status ? old.lastTransitionTime : now };
  });
}

/** What a cycle found, the input of its conditions. */
export interface CycleFacts {
  readonly planned: number;
  readonly healedOk: number;
  readonly healFailed: number;
  readonly remaining: number;
  readonly skipped?: ReconcileStatus["skipped"];
  readonly error?: ReconcileStatus["error"];
}

/** The four conditions of a cycle. */
export function conditionsOf(f: CycleFacts): ConditionInput[] {
  if (f.error !== undefined) {
    const unknown = (type: ConditionType): ConditionInput => ({ type, status: "Unknown", reason: "CycleFailed", message: "the cycle failed before the tenant was compared" });
    return [
      { type: "Ready", status: "False", reason: "CycleFailed", message: f.error.message },
      unknown("Drifted"),
      { type: "Healing", status: "False", reason: "CycleFailed", message: "nothing was healed" },
      { type: "Degraded", status: "True", reason: "CycleFailed", message: f.error.message },
    ];
  }
  if (f.skipped !== undefined) {
    const { reason, message } = f.skipped;
    return [
      { type: "Ready", status: "Unknown", reason, message },
      { type: "Drifted", status: "Unknown", reason, message },
      { type: "Healing", status: "False", reason, message },
      { type: "Degraded", status: "False", reason, message },
    ];
  }
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  return [
    f.remaining === 0
      ? { type: "Ready", status: "True", reason: f.healedOk > 0 ? "Healed" : "InSync", message: "the tenant matches the code" }
      : { type: "Ready", status: "False", reason: "DifferencesRemain", message: `${plural(f.remaining, "change")} remain (not opted into healing, or awaiting review)` },
    f.planned > 0
      ? { type: "Drifted", status: "True", reason: "ChangesPlanned", message: `the tenant differed from the code by ${plural(f.planned, "action")}` }
      : { type: "Drifted", status: "False", reason: "InSync", message: "the tenant matched the code" },
    f.healedOk + f.healFailed > 0
      ? { type: "Healing", status: "True", reason: "Healed", message: `${plural(f.healedOk, "action")} healed${f.healFailed > 0 ? `, ${f.healFailed} failed` : ""}` }
      : { type: "Healing", status: "False", reason: "NothingToHeal", message: "no action in an opted-in class" },
    f.healFailed > 0
      ? { type: "Degraded", status: "True", reason: "HealFailed", message: `${plural(f.healFailed, "heal action")} failed` }
      : { type: "Degraded", status: "False", reason: "Healthy", message: "the cycle completed" },
  ];
}
