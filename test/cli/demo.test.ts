/**
 * `npm start` runs `exoform demo`: the whole loop on the simulated contoso
 * tenant. It must converge on a new tenant and find nothing to do the second
 * time, or a newcomer's first command is broken.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main.js";

function capture() {
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
  return out;
}

describe("exoform demo", () => {
  afterEach(() => vi.restoreAllMocks());

  it("creates the contoso tenant, plans, applies, converges and finds no drift; run again, the plan is empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exoform-demo-"));
    const argv = ["node", "exoform", "demo", "--tenant", join(dir, "tenant.db"), "--output", join(dir, "cdktf.out")];

    const first = capture();
    expect(await main(argv)).toBe(0);
    const firstText = first.join("");
    expect(firstText).toContain("$ exoform tenant init --fixture contoso");
    expect(firstText).toMatch(/Plan: \d+ to add, \d+ to change, \d+ to destroy/);
    expect(firstText).toContain("Converged: the tenant matches the desired state.");
    expect(firstText).toContain("no drift");
    vi.restoreAllMocks();

    const second = capture();
    expect(await main(argv)).toBe(0);
    const secondText = second.join("");
    expect(secondText).not.toContain("tenant init");
    expect(secondText).toContain("No changes. The tenant matches the desired state.");
    expect(secondText).toContain("Apply complete: 0 done");
    vi.restoreAllMocks();

    // a re-created tenant is a new tenant: the same plan applies afresh, not "already applied"
    const third = capture();
    expect(await main([...argv, "--fresh"])).toBe(0);
    const thirdText = third.join("");
    expect(thirdText).toContain("$ exoform tenant init --fixture contoso");
    expect(thirdText).toMatch(/Apply complete: [1-9]\d* done/);
    expect(thirdText).toContain("Converged: the tenant matches the desired state.");
  });

  it("outside the repository (an installed package, a team's project), refuses with what to run instead and creates nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exoform-demo-elsewhere-"));
    const here = process.cwd();
    process.chdir(dir);
    try {
      const out = capture();
      expect(await main(["node", "exoform", "demo"])).toBe(1);
      const text = out.join("");
      expect(text).toContain("exoform demo runs the contoso example of the exoform repository");
      expect(text).toContain("exoform init");
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      process.chdir(here);
    }
  });
});
