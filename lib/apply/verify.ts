/**
 * Verification after a complete apply (docs/decisions/0004): every action's
 * final effect re-read from one bulk observation, or, when the desired state is
 * at hand, the desired state planned again ("converged" = an empty plan).
 *
 * Against an eventually consistent provider (lib/apply/settle.ts) a
 * verification that still finds differences reads the tenant again with
 * backoff on its clock (at most settleReads observations) before it reports
 * them: the last writes may not show in the first read.
 */
import type { CanonicalDesiredState } from "../model/normalize.js";
import { plan as makePlan } from "../plan/index.js";
import type { PlanDocument } from "../plan/types.js";
import { ProviderError } from "../provider/errors.js";
import { observe } from "../provider/observe.js";
import type { ObservedState } from "../provider/observed.js";
import type { ITenantProvider } from "../provider/provider.js";
import { actionLabel, effectKey, isDone, snapshotReader } from "./execute.js";
import { CallFailed, withRetry, type RetryContext } from "./retry.js";
import { SettlePolicy, type SettleOptions } from "./settle.js";
import type { ApplyResult, RemainingDifference, Verification } from "./types.js";

/**
 * The effects that must hold after a complete apply: for each effect key the
 * last action that sets it (a temporary license assigned, then removed: only
 * the removal must hold), checked against one bulk read.
 */
export async function verifyEffects(plan: PlanDocument, observed: ObservedState): Promise<RemainingDifference[]> {
  const last = new Map<string, number>();
  plan.actions.forEach((a, i) => {
    const key = effectKey(a);
    if (key !== null) last.set(key, i);
  });
  const reader = snapshotReader(observed);
  const remaining: RemainingDifference[] = [];
  for (const i of [...last.values()].sort((x, y) => x - y)) {
    const a = plan.actions[i]!;
    if ((await isDone(reader, a)) === false) {
      remaining.push({ actionId: a.id, type: a.type, target: a.target, description: `${actionLabel(a)}: not in effect after apply` });
    }
  }
  return remaining;
}

/**
 * Observe the tenant and compute what remains, again with backoff while
 * something remains and the provider is eventually consistent. Rejects with
 * the ProviderError of a read that failed.
 */
async function settledRemaining(
  provider: ITenantProvider,
  policy: SettlePolicy,
  readObserved: () => Promise<ObservedState>,
  remainingOf: (observed: ObservedState) => Promise<RemainingDifference[]>,
): Promise<RemainingDifference[]> {
  const polled = await policy.poll(
    provider.clock,
    async () => remainingOf(await readObserved()),
    (remaining) => remaining.length === 0,
  );
  return polled.value;
}

/** The effects check after a complete apply; a tenant that cannot be read leaves it unverified, never failed. */
export async function verifyAfterApply(plan: PlanDocument, provider: ITenantProvider, ctx: RetryContext, policy: SettlePolicy): Promise<Verification> {
  try {
    const remaining = await settledRemaining(
      provider,
      policy,
      async () => {
        try {
          return (await withRetry(ctx, () => observe(provider))).value;
        } catch (e) {
          throw e instanceof CallFailed ? e.cause : e;
        }
      },
      (observed) => verifyEffects(plan, observed),
    );
    return { method: "effects", remaining };
  } catch (e) {
    if (ProviderError.is(e)) return { method: "none", remaining: [] };
    throw e;
  }
}

export interface ReplanOptions extends SettleOptions {
  /** Told when the tenant cannot be read: the result is returned as it was (verified by its effects, or not). */
  readonly onUnreadable?: (error: ProviderError) => void;
}

/**
 * Plan again from the desired state the plan was made from: converged when
 * nothing is left to do (verification method "replan"). An incomplete apply
 * (failed or not started actions) is returned as it is.
 */
export async function verifyByReplanning(
  result: ApplyResult,
  provider: ITenantProvider,
  desired: CanonicalDesiredState,
  doc: PlanDocument,
  options: ReplanOptions = {},
): Promise<ApplyResult> {
  const complete = result.summary.failed === 0 && result.summary.notStarted === 0;
  if (!complete) return result;
  const policy = new SettlePolicy(provider, options);
  let remaining: RemainingDifference[];
  try {
    remaining = await settledRemaining(
      provider,
      policy,
      () => observe(provider),
      async (observed) =>
        makePlan(desired, observed, doc.targets !== undefined ? { targets: doc.targets } : {}).actions.map((a) => ({
          actionId: a.id,
          type: a.type,
          target: a.target,
          description: a.description,
        })),
    );
  } catch (e) {
    if (!ProviderError.is(e)) throw e;
    options.onUnreadable?.(e);
    return result;
  }
  return { ...result, converged: remaining.length === 0, verification: { method: "replan", remaining } };
}
