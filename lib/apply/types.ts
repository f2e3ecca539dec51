/**
 * The apply engine's public shapes: its options, the progress events it
 * emits, and the result document it returns (schema/apply-result.schema.json
 * describes the JSON form for pipelines).
 */
import type { ActionType, PlanAction } from "../plan/types.js";
import type { ProviderErrorKind } from "../provider/errors.js";
import type { Journal } from "./journal.js";
import type { LockHolder, LockStore } from "./lock.js";

export const APPLY_RESULT_FORMAT_VERSION = 1;

export type ActionStatus = "done" | "skipped" | "failed" | "not_started";

export interface ApplyOptions {
  /**
   * The most writes in flight at once (mailbox.wait polls excepted): a cap. Below it the limit adapts
   * to the service, from 1 up while writes are answered at a flat latency, halving on a refusal
   * (concurrency.ts). Default 64.
   */
  readonly parallelism?: number;
  /** Where completed actions are recorded before their dependents start. Default: in memory (no resume). */
  readonly journal?: Journal;
  /** One apply per tenant at a time. Default: no lock (tests, single-process embedding). */
  readonly lock?: LockStore;
  /** Who is applying, for the lock record. Default: this process (user@host, pid). */
  readonly holder?: LockHolder;
  /** Progress, retries and notes; called synchronously, must not throw. */
  readonly onEvent?: (event: ApplyEvent) => void;
  /** Seed of the backoff jitter, so retries are reproducible in tests. Default 1. */
  readonly seed?: number;
  /** Retries of a transient error before the action fails. Default 8. Throttling is retried without limit. */
  readonly maxTransientRetries?: number;
  /** Extra minutes a mailbox.wait allows beyond the plan's estimate. Default 15. */
  readonly waitMarginMinutes?: number;
  /** First backoff delay in ms (doubles per attempt, capped at maxBackoffMs). Default 1000. */
  readonly baseBackoffMs?: number;
  /** Longest backoff delay in ms. Default 60000. */
  readonly maxBackoffMs?: number;
  /**
   * Against an eventually consistent provider (provider.consistency "eventual"): reads before
   * apply concludes that an effect is absent, when a write may have happened (a transient error,
   * a half-run action, a conflict) and when verifying. Default 5. A strongly consistent provider
   * is read once.
   */
  readonly settleReads?: number;
  /** The wait in ms of tenant time before the second of those reads; doubles for each next one. Default 3000 (5 reads over 45 s). */
  readonly settleDelayMs?: number;
  /** Re-read the tenant after apply and check every action's effect. Default true. */
  readonly verify?: boolean;
  /** Aborting stops new work like a failure does (running actions finish; the rest is not started). */
  readonly signal?: AbortSignal;
}

export interface ActionError {
  /** The service's own code, e.g. "CountViolation", or an exoform code like "WaitTimeout". */
  readonly code: string;
  readonly message: string;
  /** ProviderError kind, or "timeout" (wait budget exceeded) or "internal" (not a provider error). */
  readonly kind: ProviderErrorKind | "timeout" | "internal";
}

export interface ActionResult {
  readonly id: string;
  readonly type: ActionType;
  readonly target: string;
  readonly status: ActionStatus;
  /** Calls of the write (or readiness polls for mailbox.wait); 0 when skipped or not started. */
  readonly attempts: number;
  readonly durationMs: number;
  readonly error?: ActionError;
  /**
   * How the outcome was established when it was not a plain run:
   * "journal" (completed by an earlier run of this plan), "read" (the tenant
   * showed the effect of a write whose outcome was unknown: a half-run action
   * of an interrupted run, or a write that failed transiently, e.g. its
   * response lost; it was not written again), "conflict"/"notFound" (the
   * service refused because the effect was already there).
   */
  readonly settledBy?: "journal" | "read" | "conflict" | "notFound";
}

export interface ApplySummary {
  readonly total: number;
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly notStarted: number;
  readonly durationMs: number;
}

/** An effect the tenant does not show after apply. */
export interface RemainingDifference {
  /** The plan action whose effect is missing, or "" for a re-plan difference. */
  readonly actionId: string;
  readonly type: ActionType;
  readonly target: string;
  readonly description: string;
}

export interface Verification {
  /** "effects": each action's final effect re-read; "replan": the desired state planned again; "none": not verified. */
  readonly method: "effects" | "replan" | "none";
  readonly remaining: readonly RemainingDifference[];
}

export interface ApplyResult {
  readonly formatVersion: typeof APPLY_RESULT_FORMAT_VERSION;
  /** The plan's contentDigest. */
  readonly planId: string;
  readonly tenantId: string;
  readonly stack: string;
  /** True when a journal of an earlier, interrupted run of this plan was found. */
  readonly resumed: boolean;
  /** In plan order. */
  readonly actions: readonly ActionResult[];
  readonly summary: ApplySummary;
  /** Every action done or skipped, and the tenant shows the desired state. */
  readonly converged: boolean;
  readonly verification: Verification;
  /** What the run cost on the wire, per service (a tenant reached over HTTP; absent for the simulated tenant). */
  readonly cost?: Readonly<Record<string, { readonly requests: number; readonly throttled: number; readonly retries: number }>>;
}

export type ApplyEvent =
  | { readonly type: "start"; readonly total: number; readonly alreadyDone: number; readonly resumed: boolean }
  | { readonly type: "action-start"; readonly action: PlanAction }
  | { readonly type: "action-end"; readonly action: PlanAction; readonly result: ActionResult }
  | {
      readonly type: "retry";
      readonly action: PlanAction;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: ActionError;
    }
  | { readonly type: "note"; readonly action: PlanAction; readonly message: string }
  /**
   * The service refused a write for its budget: writes to `service` wait `waitMs` (its Retry-After),
   * then go at the pace learned from its refusals (`writesPerSecond`; lib/apply/pacer.ts).
   */
  | {
      readonly type: "throttled";
      readonly action: PlanAction;
      readonly service: string;
      readonly waitMs: number;
      readonly writesPerSecond: number | null;
    }
  | { readonly type: "stopping"; readonly action: PlanAction; readonly error: ActionError }
  | { readonly type: "interrupted" }
  /** Waiting `ms` of tenant time for an eventually consistent tenant's reads to show earlier writes (on resume). */
  | { readonly type: "settle-wait"; readonly ms: number; readonly reason: "resume" }
  | { readonly type: "finish"; readonly summary: ApplySummary };
