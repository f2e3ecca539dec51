/**
 * A journal that cannot be written (a full disk, a quota, an I/O error, a
 * file system gone read-only) under a running apply: the apply stops taking
 * new actions, lets the ones in flight finish, releases the lock and says
 * which actions it did (their writes happened), which of them the journal
 * could not record, and how to resume; the same apply then resumes and makes
 * every write once. The journal's file writer is injected (JournalIo).
 * Also: journal files are created whole and mode 0600, and an emptied journal
 * is explained rather than reported as a bare stale plan.
 */
import { errorText } from "../../lib/private/text.js";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyPlan, FileJournal, FileLockStore, journalPath, type ApplyEvent } from "../../lib/apply/index.js";
import { DEFAULT_JOURNAL_IO, type JournalIo } from "../../lib/apply/journal.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { contoso, contosoPlan, FAST } from "./helpers.js";
import type { FakeProvider } from "../util/fake-provider.js";

let dir = "";
afterEach(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
  dir = "";
});

const header = (plan: PlanDocument) => ({ journal: 1 as const, planId: plan.contentDigest, tenantId: plan.tenantId });

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, write`), { code, syscall: "write" });
}

/** The real journal file writer, except that append number `failAt` (1-based) and every later one fail with `code`. */
function failingAppends(code: string, failAt: number): JournalIo {
  let appends = 0;
  return {
    create: DEFAULT_JOURNAL_IO.create,
    openAppend: async (file) => {
      const real = await DEFAULT_JOURNAL_IO.openAppend(file);
      return {
        ...real,
        write: async (text) => {
          if (++appends >= failAt) throw errno(code);
          await real.write(text);
        },
      };
    },
  };
}

const writesOf = (tenant: FakeProvider) => tenant.state.applied.map((c) => `${c.op} ${c.target} ${c.args}`).sort();

describe("an apply whose journal cannot be written", () => {
  it("stops, releases the lock, says what was done and what the journal missed, and resumes with each write once, whichever append fails", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-failure-"));
    const clean = contoso();
    const cleanPlan = await contosoPlan(clean);
    await applyPlan(cleanPlan, clean, FAST);
    const baseline = writesOf(clean);
    let failures = 0;
    for (let n = 1; ; n++) {
      const code = ["ENOSPC", "EIO", "EDQUOT", "EROFS"][n % 4]!;
      const tenant = contoso();
      const plan = await contosoPlan(tenant);
      const file = join(dir, `${n}`, "journal", "j.jsonl");
      const lockFile = join(dir, `${n}`, "tenant.lock");
      const lock = new FileLockStore(lockFile);
      const finished: string[] = [];
      const onEvent = (e: ApplyEvent) => {
        if (e.type === "action-end" && e.result.status !== "failed" && e.result.status !== "not_started") finished.push(e.action.id);
      };
      const failing = new FileJournal(file, header(plan), failingAppends(code, n));
      const outcome = await applyPlan(plan, tenant, { ...FAST, parallelism: 4, journal: failing, lock, onEvent }).then(
        () => null,
        (e: unknown) => e,
      );
      await failing.close();
      if (outcome === null) break; // fewer appends than n: the apply never failed
      failures++;
      const context = `append ${n} fails with ${code}`;
      expect(UserError.is(outcome), `${context}: ${errorText(outcome)}`).toBe(true);
      const diagnostics = (outcome as UserError).diagnostics;
      expect(diagnostics.every((d) => d.code === "journal_failed" && d.target === file), context).toBe(true);
      const message = diagnostics.map((d) => d.message).join("\n");
      expect(message, context).toMatch(new RegExp(`^the apply journal could not be written \\(${code}: `));
      expect(message, context).toContain("the apply stopped starting actions, let the ones in flight finish and released the tenant lock");
      expect(message, context).toContain("free some space (or fix the cause) where the journal is, then run the same apply again");
      expect(existsSync(lockFile), context).toBe(false);

      // what it says was done is what was done; what it says the journal missed is what the journal misses
      const survived = await new FileJournal(file, header(plan)).load();
      const recorded = new Set(survived.entries.filter((e) => e.t === "done").map((e) => e.id));
      const unrecorded = finished.filter((id) => !recorded.has(id));
      expect(message, context).toContain(
        finished.length === 0 ? "this run changed nothing on the tenant" : `this run did ${finished.length} action${finished.length === 1 ? "" : "s"} (their writes happened)`,
      );
      if (unrecorded.length > 0) expect(message, context).toMatch(/the journal could not record (it|any of them|the last \d+ of them)/);
      if (unrecorded.length > 1 && unrecorded.length < finished.length) expect(message, context).toContain(`the last ${unrecorded.length} of them`);

      // the same apply, with space again: resumes, converges, and writes nothing twice
      const journal = new FileJournal(file, header(plan));
      const resumed = await applyPlan(plan, tenant.reopen(), { ...FAST, journal, lock });
      await journal.close();
      expect(resumed.converged, context).toBe(true);
      expect(resumed.summary.failed + resumed.summary.notStarted, context).toBe(0);
      const writes = writesOf(tenant);
      // a password reset cannot be read back: one the journal missed is made again (harmless, docs/decisions/0004)
      const resets = writes.filter((w) => w.startsWith("resetPassword "));
      expect(writes.filter((w) => !w.startsWith("resetPassword ")), context).toEqual(baseline.filter((w) => !w.startsWith("resetPassword ")));
      for (const r of new Set(resets)) expect(resets.filter((x) => x === r).length, context).toBeLessThanOrEqual(2);
    }
    expect(failures).toBeGreaterThan(5);
  });

  it("cannot create its journal: says nothing was changed, releases the lock", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-failure-"));
    const tenant = contoso();
    const plan = await contosoPlan(tenant);
    const file = join(dir, "journal", "j.jsonl");
    const io: JournalIo = { ...DEFAULT_JOURNAL_IO, create: () => Promise.reject(errno("ENOSPC")) };
    const error = await applyPlan(plan, tenant, { ...FAST, journal: new FileJournal(file, header(plan), io), lock: new FileLockStore(join(dir, "tenant.lock")) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(UserError.is(error)).toBe(true);
    expect((error as UserError).diagnostics).toEqual([
      {
        severity: "error",
        code: "journal_failed",
        target: file,
        message:
          "the apply journal could not be created (ENOSPC: no space left on the device); nothing was changed: fix the cause (free some space, check the permissions) and run the same apply again",
      },
    ]);
    expect(tenant.writes()).toEqual([]);
    expect(existsSync(join(dir, "tenant.lock"))).toBe(false);
  });

  it("close() after a failed write releases the file without throwing again (the failure was reported once)", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-failure-"));
    const journal = new FileJournal(join(dir, "j.jsonl"), header({ contentDigest: "sha256:aa", tenantId: "contoso" } as PlanDocument), failingAppends("ENOSPC", 1));
    await journal.begin();
    journal.append({ t: "done", id: "a", how: "ran" });
    await expect(journal.sync()).rejects.toThrow(/^ENOSPC: no space left on the device$/);
    journal.append({ t: "done", id: "b", how: "ran" });
    await expect(journal.close()).resolves.toBeUndefined();
  });
});

describe("journal files", () => {
  it("are created whole, mode 0600, with no temporary file left", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-file-"));
    const file = journalPath(dir, "sha256:abcdef0123456789abcdef");
    const journal = new FileJournal(file, { journal: 1, planId: "sha256:abcdef0123456789abcdef", tenantId: "contoso" });
    await journal.begin();
    journal.append({ t: "done", id: "a", how: "ran" });
    await journal.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, "journal"))).toEqual(["abcdef0123456789.jsonl"]);
    expect(readFileSync(file, "utf8")).toBe(`${JSON.stringify({ journal: 1, planId: "sha256:abcdef0123456789abcdef", tenantId: "contoso" })}\n{"t":"done","id":"a","how":"ran"}\n`);
  });

  it("an emptied journal (0 bytes): the plan's own earlier changes cannot be told apart, and the refusal says so and what to do", async () => {
    dir = mkdtempSync(join(tmpdir(), "exoform-journal-file-"));
    const tenant = contoso();
    const plan = await contosoPlan(tenant);
    const file = join(dir, "journal", "j.jsonl");
    // the first run: interrupted after some writes (its journal began, then the process died)
    const first = new AbortController();
    let done = 0;
    const firstJournal = new FileJournal(file, header(plan));
    await applyPlan(plan, tenant, {
      ...FAST,
      journal: firstJournal,
      signal: first.signal,
      onEvent: (e) => {
        if (e.type === "action-end" && ++done === 5) first.abort();
      },
    });
    await firstJournal.close();
    expect(tenant.state.applied.length).toBeGreaterThan(0);
    // ...then something emptied the journal (a full disk, an edit)
    writeFileSync(file, "");
    const journal = new FileJournal(file, header(plan));
    expect(await journal.load()).toEqual({ begun: false, entries: [], emptied: true });
    const refused = await applyPlan(plan, tenant.reopen(), { ...FAST, journal }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(UserError.is(refused)).toBe(true);
    const diagnostics = (refused as UserError).diagnostics;
    expect(diagnostics.some((d) => d.code === "stale_plan")).toBe(true);
    expect(diagnostics.at(-1)).toMatchObject({ code: "journal_emptied" });
    expect(diagnostics.at(-1)!.message).toContain("this plan's apply journal exists but is empty (0 bytes)");
    expect(diagnostics.at(-1)!.message).toContain("make a new plan from the tenant as it is now (exoform plan --out plan.json)");
    expect(readFileSync(file, "utf8")).toBe(""); // refused before anything was written
  });
});
