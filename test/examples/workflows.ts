/**
 * The GitOps examples and the exoform GitHub Action, parsed, for the tests
 * in this folder: the workflows (examples/github-actions), the composite
 * action (action.yml) and the Kubernetes CronJob.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";

export const ROOT = join(import.meta.dirname, "..", "..");

export const WORKFLOW_FILES = {
  plan: "examples/github-actions/plan.yml",
  apply: "examples/github-actions/apply.yml",
  drift: "examples/github-actions/drift.yml",
} as const;
export const ACTION_FILE = "action.yml";
export const CRONJOB_FILE = "examples/kubernetes/drift-cronjob.yaml";

/** How the workflows use the action: from the installed package, after `npm ci`. */
export const ACTION_USES = "./node_modules/@exoform/exoform";

export type Yaml = Record<string, unknown>;

export interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

export interface Job {
  readonly "runs-on": string;
  readonly environment?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly outputs?: Record<string, string>;
  readonly env?: Record<string, unknown>;
  readonly steps: Step[];
}

export interface Action {
  readonly inputs: Record<string, { readonly description: string; readonly default?: string; readonly required?: boolean }>;
  readonly outputs: Record<string, { readonly value: string }>;
  readonly runs: { readonly using: string; readonly steps: Step[] };
}

export function text(file: string): string {
  return readFileSync(join(ROOT, file), "utf8");
}

export function read(file: string): Yaml {
  return load(text(file)) as Yaml;
}

export function jobs(workflow: Yaml): Record<string, Job> {
  return workflow["jobs"] as Record<string, Job>;
}

export function steps(workflow: Yaml): Step[] {
  return Object.values(jobs(workflow)).flatMap((j) => j.steps);
}

export const workflows = { plan: read(WORKFLOW_FILES.plan), apply: read(WORKFLOW_FILES.apply), drift: read(WORKFLOW_FILES.drift) };
export const action = read(ACTION_FILE) as unknown as Action;

/** The action's step with this id or name. */
export function actionStep(idOrName: string): Step {
  const step = action.runs.steps.find((s) => s.id === idOrName || s.name === idOrName);
  if (step === undefined) throw new Error(`${ACTION_FILE} has no step ${idOrName}`);
  return step;
}

/**
 * The action as a reusable workflow (its inputs as workflow_call inputs, its
 * steps as one job), so that actionlint, which checks workflows, checks the
 * action's expressions and the inputs of the actions it uses too.
 */
export function actionAsWorkflow(): Yaml {
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, i]) => [name, { type: "string", required: i.required === true, ...(i.default !== undefined ? { default: i.default } : {}) }]),
  );
  return { on: { workflow_call: { inputs } }, jobs: { action: { "runs-on": "ubuntu-latest", steps: action.runs.steps } } };
}
