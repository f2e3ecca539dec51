import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main.js";

describe("the global --clock option", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env["EXOFORM_CLOCK"];
  });

  it("rejects an unknown clock mode with a message naming both valid ones, and exits 1", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const code = await main(["node", "exoform", "--clock", "bogus", "tenant", "clock"]);
    expect(code).toBe(1);
    expect(err.mock.calls.map((c) => String(c[0])).join("")).toContain('clock mode "bogus" is not valid; use --clock virtual or --clock real');
  });

  it("selects the real clock for the command, wherever it is written on the line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exoform-clock-"));
    const tenant = join(dir, "t.db");
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await main(["node", "exoform", "tenant", "init", "--tenant", tenant])).toBe(0);
    expect(await main(["node", "exoform", "tenant", "clock", "--tenant", tenant, "--clock", "real"])).toBe(0);
    expect(process.env["EXOFORM_CLOCK"]).toBe("real");
  });
});
