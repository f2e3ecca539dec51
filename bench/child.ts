/**
 * One benchmark scenario in this (fresh) process:
 *   node --import tsx bench/child.ts <scenario> '<json args>'
 * Prints one JSON line: the scenario's figures and this process's peak RSS.
 */
import { RESULT_PREFIX, SCENARIOS } from "./scenarios.js";

const [name, rawArgs] = process.argv.slice(2);
const scenario = name !== undefined ? SCENARIOS[name] : undefined;
if (scenario === undefined) {
  process.stderr.write(`unknown scenario "${name ?? ""}"; one of: ${Object.keys(SCENARIOS).join(", ")}\n`);
  process.exit(1);
}
const figures = await scenario(JSON.parse(rawArgs ?? "{}") as Record<string, string | number>);
// maxRSS is in kilobytes
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...figures, peakRssBytes })}\n`);
