/**
 * An apply through the Microsoft provider in its own process, as
 * `exoform apply <plan> --auto-approve --provider microsoft` runs it against a
 * local endpoint (FileJournal in the state dir, FileLockStore, the endpoint's
 * virtual clock), without the CLI's start-up cost. The wire crash test
 * (../wire-crash.test.ts) serves the tenant in its own process and SIGKILLs
 * this one from the endpoint's afterWrite hook, right after a write committed
 * and before its response is sent.
 *
 * Usage: node --import tsx apply-wire-child.ts '<WireChildArgs as JSON>', with
 * the endpoint's AZURE_* and EXOFORM_* variables and NODE_EXTRA_CA_CERTS (the
 * test run's CA) in the environment. Exit: 0 converged, 2 complete but not
 * converged, 1 refused or failed (message on stderr). Prints the result
 * document on stdout.
 */
import { readFileSync } from "node:fs";
import { applyPlan, FileJournal, FileLockStore, journalPath } from "../../../lib/apply/index.js";
import type { PlanDocument } from "../../../lib/plan/types.js";
import { EndpointClock } from "../../../providers/microsoft/endpoint-clock.js";
import { openMicrosoftProvider } from "../../../providers/microsoft/index.js";
import { declaredEventual } from "../eventual.js";
import { refusalExit, resultExit } from "./outcome.js";

/** What this script takes (one JSON argument). */
export interface WireChildArgs {
  readonly plan: string;
  readonly stateDir: string;
  readonly lock: string;
  readonly parallelism?: number;
}

async function main(): Promise<number> {
  const args = JSON.parse(process.argv[2] ?? "{}") as WireChildArgs;
  const doc = JSON.parse(readFileSync(args.plan, "utf8")) as PlanDocument;
  const origin = process.env["EXOFORM_GRAPH_URL"];
  if (!origin) throw new Error("EXOFORM_GRAPH_URL is not set: pass the served endpoint's env");
  const provider = declaredEventual(await openMicrosoftProvider(process.env, { clock: new EndpointClock(origin), random: () => 0.5 }));
  const journal = new FileJournal(journalPath(args.stateDir, doc.contentDigest, provider.instance), {
    journal: 1,
    planId: doc.contentDigest,
    tenantId: doc.tenantId,
    tenantInstance: provider.instance,
  });
  try {
    return resultExit(await applyPlan(doc, provider, { journal, lock: new FileLockStore(args.lock), parallelism: args.parallelism ?? 4 }));
  } catch (e) {
    return refusalExit(e);
  } finally {
    await journal.close();
  }
}

process.exitCode = await main();
