/**
 * Adoption at scale: a generated tenant of 10,000 shared mailboxes (no drift)
 * exports, in memory, to a document that plans to no change; the same
 * document as one TypeScript file synthesizes back to itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desiredToTypeScript, exportDesired, type ExportResult } from "../../lib/export/index.js";
import { canonicalize } from "../../lib/model/normalize.js";
import { plan } from "../../lib/plan/planner.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { observe } from "../../lib/provider/observe.js";
import type { ObservedState } from "../../lib/provider/observed.js";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { generateScenario, type Scenario } from "../../scripts/gen/generate.js";
import { synthProgram, tempPath } from "./helpers.js";

const MAILBOXES = 10_000;

describe(`exporting a generated tenant of ${MAILBOXES} shared mailboxes`, () => {
  let scenario: Scenario;
  let observed: ObservedState;
  let result: ExportResult;
  let exportMs = 0;
  beforeAll(async () => {
    scenario = generateScenario({ mailboxes: MAILBOXES, grantsPerMailbox: 3, drift: 0, seed: 6 });
    const tenant = SimulatedTenant.create(tempPath("bench.db"), scenario.fixture);
    observed = await observe(tenant);
    tenant.close();
    const started = performance.now();
    result = exportDesired(observed, { stack: "bench" });
    exportMs = performance.now() - started;
  }, 30_000);
  afterAll(() => {
    // a figure for the report, not an assertion: timing varies by machine
    process.stdout.write(`export of ${MAILBOXES} mailboxes: ${exportMs.toFixed(0)} ms\n`);
  });

  it("plans no change, without notes (the time it takes is a bench figure, not an assertion)", () => {
    const doc = plan(result.desired, observed);
    expect(doc.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(doc.actions).toEqual([]);
    expect(result.diagnostics).toEqual([]);
    expect(result.desired.sharedMailboxes).toHaveLength(MAILBOXES);
  });

  it("is exactly the generator's own desired state", () => {
    expect(canonicalJson(result.desired)).toBe(canonicalJson(canonicalize(scenario.desired)));
  });

  it("writes one TypeScript file that synthesizes back to the document", async () => {
    const program = desiredToTypeScript(result.desired);
    expect(program.match(/^new SharedMailbox\(/gm)).toHaveLength(MAILBOXES);
    const synthesized = await synthProgram(program);
    expect(canonicalJson(synthesized)).toBe(canonicalJson(result.desired));
  }, 60_000);
});
