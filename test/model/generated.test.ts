import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("generated types and validators", () => {
  it("lib/model/generated matches what the schemas generate (npm run check:generated)", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/gen-types.ts", "--check"], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("generated types and validators are current");
  });
});
