/** Reading a saved plan (`exoform plan --out`), for the commands that take one: apply and show. */
import { resolve } from "node:path";
import { checkPlanFile, planKeyFrom } from "../apply/check-plan.js";
import type { PlanDocument } from "../plan/types.js";
import { readJsonFile } from "./desired.js";
import { printDiagnostics } from "./output.js";

/**
 * The saved plan, checked as the untrusted input a file is: schema, consistency, digest, and its signature
 * when EXOFORM_PLAN_KEY is set (lib/apply/check-plan.ts). Warnings (a signature not checked) go to stderr.
 */
export function readPlanFile(planFile: string): PlanDocument {
  const key = planKeyFrom(process.env);
  const { doc, warnings } = checkPlanFile(readJsonFile(resolve(planFile), "a plan document from exoform plan --out"), planFile, { key });
  printDiagnostics(warnings);
  return doc;
}
