/**
 * The apply engine: run exactly the reviewed plan against a tenant, in
 * dependency order, with bounded concurrency, resumably.
 *
 * - Before anything: the plan is checked (format, digest, errors), the tenant
 *   locked, and the tenant re-read: a stale plan is refused (on resume, the
 *   objects the plan already changed are excused, see docs/decisions/0004).
 * - Scheduling: an action starts once every action it depends on is done and
 *   durably journaled. At most a limit of actions run at once, which adapts to
 *   the service (concurrency.ts: grows while writes are answered at a flat
 *   latency, halves on a refusal; `parallelism` caps it), and actions on the
 *   same target (mailbox or user) run one at a time (R8.2).
 *   mailbox.wait only polls and mostly sleeps: it takes no slot and does not
 *   block its mailbox.
 * - Pace: each write waits for its turn on its service's budget (pacer.ts: a
 *   token bucket learned from the service's refusals and Retry-After), so a
 *   refused write is retried when the service has a token for it, not when
 *   every worker wakes at once.
 * - Each action first reads whether its effect is already there (skipped), and
 *   only then writes; retryable errors back off on the tenant's clock. A write
 *   that failed transiently may have happened (a timeout, a lost response):
 *   before running it again the engine reads whether its effect is in place,
 *   and if it is, the action is done (settledBy "read"), never written twice.
 *   Against an eventually consistent provider those reads are repeated with
 *   backoff before an effect is called absent (settle.ts).
 * - A terminal failure stops new work; running actions finish; the result says
 *   exactly what was done, what failed and what was not started.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { UserError } from "../diagnostics/errors.js";
import type { PlanAction, PlanDocument } from "../plan/types.js";
import { ProviderError } from "../provider/errors.js";
import { observe } from "../provider/observe.js";
import type { ObservedState } from "../provider/observed.js";
import type { ITenantProvider, TenantClock } from "../provider/provider.js";
import { checkNotStale, checkPlanDocument, keysTouchedBy, writeRefusal } from "./check-plan.js";
import { AdaptiveLimit } from "./concurrency.js";
import { actionLabel, execute, isDone, isReady, pointReader, serviceOf, snapshotReader, type AttemptState, type EffectReader } from "./execute.js";
import { JournalWriteError, MemoryJournal, type Journal, type JournalState } from "./journal.js";
import { currentHolder } from "./lock.js";
import { Pacers, type WritePacer } from "./pacer.js";
import { CallFailed, fullJitter, hashString, seededRandom, toActionError, withRetry, type RetryContext, type RetryPolicy } from "./retry.js";
import { readDone, SettlePolicy } from "./settle.js";
import {
  APPLY_RESULT_FORMAT_VERSION,
  type ActionResult,
  type ApplyEvent,
  type ApplyOptions,
  type ApplyResult,
  type ApplySummary,
  type Verification,
} from "./types.js";
import { verifyAfterApply } from "./verify.js";
import { errorText } from "../private/text.js";

const DEFAULTS = {
  /** The cap of the adaptive limit (concurrency.ts), which starts at 1. */
  parallelism: 64,
  seed: 1,
  maxTransientRetries: 8,
  waitMarginMinutes: 15,
  baseBackoffMs: 1000,
  maxBackoffMs: 60_000,
  /** A mailbox.wait without params.minutes: the restore estimate (R2). */
  waitMinutes: 30,
  /** Longest sleep between readiness polls. */
  maxPollMs: 60_000,
} as const;

/** What earlier runs of this plan recorded. */
interface Prior {
  readonly done: Map<string, "ran" | "skipped" | "settled">;
  /** Ids whose last entry is "started": the write may or may not have reached the tenant. */
  readonly halfRun: Set<string>;
}

function readPrior({ entries }: JournalState): Prior {
  const done = new Map<string, "ran" | "skipped" | "settled">();
  const halfRun = new Set<string>();
  for (const e of entries) {
    if (e.t === "done") done.set(e.id, e.how);
    if (e.t === "started") halfRun.add(e.id);
    else halfRun.delete(e.id);
  }
  return { done, halfRun };
}

/**
 * Apply `doc` to the tenant. Throws UserError for a plan that must not run
 * (modified, unknown format, errors, stale, wrong tenant, locked); otherwise
 * resolves with the result, failures included.
 */
export async function applyPlan(doc: PlanDocument, provider: ITenantProvider, options: ApplyOptions = {}): Promise<ApplyResult> {
  const started = performance.now();
  const plan = checkPlanDocument(doc);
  const journal = options.journal ?? new MemoryJournal();
  const held = options.lock
    ? await options.lock.acquire({ tenantId: plan.tenantId, planId: plan.contentDigest, holder: options.holder ?? currentHolder() })
    : null;
  try {
    const previous = await journal.load();
    const prior = readPrior(previous);
    const resumed = previous.begun;
    const policy: RetryPolicy = {
      baseBackoffMs: options.baseBackoffMs ?? DEFAULTS.baseBackoffMs,
      maxBackoffMs: options.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
      maxTransientRetries: options.maxTransientRetries ?? DEFAULTS.maxTransientRetries,
    };
    const readCtx: RetryContext = { policy, clock: provider.clock, random: seededRandom(options.seed ?? DEFAULTS.seed), onRetry: () => {} };
    const settle = new SettlePolicy(provider, options);
    const observed = (await withRetryOrThrow(readCtx, () => observe(provider))).value;
    // a tenant is named by its id or one of its domains (a real tenant's id is a GUID; people write contoso.com)
    if (observed.tenant.id.toLowerCase() !== plan.tenantId.toLowerCase() && !observed.tenant.domains.includes(plan.tenantId.toLowerCase())) {
      throw new UserError(
        `the plan is for tenant "${plan.tenantId}" but ${provider.name} is tenant "${observed.tenant.id}"; apply it to the tenant it was made for, or plan again`,
        "wrong_tenant",
      );
    }
    // On resume, any target of the plan may already have been changed by the plan itself (a write
    // can reach the tenant before its journal entry does): those objects are excused and settled by
    // each action's own pre-check; every other recorded object (trustees, SKUs) must still match.
    const excused = new Set<string>();
    if (resumed) for (const a of plan.actions) for (const k of keysTouchedBy(a)) excused.add(k);
    try {
      checkNotStale(plan, observed, excused);
    } catch (e) {
      throw previous.emptied && UserError.is(e) ? new UserError([...e.diagnostics, emptiedJournalDiagnostic()]) : e;
    }

    // an empty plan leaves no journal behind (there is nothing to resume); nor does an apply interrupted before its first write
    if (plan.actions.length > 0 && !options.signal?.aborted) {
      try {
        await journal.begin();
      } catch (e) {
        if (!(e instanceof JournalWriteError)) throw e;
        throw new UserError(
          [{ severity: "error", code: "journal_failed", target: e.file, message: `the apply journal could not be created (${e.message}); nothing was changed: fix the cause (free some space, check the permissions) and run the same apply again` }],
        );
      }
    }
    const left = plan.actions.filter((a) => !prior.done.has(a.id)).length;
    if (resumed && left > 0 && settle.windowMs > 0 && !options.signal?.aborted) {
      // the interrupted run's last writes may not show in reads yet, and their journal entries may be
      // lost: a pre-check now could call an effect absent that is there, and write it again
      options.onEvent?.({ type: "settle-wait", ms: settle.windowMs, reason: "resume" });
      await interruptible(provider.clock, options.signal).sleep(settle.windowMs).catch((e: unknown) => {
        if (!(e instanceof Interrupted)) throw e;
      });
    }
    const run = new Run(plan, provider, journal, options, policy, settle, prior, resumed, observed);
    const results = await run.execute();
    const summary = summarize(results, performance.now() - started);
    const complete = summary.failed === 0 && summary.notStarted === 0;
    const verification: Verification =
      complete && options.verify !== false ? await verifyAfterApply(plan, provider, readCtx, settle) : { method: "none", remaining: [] };
    options.onEvent?.({ type: "finish", summary });
    return {
      formatVersion: APPLY_RESULT_FORMAT_VERSION,
      planId: plan.contentDigest,
      tenantId: plan.tenantId,
      stack: plan.stack,
      resumed,
      actions: results,
      summary,
      converged: complete && verification.remaining.length === 0,
      verification,
    };
  } finally {
    await held?.release();
  }
}

async function withRetryOrThrow<T>(ctx: RetryContext, fn: () => Promise<T>): Promise<{ value: T; attempts: number }> {
  try {
    return await withRetry(ctx, fn);
  } catch (e) {
    throw e instanceof CallFailed ? e.cause : e;
  }
}

/**
 * The end of the lag window (`lagEnds`) when a request sent at tenant time `sentAt` may have reached a
 * backend that had not yet seen the writes it builds on, else null. Judged by when the request was SENT,
 * not when its answer came: meanwhile another action's wait can move a shared tenant clock (a virtual
 * clock jumps; a slow answer takes real time) far past the window, and a lagging backend's "couldn't be
 * found" would then look like a real one.
 */
function lagToWaitOut(sentAt: number | null, lagEnds: number | null): number | null {
  return sentAt !== null && lagEnds !== null && sentAt < lagEnds ? lagEnds : null;
}

/** Thrown by an interruptible clock's sleep when the apply is interrupted: the waiting action stops, unfinished. */
class Interrupted extends Error {
  constructor() {
    super("the apply was interrupted");
    this.name = "Interrupted";
  }
}

function isInterrupted(e: unknown): boolean {
  return e instanceof Interrupted || (e instanceof CallFailed && e.cause instanceof Interrupted);
}

/**
 * The tenant's clock, whose sleeps end early (rejecting with Interrupted) once `signal` aborts: an
 * interrupted apply does not sit out a backoff, a readiness poll or a settle wait. Provider calls are
 * never cut short: a write in flight finishes.
 */
function interruptible(clock: TenantClock, signal: AbortSignal | undefined): TenantClock {
  if (signal === undefined) return clock;
  return {
    now: () => clock.now(),
    sleep: (ms) => {
      if (signal.aborted) return Promise.reject(new Interrupted());
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new Interrupted());
        signal.addEventListener("abort", onAbort, { once: true });
        clock.sleep(ms).then(
          () => {
            signal.removeEventListener("abort", onAbort);
            resolve();
          },
          (e: unknown) => {
            signal.removeEventListener("abort", onAbort);
            reject(e instanceof Error ? e : new Error(errorText(e)));
          },
        );
      });
    },
  };
}

/** Why a resume with an emptied journal is refused as stale, and what to do. */
function emptiedJournalDiagnostic(): Diagnostic {
  return {
    severity: "error",
    code: "journal_emptied",
    target: "",
    message:
      "this plan's apply journal exists but is empty (0 bytes): its header is always written whole, so it was emptied after an apply of this plan began (a full disk, an edit). " +
      "The changes above may be that apply's own writes, but with no record they cannot be told from anyone else's, so the plan is not applied over them. " +
      "Nothing was changed: make a new plan from the tenant as it is now (exoform plan --out plan.json), review it (it holds only what is left to do) and apply that",
  };
}

/** At most `max` ids, then how many more. */
function listIds(ids: readonly string[], max = 20): string {
  return ids.length <= max ? ids.join(", ") : `${ids.slice(0, max).join(", ")} and ${ids.length - max} more`;
}

function summarize(results: readonly ActionResult[], durationMs: number): ApplySummary {
  const count = (s: ActionResult["status"]) => results.filter((r) => r.status === s).length;
  return {
    total: results.length,
    done: count("done"),
    skipped: count("skipped"),
    failed: count("failed"),
    notStarted: count("not_started"),
    durationMs: Math.round(durationMs),
  };
}

/** A first-in first-out queue with O(1) shift. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
}

/** One execution of a plan: the scheduler state. */
class Run {
  private readonly actions: readonly PlanAction[];
  private readonly results: (ActionResult | undefined)[];
  private readonly remainingDeps: Int32Array;
  private readonly readied: Uint8Array;
  private readonly dependents: number[][];
  /** Ready actions per target, in plan order. */
  private readonly readyByTarget = new Map<string, Fifo<number>>();
  /** Targets with ready actions and nothing running. */
  private readonly runnable = new Fifo<string>();
  private readonly queued = new Set<string>();
  private readonly busy = new Set<string>();
  /** Writes in flight: adapts between 1 and `parallelism` (concurrency.ts). */
  private readonly limit: AdaptiveLimit;
  /** Each service's write budget, learned from its refusals (pacer.ts). */
  private readonly pacers: Pacers;
  private readonly reader: EffectReader;
  /** The opening read, as a reader (built on first use): see runAction. */
  private openingReader: EffectReader | undefined;
  /** The tenant's clock; its sleeps end early when the apply is interrupted. */
  private readonly clock: TenantClock;
  /** 1 once the sync covering the action's "done" entry resolved: the journal records it. */
  private readonly recorded: Uint8Array;
  /** Tenant time (ms) after this run's last write to each target: reads shortly after it may not show it. */
  private readonly lastWriteAt = new Map<string, number>();
  /** Plan index of each action id. */
  private readonly index = new Map<string, number>();
  private inFlight = 0;
  /** Running actions plus completed ones whose journal sync is pending. */
  private active = 0;
  private stopped = false;
  private fatal: unknown = null;
  private readonly plan: PlanDocument;
  private readonly domains: readonly string[];
  private resolveEnd: (() => void) | null = null;

  constructor(
    plan: PlanDocument,
    private readonly provider: ITenantProvider,
    private readonly journal: Journal,
    private readonly options: ApplyOptions,
    private readonly policy: RetryPolicy,
    private readonly settle: SettlePolicy,
    private readonly prior: Prior,
    private readonly resumed: boolean,
    /** The read this apply opened with (its accepted domains: no grant goes outside them, whatever the plan file says). */
    private readonly opening: ObservedState,
  ) {
    this.plan = plan;
    this.domains = opening.tenant.domains;
    this.actions = plan.actions;
    const n = this.actions.length;
    this.results = new Array<ActionResult | undefined>(n);
    this.remainingDeps = new Int32Array(n);
    this.readied = new Uint8Array(n);
    this.dependents = Array.from({ length: n }, () => []);
    this.limit = new AdaptiveLimit({ max: options.parallelism ?? DEFAULTS.parallelism });
    this.reader = pointReader(provider);
    this.clock = interruptible(provider.clock, options.signal);
    this.pacers = new Pacers(this.clock);
    this.recorded = new Uint8Array(n);
    const index = this.index;
    this.actions.forEach((a, i) => index.set(a.id, i));
    this.actions.forEach((a, i) => {
      for (const dep of new Set(a.dependsOn)) {
        this.dependents[index.get(dep)!]!.push(i);
        this.remainingDeps[i]!++;
      }
    });
  }

  private emit(event: ApplyEvent): void {
    this.options.onEvent?.(event);
  }

  async execute(): Promise<ActionResult[]> {
    const end = new Promise<void>((resolve) => (this.resolveEnd = resolve));
    // completed by earlier runs: durable already, release their dependents now
    let alreadyDone = 0;
    this.actions.forEach((a, i) => {
      const how = this.prior.done.get(a.id);
      if (how === undefined) return;
      alreadyDone++;
      this.results[i] = { id: a.id, type: a.type, target: a.target, status: how === "skipped" ? "skipped" : "done", attempts: 0, durationMs: 0, settledBy: "journal" };
    });
    this.emit({ type: "start", total: this.actions.length, alreadyDone, resumed: this.resumed });
    this.actions.forEach((_, i) => {
      if (this.results[i] !== undefined) for (const d of this.dependents[i]!) this.remainingDeps[d]!--;
    });
    this.actions.forEach((_, i) => {
      if (this.results[i] === undefined && this.remainingDeps[i] === 0) this.makeReady(i);
    });
    const onAbort = () => {
      if (!this.stopped) this.emit({ type: "interrupted" });
      this.stopped = true;
      this.checkEnd();
    };
    if (this.options.signal?.aborted) onAbort();
    this.options.signal?.addEventListener("abort", onAbort);
    this.pump();
    this.checkEnd();
    await end;
    this.options.signal?.removeEventListener("abort", onAbort);
    try {
      await this.journal.sync();
    } catch (e) {
      this.fatal ??= e;
    }
    if (this.fatal !== null) throw this.journalFailure(this.fatal);
    return this.actions.map(
      (a, i) => this.results[i] ?? { id: a.id, type: a.type, target: a.target, status: "not_started", attempts: 0, durationMs: 0 },
    );
  }

  /**
   * The journal could not be written: the apply stopped starting actions and let the ones in flight
   * finish. Says what this run did (those writes are on the tenant), which of them the journal does
   * not record, and how to resume.
   */
  private journalFailure(fatal: unknown): UserError {
    const reason = fatal instanceof Error ? fatal.message : String(fatal);
    const file = fatal instanceof JournalWriteError ? fatal.file : "";
    const doneHere: string[] = [];
    const unrecorded: string[] = [];
    let notStarted = 0;
    this.actions.forEach((a, i) => {
      const r = this.results[i];
      if (r === undefined || r.status === "not_started") notStarted++;
      else if (r.status !== "failed" && r.settledBy !== "journal") {
        doneHere.push(a.id);
        if (this.recorded[i] !== 1) unrecorded.push(a.id);
      }
    });
    const diagnostic = (code: string, message: string): Diagnostic => ({ severity: "error", code, target: file, message });
    return new UserError([
      diagnostic(
        "journal_failed",
        `the apply journal could not be written (${reason}); the apply stopped starting actions, let the ones in flight finish and released the tenant lock`,
      ),
      diagnostic(
        "journal_failed",
        doneHere.length === 0
          ? "this run changed nothing on the tenant"
          : `this run did ${doneHere.length} action${doneHere.length === 1 ? "" : "s"} (their writes happened): ${listIds(doneHere)}`,
      ),
      ...(unrecorded.length > 0
        ? [
            diagnostic(
              "journal_failed",
              `the journal could not record ${unrecorded.length === doneHere.length ? (unrecorded.length === 1 ? "it" : "any of them") : `the last ${unrecorded.length} of them: ${listIds(unrecorded)}`}; ${unrecorded.length === 1 ? "its write" : "their writes"} happened all the same, and the next run settles ${unrecorded.length === 1 ? "it" : "them"} by reading the tenant, without writing ${unrecorded.length === 1 ? "it" : "them"} again`,
            ),
          ]
        : []),
      diagnostic(
        "journal_failed",
        `${notStarted} action${notStarted === 1 ? " was" : "s were"} not started. To resume: free some space (or fix the cause) where the journal is, then run the same apply again; it reads the tenant to settle whatever the journal missed, and does nothing twice`,
      ),
    ]);
  }

  /** Dependents of a durably completed action may become ready. */
  private release(i: number): void {
    for (const d of this.dependents[i]!) {
      if (--this.remainingDeps[d]! === 0 && this.results[d] === undefined) this.makeReady(d);
    }
  }

  private makeReady(i: number): void {
    // each action becomes ready once, ever: a second time would run it twice and release its dependents early
    if (this.readied[i] === 1) throw new Error(`internal: action ${this.actions[i]!.id} made ready twice`);
    this.readied[i] = 1;
    const target = this.actions[i]!.target;
    let q = this.readyByTarget.get(target);
    if (!q) this.readyByTarget.set(target, (q = new Fifo<number>()));
    q.push(i);
    this.enqueueTarget(target);
  }

  private enqueueTarget(target: string): void {
    if (this.busy.has(target) || this.queued.has(target) || !this.readyByTarget.get(target)?.size) return;
    this.queued.add(target);
    this.runnable.push(target);
  }

  private pump(): void {
    while (!this.stopped && this.runnable.size > 0) {
      const target = this.runnable.peek()!;
      const q = this.readyByTarget.get(target)!;
      const next = q.peek()!;
      const isWait = this.actions[next]!.type === "mailbox.wait";
      if (!isWait && this.inFlight >= this.limit.limit) return;
      this.runnable.shift();
      this.queued.delete(target);
      q.shift();
      if (q.size === 0) this.readyByTarget.delete(target);
      // a wait only reads (for up to its budget): it neither takes a slot nor blocks its mailbox's writes
      if (isWait) this.enqueueTarget(target);
      else this.busy.add(target);
      this.start(next, isWait);
    }
  }

  private start(i: number, isWait: boolean): void {
    const action = this.actions[i]!;
    this.active++;
    if (!isWait) this.inFlight++;
    this.emit({ type: "action-start", action });
    this.journal.append({ t: "started", id: action.id });
    this.runAction(action).then(
      (result) => this.finish(i, isWait, result),
      (e: unknown) => this.finish(i, isWait, this.failure(action, e, 0, 0)),
    );
  }

  private finish(i: number, isWait: boolean, result: ActionResult): void {
    const action = this.actions[i]!;
    if (!isWait) {
      this.inFlight--;
      this.busy.delete(action.target);
    }
    this.results[i] = result;
    this.emit({ type: "action-end", action, result });
    if (result.status === "not_started") {
      // interrupted while waiting (a backoff, a readiness poll, a settling read): nothing to record;
      // its "started" entry makes a resume read the tenant before writing it
      this.active--;
    } else if (result.status === "failed") {
      this.journal.append({ t: "failed", id: action.id, code: result.error?.code ?? "" });
      if (!this.stopped) this.emit({ type: "stopping", action, error: result.error! });
      this.stopped = true;
      this.active--;
    } else {
      const how = result.settledBy === "read" ? "settled" : result.status === "skipped" ? "skipped" : "ran";
      this.journal.append({ t: "done", id: action.id, how });
      // group commit: dependents start only once the sync covering this entry is done
      this.journal.sync().then(
        () => {
          this.recorded[i] = 1;
          this.active--;
          this.release(i);
          this.pump();
          this.checkEnd();
        },
        (e: unknown) => {
          this.fatal ??= e;
          this.stopped = true;
          this.active--;
          this.checkEnd();
        },
      );
    }
    this.enqueueTarget(action.target);
    this.pump();
    this.checkEnd();
  }

  private checkEnd(): void {
    if (this.active === 0 && (this.stopped || this.runnable.size === 0)) this.resolveEnd?.();
  }

  private failure(action: PlanAction, e: unknown, attempts: number, durationMs: number): ActionResult {
    if (isInterrupted(e)) return { id: action.id, type: action.type, target: action.target, status: "not_started", attempts, durationMs };
    return { id: action.id, type: action.type, target: action.target, status: "failed", attempts, durationMs, error: toActionError(e) };
  }

  private retryContext(action: PlanAction): RetryContext {
    return {
      policy: this.policy,
      clock: this.clock,
      random: seededRandom((this.options.seed ?? DEFAULTS.seed) ^ hashString(action.id)),
      onRetry: (attempt, delayMs, error) => this.emit({ type: "retry", action, attempt, delayMs, error }),
    };
  }

  private async runAction(action: PlanAction): Promise<ActionResult> {
    const t0 = performance.now();
    const ctx = this.retryContext(action);
    const halfRun = this.prior.halfRun.has(action.id);
    const base = { id: action.id, type: action.type, target: action.target };
    const elapsed = () => Math.round(performance.now() - t0);
    // actions on one target run one at a time: the last write to it so far was another action's; a
    // mailbox.wait needs none: a lagging read can make a mailbox look less ready, never more
    const since = action.type === "mailbox.wait" ? null : (this.lastWriteAt.get(action.target) ?? null);
    // ...and the writes this action builds on, possibly to other objects, which the service may not show everywhere yet
    const built = this.builtOn(action, since);
    /** Whether the effect is in place; `poll`: a write may have happened, re-read a lagging tenant before saying no. */
    const settled = (poll: boolean) => readDone(this.reader, action, ctx, this.settle, { poll, since });
    // the precondition, read right before the write: is the effect already there? In a first run, not read for a
    // grant or revoke the opening read showed still to do (half the calls of a large apply): were it done since, by
    // another writer, the service refuses the write (conflict, notFound) and a read settles it as done below; and a
    // grant written twice is the same grant. What the opening read shows done is read again, as is every action of a
    // resumed run (its pre-checks settle what the interrupted run did, after the settle wait: decision 0004).
    let pre: boolean | null = null;
    const toDo =
      !this.resumed && (action.type === "permission.grant" || action.type === "permission.revoke") && (await isDone(this.openingRead(), action)) === false;
    // an eventually consistent service may not know yet an object this apply created a moment ago (the backend
    // a read reaches lags, "couldn't be found"): that read is taken again once, when the lag window has passed
    const lagEnds = built === null ? null : built + this.settle.windowMs;
    for (let again = false; !toDo; again = true) {
      const sentAt = again || lagEnds === null ? null : await this.tenantMs();
      try {
        // a half-run action (an interrupted run started it) may have written: settle it like an unknown outcome
        pre = await settled(halfRun);
        break;
      } catch (e) {
        const cause = e instanceof CallFailed ? e.cause : e;
        const until = lagToWaitOut(sentAt, lagEnds);
        if (until === null || !ProviderError.is(cause) || cause.kind !== "notFound") return this.failure(action, cause, 0, elapsed());
        this.emit({
          type: "note",
          action,
          message: `${actionLabel(action)}: reading whether it is already done answered ${cause.code} right after this apply changed what it builds on; its reads may lag its writes, so it is read again when they have caught up`,
        });
        await this.sleepUntil(until);
      }
    }
    if (pre === true) {
      // an action an interrupted run started is settled by this read: its effect is there, so it is done
      return halfRun
        ? { ...base, status: "done", attempts: 0, durationMs: elapsed(), settledBy: "read" }
        : { ...base, status: "skipped", attempts: 0, durationMs: elapsed() };
    }
    if (action.type === "mailbox.wait") return this.poll(action, ctx, t0);
    // the plan's own rules, read again right before the write: no deletion of a mailbox this stack does
    // not own with removal=delete, no grant outside the tenant (a plan file is input, even a checked one)
    const refused = await writeRefusal(this.plan, action, this.reader, this.domains).catch((e: unknown) => toActionError(e));
    if (refused !== null) return { ...base, status: "failed", attempts: 0, durationMs: elapsed(), error: refused };
    let attempts = 0;
    let retriedAfterLag = false;
    const state = this.attemptState(ctx);
    try {
      for (;;) {
        const sentAt = retriedAfterLag || built === null ? null : await this.tenantMs();
        try {
          const outcome = await this.writeSettling(action, ctx, state, settled, () => attempts++);
          if (outcome === "read") return { ...base, status: "done", attempts, durationMs: elapsed(), settledBy: "read" };
          return { ...base, status: "done", attempts, durationMs: elapsed() };
        } catch (e) {
          if (!(e instanceof CallFailed)) return this.failure(action, e, attempts, elapsed());
          const cause = e.cause;
          const refusal = ProviderError.is(cause) && (cause.kind === "notFound" || cause.kind === "conflict" || cause.kind === "precondition");
          // the service refused because the effect is already there (another writer, or our own half-run write)
          if (ProviderError.is(cause) && (cause.kind === "conflict" || cause.kind === "notFound")) {
            const present = await settled(true).then(
              (done) => done === true,
              (readError: unknown) => {
                if (isInterrupted(readError)) throw readError;
                return false;
              },
            );
            if (present) {
              this.emit({
                type: "note",
                action,
                message: `${actionLabel(action)}: the service answered ${cause.code} (${cause.message}); the effect is already in place, counted as done`,
              });
              return { ...base, status: "done", attempts, durationMs: elapsed(), settledBy: cause.kind };
            }
          }
          // an eventually consistent service may refuse a write because the backend it reached has not seen
          // a write this one builds on (a user created a moment ago: "does not exist"): once, after the lag window
          const until = lagToWaitOut(sentAt, lagEnds);
          if (refusal && until !== null) {
            retriedAfterLag = true;
            this.emit({
              type: "note",
              action,
              message: `${actionLabel(action)}: the service answered ${cause.code} (${cause.message}) right after this apply changed what it builds on; its reads may lag its writes, so it is tried once more when they have caught up`,
            });
            await this.sleepUntil(until);
            continue;
          }
          return this.failure(action, cause, attempts, elapsed());
        }
      }
    } finally {
      // only an eventually consistent tenant's reads need it (settle.ts): no clock read per action otherwise
      if (attempts > 0 && this.settle.eventual) await this.wrote(action.target);
    }
  }

  /**
   * The tenant time of this run's last write to the action's target (`since`) or to a target of
   * an action it depends on, or null: only against an eventually consistent provider.
   */
  private builtOn(action: PlanAction, since: number | null): number | null {
    if (!this.settle.eventual) return null;
    let latest = since;
    for (const dep of action.dependsOn) {
      const i = this.index.get(dep);
      const at = i === undefined ? undefined : this.lastWriteAt.get(this.actions[i]!.target);
      if (at !== undefined && (latest === null || at > latest)) latest = at;
    }
    return latest;
  }

  /** The opening read as an EffectReader: its maps are built for the first permission action, once. */
  private openingRead(): EffectReader {
    return (this.openingReader ??= snapshotReader(this.opening));
  }

  /** What the attempts of one action remember (execute.ts); a usage location of unknown outcome is read as settle.ts says. */
  private attemptState(ctx: RetryContext): AttemptState {
    return {
      settleUsageLocation: async (upn) =>
        (
          await this.settle.poll(
            this.clock,
            async () => (await withRetry(ctx, () => this.provider.getUser(upn))).value?.usageLocation ?? null,
            (location) => location !== null,
          )
        ).value,
    };
  }

  /** The tenant time (ms), or null when the clock cannot be read (the time is only a hint for lagging reads). */
  private async tenantMs(): Promise<number | null> {
    return this.provider.clock.now().then(
      (d) => d.getTime(),
      () => null,
    );
  }

  /** Sleep on the tenant's clock until `at` (at once when it is past). */
  private async sleepUntil(at: number): Promise<void> {
    const now = (await this.provider.clock.now()).getTime();
    if (at > now) await this.clock.sleep(at - now);
  }

  /** Remember when this run last wrote to `target` (never rejects: the time is a hint for later reads). */
  private async wrote(target: string): Promise<void> {
    const at = await this.tenantMs();
    // no clock reading: keep the earlier time, if any
    if (at !== null) this.lastWriteAt.set(target, at);
  }

  /**
   * Run the action's write until it succeeds, retrying throttling without
   * limit and transient errors a bounded number of times. Every attempt waits
   * for its turn on its service's budget (pacer.ts); a refused one goes first
   * when the service has a token again. After a transient error the write may
   * have happened: the effect is read first (`settled`), and when it is in
   * place the write is not run again ("read"); otherwise it is retried after
   * an exponential backoff with full jitter. Rejects with CallFailed carrying
   * the write's error.
   */
  private async writeSettling(
    action: PlanAction,
    ctx: RetryContext,
    state: AttemptState,
    settled: (poll: boolean) => Promise<boolean | null>,
    onAttempt: () => void,
  ): Promise<"ran" | "read"> {
    const service = serviceOf(action);
    const pacer = this.pacers.of(service);
    let attempts = 0;
    let transientRetries = 0;
    let refused = false;
    for (;;) {
      attempts++;
      await pacer.acquire(refused);
      const epoch = this.limit.epoch;
      const sentAt = performance.now();
      onAttempt();
      try {
        await execute(this.provider, action, state);
        pacer.admit();
        this.limit.succeeded(performance.now() - sentAt);
        return "ran";
      } catch (e) {
        const refusedBefore = refused;
        refused = ProviderError.is(e) && e.kind === "throttled";
        if (refused) {
          const waitMs = await pacer.refuse((e as ProviderError).retryAfterMs, { latencyMs: this.limit.latencyMs, again: refusedBefore });
          this.limit.refused(epoch, this.pacedFloor(pacer));
          ctx.onRetry(attempts, waitMs, toActionError(e));
          this.emit({ type: "throttled", action, service, waitMs, writesPerSecond: pacer.writesPerSecond });
          continue;
        }
        pacer.admit();
        if (!ProviderError.is(e) || !e.retryable) throw new CallFailed(e, attempts);
        let present: boolean | null;
        try {
          present = await settled(true);
        } catch (readError) {
          if (isInterrupted(readError)) throw readError;
          const why = readError instanceof CallFailed ? readError.cause : readError;
          this.emit({ type: "note", action, message: `${actionLabel(action)}: ${e.code}, and the read to settle whether it happened failed (${toActionError(why).message})` });
          throw new CallFailed(e, attempts);
        }
        if (present === true) {
          this.emit({
            type: "note",
            action,
            message: `${actionLabel(action)}: the write failed with ${e.code} (${e.message}), but the tenant shows its effect: counted as done, not written again`,
          });
          return "read";
        }
        if (++transientRetries > ctx.policy.maxTransientRetries) throw new CallFailed(e, attempts);
        // the exponent counts transient failures only: refusals already waited their turn in the pacer
        const delay = e.retryAfterMs !== undefined && e.retryAfterMs > 0 ? e.retryAfterMs : fullJitter(ctx.policy, transientRetries, ctx.random);
        ctx.onRetry(attempts, delay, toActionError(e));
        await ctx.clock.sleep(delay);
      }
    }
  }

  /**
   * The writes a pacer needs in flight to send at its learned pace (rate x smoothed latency, twice
   * over): the adaptive limit does not halve below it, or it would starve the pacer it serves.
   */
  private pacedFloor(pacer: WritePacer): number {
    const perSecond = pacer.writesPerSecond;
    const latency = this.limit.latencyMs;
    return perSecond === null || latency === null ? 1 : Math.ceil((perSecond * latency * 2) / 1000);
  }

  /** mailbox.wait: poll readiness on the tenant's clock within the plan's estimate plus a margin. */
  private async poll(action: PlanAction, ctx: RetryContext, t0: number): Promise<ActionResult> {
    const clock = this.clock;
    const minutes = (action.params.minutes ?? DEFAULTS.waitMinutes) + (this.options.waitMarginMinutes ?? DEFAULTS.waitMarginMinutes);
    const deadline = (await clock.now()).getTime() + minutes * 60_000;
    const base = { id: action.id, type: action.type, target: action.target };
    let polls = 0;
    try {
      for (;;) {
        polls++;
        const mailbox = (await withRetry(ctx, () => this.provider.getMailbox(action.target))).value;
        const now = (await clock.now()).getTime();
        if (isReady(mailbox, new Date(now))) {
          return { ...base, status: "done", attempts: polls, durationMs: Math.round(performance.now() - t0) };
        }
        if (now >= deadline) {
          const state = mailbox === null ? "it does not exist yet" : mailbox.deletedAt !== null ? "it is deleted" : `the service estimates ready at ${mailbox.readyAt}`;
          return {
            ...base,
            status: "failed",
            attempts: polls,
            durationMs: Math.round(performance.now() - t0),
            error: {
              code: "WaitTimeout",
              kind: "timeout",
              message: `mailbox ${action.target} is still not ready after ${minutes} minutes (${state}); run exoform apply again later to resume where this apply stopped`,
            },
          };
        }
        const untilReady = mailbox?.readyAt ? Date.parse(mailbox.readyAt) - now : DEFAULTS.maxPollMs;
        await clock.sleep(Math.max(1, Math.min(Math.max(untilReady, 1000), DEFAULTS.maxPollMs, deadline - now)));
      }
    } catch (e) {
      return this.failure(action, e instanceof CallFailed ? e.cause : e, polls, Math.round(performance.now() - t0));
    }
  }
}
