/**
 * `exoform apply` stopped by a signal, in its own process, on a simulated
 * tenant whose writes take real time (latency fault, --clock real), so the
 * signal arrives with writes in flight:
 * - the first SIGINT, SIGTERM or SIGHUP: no new action starts, the writes in
 *   flight finish, the journal is flushed, the lock released, the summary
 *   printed with the exact command that resumes, exit 130, 143 or 129;
 * - a second signal says it is finishing and exits the same way;
 * - a third exits at once, still removing the lock file.
 * Each time the journal is whole and a new apply resumes and converges with
 * every write made exactly once (the tenant's own log).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileJournal, type JournalState } from "../../lib/apply/index.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { startCli, type CliChild, type CliOutcome } from "../cli/cli-child.js";
import { exoformInProcess } from "../cli/in-process.js";
import { contosoDesired, createTenant, exactlyOnceProblems, planAgainst, tempDir } from "../integration/helpers.js";

const EXIT_CODE = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof EXIT_CODE;

interface Scenario {
  readonly dir: string;
  readonly doc: PlanDocument;
  readonly tenantFile: string;
  readonly lockFile: string;
  readonly instance: string;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The contoso tenant and its saved plan; every write takes `latencyMs` (on the real clock the child runs). */
async function scenario(latencyMs: number): Promise<Scenario> {
  const dir = tempDir("signals");
  dirs.push(dir);
  const tenant = createTenant(dir);
  const doc = await planAgainst(tenant, contosoDesired());
  tenant.setFaults({ latencyMs });
  const instance = tenant.instance;
  tenant.close();
  writeFileSync(join(dir, "plan.json"), JSON.stringify(doc));
  return { dir, doc, tenantFile: join(dir, "tenant.db"), lockFile: join(dir, "tenant.db.lock"), instance };
}

const APPLY = ["--clock", "real", "apply", "plan.json", "--tenant", "tenant.db"];
const RESUME_COMMAND = "exoform --clock real apply plan.json --tenant tenant.db";

/** The journal the interrupted apply left: read as a resume reads it (it must parse), with its raw text. */
async function journalOf(s: Scenario): Promise<{ state: JournalState; text: string }> {
  const folder = join(s.dir, ".exoform", "journal");
  const files = readdirSync(folder);
  expect(files).toHaveLength(1);
  const file = join(folder, files[0]!);
  const state = await new FileJournal(file, { journal: 1, planId: s.doc.contentDigest, tenantId: s.doc.tenantId, tenantInstance: s.instance }).load();
  return { state, text: readFileSync(file, "utf8") };
}

/** Progress lines of finished actions ("[3/41] done ..."). */
function doneLines(out: CliOutcome): number {
  return out.stderr.split("\n").filter((l) => /^\[\d+\/\d+\] (done|skipped) /.test(l)).length;
}

/** Faults off, then the same apply again (in this process, virtual clock): it must resume and converge, each write made once. */
async function resumeConverges(s: Scenario): Promise<void> {
  const tenant = SimulatedTenant.open(s.tenantFile);
  tenant.clearFaults();
  tenant.close();
  const again = await exoformInProcess("apply", join(s.dir, "plan.json"), "--tenant", s.tenantFile);
  expect(again.status, again.stderr).toBe(0);
  expect(again.stderr).toMatch(/resuming an interrupted apply: \d+ of \d+ actions were already done/);
  expect(again.stdout).toContain("Apply complete (resumed)");
  const after = SimulatedTenant.open(s.tenantFile);
  try {
    expect(exactlyOnceProblems(s.doc, after.readLog())).toEqual([]);
  } finally {
    after.close();
  }
  expect(existsSync(s.lockFile)).toBe(false);
}

/** Start the apply, and once an action is done send SIGINT, then `second` once it said it is stopping; resolves when it acknowledged both. */
async function interruptTwice(s: Scenario, second: StopSignal): Promise<CliChild> {
  const child = startCli(APPLY, { cwd: s.dir });
  await child.waitFor(/^\[1\/\d+\] done /m);
  child.kill("SIGINT");
  await child.waitFor("received SIGINT: stopping");
  child.kill(second);
  await child.waitFor(`received ${second} again: finishing the writes in flight`);
  return child;
}

describe("exoform apply stopped by a signal", () => {
  for (const sig of Object.keys(EXIT_CODE) as StopSignal[]) {
    it(`on ${sig}: finishes the writes in flight, flushes the journal, releases the lock, prints the summary with the resume command, exits ${EXIT_CODE[sig]}; the same apply then resumes and converges with each write once`, async () => {
      const s = await scenario(400);
      const child = startCli(APPLY, { cwd: s.dir });
      await child.waitFor(/^\[2\/\d+\] done /m);
      expect(existsSync(s.lockFile)).toBe(true);
      child.kill(sig);
      const out = await child.done;

      expect(out.signal).toBeNull();
      expect(out.code, out.stderr).toBe(EXIT_CODE[sig]);
      expect(out.stderr).toContain(`received ${sig}: stopping`);
      expect(out.stderr).toMatch(new RegExp(`apply stopped by ${sig}: \\d+ of ${s.doc.actions.length} actions done, 0 failed, [1-9]\\d* not started`));
      expect(out.stderr).toContain(`To resume, run: ${RESUME_COMMAND}\n`);
      expect(out.stdout).toMatch(/^Apply interrupted: \d+ done, 0 already in effect, 0 failed, \d+ not started/m);
      expect(existsSync(s.lockFile)).toBe(false);

      // the journal is whole (a header, complete lines) and records every action that finished
      const { state, text } = await journalOf(s);
      expect(state.begun).toBe(true);
      expect(text.endsWith("\n")).toBe(true);
      const done = state.entries.filter((e) => e.t === "done");
      expect(done.length).toBe(doneLines(out));
      expect(done.length).toBeGreaterThanOrEqual(2);
      expect(done.length).toBeLessThan(s.doc.actions.length);

      await resumeConverges(s);
    });
  }

  it("does not sit out a mailbox.wait: a signal while a new mailbox provisions (5 minutes on the real clock) ends the apply at once", async () => {
    const s = await scenario(100);
    const child = startCli(APPLY, { cwd: s.dir });
    // the new mailboxes were created first: their waits are polling now
    await child.waitFor(/^\[10\/\d+\] done /m);
    child.kill("SIGTERM");
    // sitting out the wait would take 5 minutes of real time, far past the test's timeout: no wall-clock threshold needed
    const out = await child.done;

    expect(out.code, out.stderr).toBe(143);
    expect(out.stdout).toMatch(/Not started:\n(?: {2}.*\n)*? {2}ceo-office@contoso\.com:mailbox\.wait:provisioned\n/);
    expect(out.stderr).toContain(`To resume, run: ${RESUME_COMMAND}\n`);
    expect(existsSync(s.lockFile)).toBe(false);
    await resumeConverges(s);
  });

  it("on a second signal while finishing: says it is finishing the writes in flight, then exits with the first signal's code, the lock released", async () => {
    // the second signal must arrive while the writes in flight at the first still run: 3 s each leaves room for a
    // test worker slowed down by the other worker beside it
    const s = await scenario(3000);
    const child = await interruptTwice(s, "SIGTERM");
    const out = await child.done;

    expect(out.code, out.stderr).toBe(130);
    expect(out.stderr).toContain(`To resume, run: ${RESUME_COMMAND}\n`);
    expect(existsSync(s.lockFile)).toBe(false);
    const { state } = await journalOf(s);
    expect(state.entries.filter((e) => e.t === "done").length).toBe(doneLines(out));
    await resumeConverges(s);
  });

  it("on a third signal: exits at once, removing the lock file, and says how to resume; the resume settles the writes left in flight", async () => {
    // three signals while the writes in flight at the first still run (6 s each: room for a slowed-down test worker)
    const s = await scenario(6000);
    const child = await interruptTwice(s, "SIGINT");
    child.kill("SIGINT");
    const out = await child.done;

    expect(out.code, out.stderr).toBe(130);
    expect(out.stderr).toContain("received SIGINT a third time: exiting now");
    expect(out.stderr).toMatch(/The tenant lock \(.*tenant\.db\.lock\) is released\./);
    expect(out.stderr).toContain(`resume with: ${RESUME_COMMAND}`);
    expect(out.stdout).not.toContain("Apply interrupted");
    expect(existsSync(s.lockFile)).toBe(false);
    const { state, text } = await journalOf(s);
    expect(state.begun).toBe(true);
    expect(text.endsWith("\n")).toBe(true);
    // it did not wait for the writes in flight (each takes 6 s): some started and never finished
    const finished = new Set(state.entries.filter((e) => e.t !== "started").map((e) => e.id));
    expect(state.entries.filter((e) => e.t === "started" && !finished.has(e.id)).length).toBeGreaterThan(0);
    await resumeConverges(s);
  });
});
