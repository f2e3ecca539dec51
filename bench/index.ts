/**
 * bench/: exoform's performance benchmarks at tenant scale. `npm run bench`
 * (run.ts) generates inputs with scripts/gen, runs each scenario of
 * scenarios.ts in a fresh process (child.ts) or the real CLI, and prints one
 * table of wall time, CPU time, peak RSS and the ratio to a JSON.parse
 * baseline of the same inputs against the targets in the README's performance section;
 * figures go to bench/results/latest.json (git-ignored). tenant-scale.ts is
 * the simulated tenant's own standalone scale check. Nothing here is run by
 * `npm test`; test/bench/smoke.test.ts runs the same pipeline small.
 */
export { SCENARIOS, FILES, RESULT_PREFIX, type ScenarioArgs, type ScenarioFigures } from "./scenarios.js";
export { formatMarkdown, formatTable, type Measure, type Row } from "./table.js";
