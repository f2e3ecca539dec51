/**
 * How the apply child scripts end: the result document on stdout and an exit
 * code like `exoform apply`'s, or a refusal's messages on stderr.
 */
import type { ApplyResult } from "../../../lib/apply/index.js";
import { UserError } from "../../../lib/diagnostics/errors.js";

/** Print the result document; exit 0 converged, 2 complete but not converged, 1 failed or not started. */
export function resultExit(result: ApplyResult): number {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.summary.failed > 0 || result.summary.notStarted > 0) return 1;
  return result.converged ? 0 : 2;
}

/** A refused apply (UserError): its messages on stderr, exit 1. Anything else is rethrown. */
export function refusalExit(e: unknown): number {
  if (!UserError.is(e)) throw e;
  process.stderr.write(`${e.diagnostics.map((d) => `error: ${d.message}`).join("\n")}\n`);
  return 1;
}
