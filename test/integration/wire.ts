/**
 * Scaffolding of the wire integration tests: apply through the Microsoft
 * provider (providers/microsoft) against a simulated tenant served on Microsoft's
 * wire (providers/local-endpoint), in this process or in a child process.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FileJournal, type JournalHeader, type JournalState } from "../../lib/apply/index.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import type { LogEntry, SimulatedTenant } from "../../providers/simulated/index.js";
import type { Served } from "../local-endpoint/serve.js";
import { leftover, REPO } from "./helpers.js";

export { declaredEventual } from "./eventual.js";

export const WIRE_CHILD_SCRIPT = join(REPO, "test/integration/scripts/apply-wire-child.ts");

/**
 * The tenant's log with wire spellings mapped onto the simulated tenant's: the
 * Microsoft provider always sends New-Mailbox -Alias, the local part of the
 * address when the plan names none, so the log records an alias the plan's
 * action (and writeOf) leaves out.
 */
export function normalizeWireLog(log: readonly LogEntry[]): LogEntry[] {
  return log.map((e) => {
    if (e.operation !== "createSharedMailbox") return e;
    const args = e.args as { address?: string; alias?: string; displayName?: string };
    if (args.address === undefined || args.alias !== args.address.slice(0, args.address.indexOf("@"))) return e;
    const { alias: _alias, ...rest } = args;
    return { ...e, args: rest };
  });
}

/** The environment of a child that applies through the served endpoint: its AZURE_* and EXOFORM_* variables, this run's CA. */
export function childEnv(served: Served): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...served.endpoint.env };
  // the endpoint's certificate is signed by the test run's CA, trusted through the worker's NODE_EXTRA_CA_CERTS
  env["NODE_EXTRA_CA_CERTS"] = process.env["NODE_EXTRA_CA_CERTS"];
  // the CA's key signs endpoints' certificates in this process only; a child applying needs none
  delete env["EXOFORM_TEST_CA_KEY"];
  return env;
}

/** The journal a child left in `stateDir` (its one file), as a resumed apply reads it; null when it never began. */
export async function journalLeft(stateDir: string): Promise<JournalState | null> {
  const dir = join(stateDir, "journal");
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
  } catch {
    return null;
  }
  if (files.length !== 1) throw new Error(`expected one journal in ${dir}, found ${files.length}`);
  const file = join(dir, files[0]!);
  const header = JSON.parse(readFileSync(file, "utf8").split("\n")[0] ?? "{}") as JournalHeader;
  return new FileJournal(file, header).load();
}

/** What is left after an apply, read from the tenant itself with its faults cleared: the re-plan's action ids and the drift (both [] when converged). */
export async function nothingLeft(tenant: SimulatedTenant, desired: CanonicalDesiredState): Promise<{ replan: string[]; drift: unknown[] }> {
  tenant.clearFaults();
  const left = await leftover(tenant, desired);
  return { replan: left.replan.map((a) => a.id), drift: [...left.drift] };
}
