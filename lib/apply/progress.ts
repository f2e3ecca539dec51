/**
 * Progress for people, fed by the engine's events: a one-line progress bar on
 * a terminal (done/total, current action, elapsed, ETA), plain log lines
 * otherwise (CI logs, pipes), one per action or, for big applies, a progress
 * line every 10 s:
 *
 *   [12/40] done permission.grant support@contoso.com FullAccess ben.ortiz@contoso.com (1 attempt, 3 ms)
 *   progress: 450/1200 done, 3 failed, 12 waiting on throttling (the service asked to slow down), elapsed 02:10, about 03:40 left
 *
 * Every line carries input (targets and trustees from the plan, the service's
 * messages): control characters and escape sequences in it are shown visibly
 * (`\u{1b}`, lib/render/sanitize.ts), so only the progress bar's own redraw
 * sequence ever reaches the terminal.
 */
import { clean } from "../render/sanitize.js";
import { actionLabel } from "./execute.js";
import type { ActionResult, ApplyEvent } from "./types.js";
import type { PlanAction } from "../plan/types.js";

export interface ProgressReporter {
  onEvent(event: ApplyEvent): void;
  /** Stop any timer: the apply ended, also when it ended by an error before its "finish" event. */
  close?(): void;
}

/** "[12/40] done <label> (1 attempt, 3 ms)", with the error for a failure. */
export function formatActionLine(n: number, total: number, action: PlanAction, result: ActionResult): string {
  const how =
    result.settledBy === "read"
      ? ", settled by reading the tenant"
      : result.settledBy === "conflict" || result.settledBy === "notFound"
        ? `, already in effect (${result.settledBy})`
        : result.status === "skipped"
          ? ", already in effect"
          : "";
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? "" : "s"}`;
  const error = result.error ? `: ${result.error.code}: ${result.error.message}` : "";
  return `[${n}/${total}] ${result.status} ${actionLabel(action)} (${attempts}, ${result.durationMs} ms${how})${error}`;
}

const INTERRUPTED = "interrupted: letting running actions finish, starting nothing new (interrupt again to hear what is left; a third interrupt exits at once; the journal keeps what is done)";

function stoppingLine(action: PlanAction): string {
  return `stopping: ${actionLabel(action)} failed; letting running actions finish, starting nothing new`;
}

function settleWaitLine(ms: number): string {
  return `waiting ${Math.round(ms / 1000)} s of tenant time: the tenant's reads may lag its writes, and the interrupted apply's last writes must show before anything is checked`;
}

function resumeLine(alreadyDone: number, total: number): string {
  return alreadyDone === total
    ? `this plan was already applied: its journal records all ${total} actions as done; checking the tenant`
    : `resuming an interrupted apply: ${alreadyDone} of ${total} actions were already done`;
}

/** Above this many actions, off a terminal, apply prints progress lines instead of one line per action. */
export const PER_ACTION_LINES_MAX = 300;

/** Off a terminal, a progress line comes at least this often (ms) while anything is left to do. */
export const PROGRESS_EVERY_MS = 10_000;

/** A repeating timer; returns its cancel function. Injected in tests (no wall clock there). */
export type Every = (ms: number, tick: () => void) => () => void;

const realEvery: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref(); // progress never keeps a finished process alive
  return () => clearInterval(timer);
};

export interface PlainProgressOptions {
  /** Monotonic ms. */
  readonly now?: () => number;
  readonly every?: Every;
  /** Default PER_ACTION_LINES_MAX. */
  readonly perActionLinesMax?: number;
}

/**
 * Progress in a log (CI, a pipe): never silent. Up to a few hundred actions,
 * one line per finished action, retry and note; above that, one line per
 * failure and note, and a progress line (done, failed, waiting on
 * throttling, elapsed, estimate). Either way a progress line comes whenever
 * PROGRESS_EVERY_MS pass with nothing printed, so a long wait on the service
 * says what it waits for.
 */
export class PlainProgress implements ProgressReporter {
  private total = 0;
  private finished = 0;
  private finishedThisRun = 0;
  private failed = 0;
  private startedAt = 0;
  private lastLineAt = 0;
  private perAction = true;
  private stopTimer: (() => void) | undefined;
  /** Actions waiting before their next attempt: id -> when the wait ends and whether the service throttled. */
  private readonly waiting = new Map<string, { readonly until: number; readonly throttled: boolean }>();
  private readonly now: () => number;
  private readonly every: Every;
  private readonly perActionLinesMax: number;

  constructor(
    private readonly out: NodeJS.WritableStream = process.stderr,
    options: PlainProgressOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.every = options.every ?? realEvery;
    this.perActionLinesMax = options.perActionLinesMax ?? PER_ACTION_LINES_MAX;
  }

  onEvent(event: ApplyEvent): void {
    switch (event.type) {
      case "start":
        this.total = event.total;
        this.finished = event.alreadyDone;
        this.startedAt = this.lastLineAt = this.now();
        this.perAction = event.total - event.alreadyDone <= this.perActionLinesMax;
        if (event.resumed) this.line(resumeLine(event.alreadyDone, event.total));
        if (!this.perAction) this.line(`${event.total - event.alreadyDone} actions to run: a progress line every ${PROGRESS_EVERY_MS / 1000} s, failures as they happen`);
        this.stopTimer?.();
        this.stopTimer = this.every(PROGRESS_EVERY_MS, () => this.tick());
        return;
      case "action-end":
        this.finished++;
        this.finishedThisRun++;
        this.waiting.delete(event.action.id);
        if (event.result.status === "failed") this.failed++;
        if (this.perAction || event.result.status === "failed") this.line(formatActionLine(this.finished, this.total, event.action, event.result));
        return;
      case "retry":
        this.waiting.set(event.action.id, { until: this.now() + event.delayMs, throttled: event.error.kind === "throttled" });
        if (this.perAction) this.line(`retry ${actionLabel(event.action)}: ${event.error.code} (attempt ${event.attempt}), waiting ${event.delayMs} ms`);
        return;
      case "finish":
        this.close();
        if (!this.perAction) this.line(this.progressLine());
        return;
      default: {
        const text = messageLine(event);
        if (text !== undefined) this.line(text);
        return;
      }
    }
  }

  close(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** The timer: a progress line when nothing was printed for PROGRESS_EVERY_MS (or always, in progress-line mode). */
  private tick(): void {
    if (!this.perAction || this.now() - this.lastLineAt >= PROGRESS_EVERY_MS) this.line(this.progressLine());
  }

  /** "progress: 450/1200 done, 3 failed, 12 waiting on throttling, elapsed 02:10, about 03:40 left". */
  progressLine(): string {
    const t = this.now();
    let throttled = 0;
    let retrying = 0;
    for (const w of this.waiting.values()) if (w.until > t) w.throttled ? throttled++ : retrying++;
    const waits = [
      ...(throttled > 0 ? [`${throttled} waiting on throttling (the service asked to slow down)`] : []),
      ...(retrying > 0 ? [`${retrying} waiting to retry`] : []),
    ];
    const elapsed = t - this.startedAt;
    const left = this.total - this.finished;
    const estimate = left === 0 ? "nothing left" : this.finishedThisRun > 0 ? `about ${clock((elapsed / this.finishedThisRun) * left)} left` : "no estimate yet";
    return `progress: ${this.finished}/${this.total} done, ${this.failed} failed${waits.map((w) => `, ${w}`).join("")}, elapsed ${clock(elapsed)}, ${estimate}`;
  }

  private line(text: string): void {
    this.lastLineAt = this.now();
    this.out.write(`${clean(text)}\n`);
  }
}

/** The line of an event both reporters print as it is (notes, stopping, interrupted, waiting out the lag), or undefined. */
function messageLine(event: ApplyEvent): string | undefined {
  switch (event.type) {
    case "note":
      return `note: ${event.message}`;
    case "stopping":
      return stoppingLine(event.action);
    case "interrupted":
      return INTERRUPTED;
    case "settle-wait":
      return settleWaitLine(event.ms);
    default:
      return undefined;
  }
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** A redrawn progress line on a terminal; failures and notes still print as lines. */
export class TtyProgress implements ProgressReporter {
  private total = 0;
  private finished = 0;
  private finishedThisRun = 0;
  private current = "";
  private startedAt = 0;
  private lastDraw = -Infinity;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {}

  onEvent(event: ApplyEvent): void {
    switch (event.type) {
      case "start":
        this.total = event.total;
        this.finished = event.alreadyDone;
        this.startedAt = this.now();
        if (event.resumed) this.out.write(`${resumeLine(event.alreadyDone, event.total)}\n`);
        this.draw(true);
        return;
      case "action-start":
        this.current = clean(actionLabel(event.action));
        this.draw(false);
        return;
      case "action-end":
        this.finished++;
        this.finishedThisRun++;
        if (event.result.status === "failed") this.line(formatActionLine(this.finished, this.total, event.action, event.result));
        this.draw(false);
        return;
      case "finish":
        this.current = "";
        this.draw(true);
        this.out.write("\n");
        return;
      default: {
        const text = messageLine(event);
        if (text !== undefined) this.line(text);
        return;
      }
    }
  }

  private line(text: string): void {
    this.out.write(`\r\x1b[K${clean(text)}\n`);
    this.draw(true);
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const elapsed = t - this.startedAt;
    const left = this.total - this.finished;
    const eta = this.finishedThisRun > 0 ? clock((elapsed / this.finishedThisRun) * left) : "--:--";
    const width = 24;
    const filled = this.total === 0 ? width : Math.round((this.finished / this.total) * width);
    const bar = `${"#".repeat(filled)}${".".repeat(width - filled)}`;
    const head = `[${bar}] ${this.finished}/${this.total} ${clock(elapsed)} eta ${eta} `;
    const columns = this.out.columns ?? 100;
    const text = `${head}${this.current}`.slice(0, Math.max(columns - 1, head.length));
    this.out.write(`\r\x1b[K${text}`);
  }
}
