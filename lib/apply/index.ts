/**
 * lib/apply: executes exactly the reviewed plan against a tenant, safely and
 * resumably. It refuses plans it must not run (modified, unknown format, with
 * errors, stale), holds a per-tenant lock, runs actions in dependency order
 * with bounded concurrency and per-mailbox serialization, re-checks each
 * action's effect right before writing, retries what the service says is
 * retryable (reading first whether a write whose outcome is unknown already
 * happened, with backoff against a tenant whose reads lag, settle.ts),
 * journals every completion durably before its dependents start, and
 * verifies the result. It talks to the tenant only through
 * ITenantProvider and knows nothing of the CLI.
 */
export { applyPlan } from "./engine.js";
export { verifyByReplanning, verifyEffects, type ReplanOptions } from "./verify.js";
export { checkPlanDocument, checkNotStale } from "./check-plan.js";
export { actionLabel, effectKey, execute, isDone, pointReader, snapshotReader, type AttemptState, type EffectReader } from "./execute.js";
export { FileJournal, MemoryJournal, journalPath, type Journal, type JournalEntry, type JournalHeader, type JournalState } from "./journal.js";
export {
  FileLockStore,
  currentHolder,
  describeHeldLock,
  isDeadHolder,
  type HeldLock,
  type LockHolder,
  type LockInfo,
  type LockStore,
} from "./lock.js";
export { PlainProgress, TtyProgress, formatActionLine, type ProgressReporter } from "./progress.js";
export * from "./types.js";
