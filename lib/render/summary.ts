/**
 * The fixed sentences of a plan: its heading, the summary line (from
 * doc.summary, like `terraform plan`'s last line), and the verdicts for an
 * empty and a failed plan.
 */
import type { PlanView, PlanSummary } from "../plan/types.js";
import { plural } from "./diagnostics.js";
import { clean } from "./sanitize.js";

export const NO_CHANGES = "No changes. The tenant matches the desired state.";

/** `Plan: 12 to add, 5 to change, 1 to destroy (2 destructive). Access: 7 gained, 1 lost.` */
export function summaryLine(s: PlanSummary): string {
  const destructive = s.destructive > 0 ? ` (${s.destructive} destructive)` : "";
  return `Plan: ${s.create} to add, ${s.update} to change, ${s.destroy} to destroy${destructive}. Access: ${s.accessGained} gained, ${s.accessLost} lost.`;
}

export function failedLine(errors: number): string {
  return `Plan failed: ${plural(errors, "error")}. Nothing will be changed.`;
}

/** `stack "contoso", tenant "contoso", observed 2026-11-01T09:00:00Z`, plus the targets when restricted. */
export function contextLine(doc: PlanView): string {
  const targets = doc.targets !== undefined ? `, restricted to ${doc.targets.join(", ")}` : "";
  return clean(`stack "${doc.stack}", tenant "${doc.tenantId}", observed ${doc.observedAt}${targets}`);
}

export function errorCount(doc: PlanView): number {
  return doc.diagnostics.filter((d) => d.severity === "error").length;
}
