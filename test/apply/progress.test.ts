/**
 * Off a terminal (CI logs, pipes) a long apply is never silent: one line per
 * finished action for ordinary plans; above a few hundred actions, a
 * progress line every 10 s (done, failed, waiting on throttling, elapsed,
 * estimate); and whenever 10 s pass with nothing printed, a progress line
 * that says what the apply waits for. Time here is virtual: the clock and the
 * 10 s timer are the test's.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PER_ACTION_LINES_MAX, PlainProgress, PROGRESS_EVERY_MS, type Every } from "../../lib/apply/progress.js";
import type { ActionResult, ApplyEvent } from "../../lib/apply/types.js";
import type { PlanAction } from "../../lib/plan/types.js";

/** A PlainProgress on a virtual clock with a timer the test fires, writing to `lines`. */
function harness(options: { perActionLinesMax?: number } = {}) {
  let now = 0;
  let nextTickAt = Infinity;
  const ticks: Array<() => void> = [];
  const every: Every = (ms, tick) => {
    expect(ms).toBe(PROGRESS_EVERY_MS);
    ticks.push(tick);
    nextTickAt = now + ms;
    return () => ticks.splice(ticks.indexOf(tick), 1);
  };
  const lines: string[] = [];
  const out = { write: (s: string) => (lines.push(...s.split("\n").filter(Boolean)), true) } as unknown as NodeJS.WritableStream;
  const progress = new PlainProgress(out, { now: () => now, every, ...options });
  return {
    progress,
    lines,
    /** Let `ms` of time pass, firing the timer every 10 s from when it was set, as setInterval does. */
    advance(ms: number) {
      const end = now + ms;
      while (ticks.length > 0 && nextTickAt <= end) {
        now = nextTickAt;
        nextTickAt += PROGRESS_EVERY_MS;
        for (const t of [...ticks]) t();
      }
      now = end;
    },
    timers: () => ticks.length,
  };
}

function action(i: number): PlanAction {
  const target = `m${i}@contoso.com`;
  return { id: `user.blockSignIn:${target}`, type: "user.blockSignIn", target, params: {}, dependsOn: [], reason: "", description: "", destructive: false, access: [] } as unknown as PlanAction;
}

function ended(a: PlanAction, status: ActionResult["status"] = "done"): ApplyEvent {
  const result: ActionResult = {
    id: a.id,
    type: a.type,
    target: a.target,
    status,
    attempts: 1,
    durationMs: 5,
    ...(status === "failed" ? { error: { code: "NoLicense", message: "a license is required", kind: "precondition" as const } } : {}),
  };
  return { type: "action-end", action: a, result };
}

const throttled = (a: PlanAction, delayMs: number): ApplyEvent => ({
  type: "retry",
  action: a,
  attempt: 1,
  delayMs,
  error: { code: "TooManyRequests", message: "slow down", kind: "throttled" },
});

describe("apply progress off a terminal", () => {
  it("prints a line per completed action for an ordinary plan", () => {
    const h = harness();
    h.progress.onEvent({ type: "start", total: 2, alreadyDone: 0, resumed: false });
    h.progress.onEvent(ended(action(1)));
    h.progress.onEvent(ended(action(2)));
    h.progress.onEvent({ type: "finish", summary: { total: 2, done: 2, skipped: 0, failed: 0, notStarted: 0, durationMs: 10 } });
    expect(h.lines).toEqual(["[1/2] done user.blockSignIn m1@contoso.com (1 attempt, 5 ms)", "[2/2] done user.blockSignIn m2@contoso.com (1 attempt, 5 ms)"]);
    expect(h.timers()).toBe(0);
  });

  it("says what it waits for when 10 s pass with nothing printed: the actions held back by throttling", () => {
    const h = harness();
    h.progress.onEvent({ type: "start", total: 3, alreadyDone: 0, resumed: false });
    h.progress.onEvent(ended(action(1)));
    h.progress.onEvent(throttled(action(2), 60_000));
    h.progress.onEvent(throttled(action(3), 60_000));
    h.advance(5_000);
    expect(h.lines).toHaveLength(3); // nothing new before 10 s of silence
    h.advance(10_000);
    expect(h.lines.at(-1)).toBe("progress: 1/3 done, 0 failed, 2 waiting on throttling (the service asked to slow down), elapsed 00:10, about 00:20 left");
    h.progress.close(); // an apply that ended by an error, with no "finish": the timer stops all the same
    expect(h.timers()).toBe(0);
  });

  it(`above ${PER_ACTION_LINES_MAX} actions prints a progress line every 10 s instead of a line per action, and every failure as it happens`, () => {
    const total = PER_ACTION_LINES_MAX + 100;
    const h = harness();
    h.progress.onEvent({ type: "start", total, alreadyDone: 0, resumed: false });
    expect(h.lines).toEqual([`${total} actions to run: a progress line every 10 s, failures as they happen`]);
    for (let i = 0; i < 100; i++) h.progress.onEvent(ended(action(i), i === 7 ? "failed" : "done"));
    h.progress.onEvent(throttled(action(100), 30_000));
    h.advance(10_000);
    expect(h.lines.slice(1)).toEqual([
      `[8/${total}] failed user.blockSignIn m7@contoso.com (1 attempt, 5 ms): NoLicense: a license is required`,
      `progress: 100/${total} done, 1 failed, 1 waiting on throttling (the service asked to slow down), elapsed 00:10, about 00:30 left`,
    ]);
    h.advance(10_000); // a line every 10 s, even with nothing finished
    expect(h.lines.at(-1)).toBe(`progress: 100/${total} done, 1 failed, 1 waiting on throttling (the service asked to slow down), elapsed 00:20, about 01:00 left`);
    h.advance(10_000); // the throttling wait is over
    expect(h.lines.at(-1)).toBe(`progress: 100/${total} done, 1 failed, elapsed 00:30, about 01:30 left`);
  });

  it("is never silent for 10 s and counts every finished action, whatever the events and pauses (property)", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("end" as const), failed: fc.boolean() }),
      fc.record({ kind: fc.constant("throttle" as const), ms: fc.integer({ min: 1, max: 120_000 }) }),
      fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 45_000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 * PER_ACTION_LINES_MAX }), fc.array(step, { maxLength: 60 }), (total, steps) => {
        const h = harness();
        h.progress.onEvent({ type: "start", total, alreadyDone: 0, resumed: false });
        let done = 0;
        for (const s of steps) {
          if (s.kind === "end" && done < total) h.progress.onEvent(ended(action(done++), s.failed ? "failed" : "done"));
          if (s.kind === "throttle") h.progress.onEvent(throttled(action(done), s.ms));
          if (s.kind === "wait") {
            const before = h.lines.length;
            h.advance(s.ms);
            if (s.ms >= 2 * PROGRESS_EVERY_MS) expect(h.lines.length).toBeGreaterThan(before);
          }
        }
        expect(h.progress.progressLine()).toMatch(new RegExp(`^progress: ${done}/${total} done, `));
      }),
    );
  });
});
