/**
 * npm run gen -- --mailboxes N --grants-per-mailbox K --drift P [--seed S] [--out-dir DIR]
 *
 * Writes DIR/tenant-fixture.json (load it with `exoform tenant init --fixture`)
 * and DIR/desired-state.json (use it with `exoform plan --desired`), which
 * differ in a share P of the mailboxes (scripts/gen/generate.ts says how).
 * Same arguments, same bytes.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateScenario, writeJsonFile } from "./gen/index.js";

const USAGE = "usage: npm run gen -- --mailboxes N --grants-per-mailbox K --drift P [--seed S] [--out-dir DIR]";

function numberFlag(values: Record<string, string | boolean | undefined>, name: string, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined || typeof raw === "boolean") {
    if (fallback !== undefined) return fallback;
    throw new Error(`--${name} is required\n${USAGE}`);
  }
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, not "${raw}"\n${USAGE}`);
  return n;
}

function main(argv: readonly string[]): void {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      mailboxes: { type: "string" },
      "grants-per-mailbox": { type: "string" },
      drift: { type: "string" },
      seed: { type: "string" },
      "out-dir": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = {
    mailboxes: numberFlag(values, "mailboxes"),
    grantsPerMailbox: numberFlag(values, "grants-per-mailbox", 5),
    drift: numberFlag(values, "drift", 0),
    seed: numberFlag(values, "seed", 1),
  };
  const outDir = resolve(values["out-dir"] ?? "generated");
  const { fixture, desired, summary } = generateScenario(options);
  mkdirSync(outDir, { recursive: true });
  const fixtureFile = join(outDir, "tenant-fixture.json");
  const desiredFile = join(outDir, "desired-state.json");
  writeJsonFile(fixtureFile, { $schema: "https://exoform.dev/schema/tenant-fixture.schema.json", ...fixture });
  writeJsonFile(desiredFile, { ...desired });
  const kinds = Object.entries(summary.drifted).map(([kind, n]) => `${kind} ${n}`).join(", ");
  process.stdout.write(
    `wrote ${fixtureFile} (${summary.mailboxes} shared mailboxes, ${summary.people} people, ${summary.tenantGrants} grants)\n` +
      `wrote ${desiredFile} (${summary.desiredGrants} grants declared)\n` +
      `drift: ${kinds}; the plan should hold ${summary.expectedActions} actions\n`,
  );
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
