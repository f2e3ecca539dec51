/**
 * Progress for people, fed by the engine's events: a one-line progress bar on
 * a terminal (done/total, current action, elapsed, ETA), plain log lines
 * otherwise (CI logs, pipes):
 *
 *   [12/40] done permission.grant support@contoso.com FullAccess ben.ortiz@contoso.com (1 attempt, 3 ms)
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

/** One line per finished action, retry and note. */
export class PlainProgress implements ProgressReporter {
  private total = 0;
  private finished = 0;

  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}

  onEvent(event: ApplyEvent): void {
    switch (event.type) {
      case "start":
        this.total = event.total;
        this.finished = event.alreadyDone;
        if (event.resumed) this.line(resumeLine(event.alreadyDone, event.total));
        return;
      case "action-end":
        this.finished++;
        this.line(formatActionLine(this.finished, this.total, event.action, event.result));
        return;
      case "retry":
        this.line(`retry ${actionLabel(event.action)}: ${event.error.code} (attempt ${event.attempt}), waiting ${event.delayMs} ms`);
        return;
      case "note":
        this.line(`note: ${event.message}`);
        return;
      case "stopping":
        this.line(stoppingLine(event.action));
        return;
      case "interrupted":
        this.line(INTERRUPTED);
        return;
      case "settle-wait":
        this.line(settleWaitLine(event.ms));
        return;
      default:
        return;
    }
  }

  private line(text: string): void {
    this.out.write(`${clean(text)}\n`);
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
      case "note":
        this.line(`note: ${event.message}`);
        return;
      case "stopping":
        this.line(stoppingLine(event.action));
        return;
      case "interrupted":
        this.line(INTERRUPTED);
        return;
      case "settle-wait":
        this.line(settleWaitLine(event.ms));
        return;
      case "finish":
        this.current = "";
        this.draw(true);
        this.out.write("\n");
        return;
      default:
        return;
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
