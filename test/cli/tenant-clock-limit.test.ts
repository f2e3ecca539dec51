/**
 * `exoform tenant clock advance` refuses a duration that would move the
 * tenant clock past the last moment a date can be written in (the end of the
 * year 9999): a clear error, exit 1, nothing stored, and every later command
 * still works (before, `99999999999d` was stored and every command then
 * failed with "internal: Invalid time value").
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exoformInProcess } from "./in-process.js";

const dir = mkdtempSync(join(tmpdir(), "exoform-clock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exoform = exoformInProcess;

describe("tenant clock advance", () => {
  const tenant = ["--tenant", join(dir, "tenant.db")];

  it.each([
    ["99999999999d", "99999999999d"],
    ["2914000d (past the year 9999, still a valid Date)", "2914000d"],
    ["a 400-digit number of ms (Infinity)", `${"9".repeat(400)}ms`],
  ])("refuses %s, stores nothing, and every command still works", async (_what, duration) => {
    expect((await exoform("tenant", "init", "--fixture", "empty", "--force", ...tenant)).status).toBe(0);
    const before = (await exoform("tenant", "clock", "show", ...tenant)).stdout;
    expect(before).toBe("2026-11-01T09:00:00.000Z\n");

    const r = await exoform("tenant", "clock", "advance", duration, ...tenant);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: .*clock.*9999-12-31T23:59:59\.999Z/m);
    expect(r.stderr).not.toContain("internal");

    expect((await exoform("tenant", "clock", "show", ...tenant)).stdout).toBe(before);
    const show = await exoform("tenant", "show", ...tenant);
    expect(show.status, show.stderr).toBe(0);
    const log = await exoform("tenant", "log", "--json", ...tenant);
    expect(log.status, log.stderr).toBe(0);
    expect(log.stdout).not.toContain("advanceClock");
  });

  it("still advances to the very last moment allowed, and no further", async () => {
    expect((await exoform("tenant", "init", "--fixture", "empty", "--force", ...tenant)).status).toBe(0);
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const left = last - Date.parse("2026-11-01T09:00:00.000Z");
    const ok = await exoform("tenant", "clock", "advance", `${left}ms`, ...tenant);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe("9999-12-31T23:59:59.999Z\n");
    const more = await exoform("tenant", "clock", "advance", "1ms", ...tenant);
    expect(more.status).toBe(1);
    expect((await exoform("tenant", "show", ...tenant)).status).toBe(0);
  });
});
