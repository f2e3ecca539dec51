/**
 * The benchmark scenarios, each run by bench/child.ts in a fresh process so
 * that its peak RSS is its own. A scenario reads its inputs from files the
 * runner prepared (never generating them inside the timed part), times only
 * the work it is named after with performance.now(), and returns its figures.
 *
 * Preparation steps ("prepare-*") live here too: they run in children as well,
 * so the runner itself stays small.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { applyPlan } from "../lib/apply/index.js";
import type { CanonicalDesiredState } from "../lib/model/normalize.js";
import { validateDesiredState } from "../lib/model/validate.js";
import { plan } from "../lib/plan/index.js";
import type { PlanDocument } from "../lib/plan/types.js";
import { observe } from "../lib/provider/observe.js";
import type { ObservedState } from "../lib/provider/observed.js";
import { loadFixture, SimulatedTenant, type TenantFixture } from "../providers/simulated/index.js";
import { generateScenario, writeJsonFile, type ScenarioOptions } from "../scripts/gen/index.js";
import { planStepScenario } from "./floors.js";
import { pacedApply } from "./paced-apply.js";
import { prepareCa, readWire } from "./read-wire.js";

/** What a scenario reports: its main time, and named details (ms, counts). */
export interface ScenarioFigures {
  /** The timed work, in seconds. */
  readonly seconds: number;
  /** CPU seconds (user + system) of the same work. */
  readonly cpuSeconds?: number;
  /** The baseline the time is compared with (JSON.parse of the same inputs), in seconds. */
  readonly baselineSeconds?: number;
  /** For throughput scenarios: items per second. */
  readonly perSecond?: number;
  readonly details: Readonly<Record<string, number | string>>;
}

export type ScenarioArgs = Readonly<Record<string, string | number>>;

const str = (args: ScenarioArgs, key: string): string => {
  const v = args[key];
  if (v === undefined) throw new Error(`scenario argument "${key}" is missing`);
  return String(v);
};
const num = (args: ScenarioArgs, key: string): number => Number(str(args, key));

const FIXTURE = "tenant-fixture.json";
const DESIRED = "desired-state.json";
const OBSERVED = "observed-state.json";
const TENANT = "tenant.db";

function elapsed(start: number): number {
  return (performance.now() - start) / 1000;
}

/** Wall and CPU (user + system) seconds of `fn`. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; seconds: number; cpu: number }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const seconds = elapsed(start);
  const cpu = process.cpuUsage(cpuStart);
  return { value, seconds, cpu: (cpu.user + cpu.system) / 1e6 };
}

function loadDesiredState(file: string): CanonicalDesiredState {
  const result = validateDesiredState(JSON.parse(readFileSync(file, "utf8")), file);
  if (!result.state) throw new Error(`${file}: ${result.diagnostics.map((d) => d.message).join("; ")}`);
  return result.state;
}

function planOrThrow(desired: CanonicalDesiredState, observed: ObservedState): PlanDocument {
  const doc = plan(desired, observed);
  if (doc.summary.errors > 0) throw new Error(`the plan has errors: ${doc.diagnostics.map((d) => d.message).slice(0, 3).join("; ")}`);
  return doc;
}

// ------------------------------------------------------------------ preparation

/** Generate a scenario into `dir`; `noGrants` empties the tenant's grants (every declared grant is then an action). */
function prepareInputs(args: ScenarioArgs): ScenarioFigures {
  const options: ScenarioOptions = { mailboxes: num(args, "mailboxes"), grantsPerMailbox: num(args, "grantsPerMailbox"), drift: num(args, "drift"), seed: 1 };
  const { fixture, desired, summary } = generateScenario(options);
  const throttle = args["writesPerSecond"] !== undefined ? num(args, "writesPerSecond") : undefined;
  const written: TenantFixture = {
    ...fixture,
    ...(args["noGrants"] === 1 ? { grants: [] } : {}),
    ...(throttle !== undefined ? { settings: { faults: { writesPerSecond: throttle } } } : {}),
  };
  const dir = str(args, "dir");
  writeJsonFile(join(dir, FIXTURE), { ...written });
  writeJsonFile(join(dir, DESIRED), { ...desired });
  return { seconds: 0, details: { expectedActions: summary.expectedActions, tenantGrants: written.grants.length } };
}

/** Read the tenant and write what it shows as observed-state JSON (the pure plan's input). */
async function prepareObserved(args: ScenarioArgs): Promise<ScenarioFigures> {
  const dir = str(args, "dir");
  const tenant = SimulatedTenant.open(join(dir, TENANT));
  try {
    writeFileSync(join(dir, OBSERVED), JSON.stringify(await observe(tenant)));
  } finally {
    tenant.close();
  }
  return { seconds: 0, details: {} };
}

// ------------------------------------------------------------------ scenarios

/** issue 3: `tenant init --fixture` at scale: parse and validate the fixture file, create the db. */
async function tenantInit(args: ScenarioArgs): Promise<ScenarioFigures> {
  const dir = str(args, "dir");
  const text = readFileSync(join(dir, FIXTURE), "utf8");
  const parse = await timed(() => JSON.parse(text) as unknown);
  const load = await timed(() => loadFixture(join(dir, FIXTURE)));
  const create = await timed(() => SimulatedTenant.create(join(dir, TENANT), load.value, { force: true }));
  create.value.close();
  return {
    seconds: load.seconds + create.seconds,
    cpuSeconds: load.cpu + create.cpu,
    baselineSeconds: parse.seconds,
    details: { loadFixtureMs: ms(load.seconds), createMs: ms(create.seconds), grants: load.value.grants.length },
  };
}

/** One bulk read of every grant (listGrants), and the whole observation for reference. */
async function listGrants(args: ScenarioArgs): Promise<ScenarioFigures> {
  const tenant = SimulatedTenant.open(join(str(args, "dir"), TENANT));
  try {
    const grants = await timed(() => tenant.listGrants());
    const all = await timed(() => observe(tenant));
    return { seconds: grants.seconds, cpuSeconds: grants.cpu, details: { grants: grants.value.length, observeAllMs: ms(all.seconds) } };
  } finally {
    tenant.close();
  }
}

/**
 * The planner on in-memory inputs: the desired-state and observed-state JSON
 * are read from disk untimed; JSON.parse of both is the baseline; validation
 * (schema + canonical form) is timed apart; the figure is plan() alone.
 */
async function planPure(args: ScenarioArgs): Promise<ScenarioFigures> {
  const dir = str(args, "dir");
  let desiredText: string | null = readFileSync(join(dir, DESIRED), "utf8");
  let observedText: string | null = readFileSync(join(dir, OBSERVED), "utf8");
  const parse = await timed(() => [JSON.parse(desiredText!) as unknown, JSON.parse(observedText!) as ObservedState] as const);
  desiredText = null;
  observedText = null;
  const [desiredDoc, observed] = parse.value;
  const validate = await timed(() => validateDesiredState(desiredDoc, DESIRED));
  const state = validate.value.state;
  if (!state) throw new Error("the desired state is not valid");
  // `runs` > 1: one warm-up, then the median of `runs` timed plans (the growth gate: one cold run of 0.3 s is noise)
  const runs = args["runs"] !== undefined ? num(args, "runs") : 1;
  if (runs > 1) planOrThrow(state, observed);
  const first = await timed(() => planOrThrow(state, observed));
  const seconds = [first.seconds];
  const cpu = [first.cpu];
  for (let i = 1; i < runs; i++) {
    const again = await timed(() => planOrThrow(state, observed).actions.length);
    seconds.push(again.seconds);
    cpu.push(again.cpu);
  }
  const planned = { value: first.value, seconds: median(seconds), cpu: median(cpu) };
  const expected = args["expectedActions"];
  if (expected !== undefined && planned.value.actions.length !== Number(expected)) {
    throw new Error(`the plan holds ${planned.value.actions.length} actions, expected ${expected}`);
  }
  return {
    seconds: planned.seconds,
    cpuSeconds: planned.cpu,
    baselineSeconds: parse.seconds,
    details: {
      actions: planned.value.actions.length,
      validateMs: ms(validate.seconds),
      parseMs: ms(parse.seconds),
      mailboxes: observed.mailboxes.length,
      grants: observed.grants.length,
      runs,
    },
  };
}

/** Apply a plan of grants against the simulated tenant; the figure is applyPlan (checks, writes, verification). */
async function applyGrants(args: ScenarioArgs): Promise<ScenarioFigures> {
  const dir = str(args, "dir");
  const tenant = SimulatedTenant.open(join(dir, TENANT));
  try {
    const doc = planOrThrow(loadDesiredState(join(dir, DESIRED)), await observe(tenant));
    const tenantStart = (await tenant.clock.now()).getTime();
    const applied = await timed(() => applyPlan(doc, tenant));
    const tenantSeconds = ((await tenant.clock.now()).getTime() - tenantStart) / 1000;
    const result = applied.value;
    if (!result.converged) throw new Error(`apply did not converge: ${result.summary.failed} failed, ${result.summary.notStarted} not started`);
    const actions = result.summary.total;
    const throttled = args["writesPerSecond"] !== undefined;
    return {
      seconds: applied.seconds,
      cpuSeconds: applied.cpu,
      // with a throttle budget, throughput is on the tenant's (virtual) clock: the wall clock says nothing about the budget
      perSecond: throttled ? actions / tenantSeconds : actions / applied.seconds,
      details: { actions, tenantSeconds: round(tenantSeconds, 1), wallMs: ms(applied.seconds), done: result.summary.done, skipped: result.summary.skipped },
    };
  } finally {
    tenant.close();
  }
}

/** Apply at a write budget on the real clock (bench/paced-apply.ts); the figure is the share of the budget used. */
async function applyPaced(args: ScenarioArgs): Promise<ScenarioFigures> {
  const f = await pacedApply({ dir: str(args, "dir"), writesPerSecond: num(args, "writesPerSecond"), latencyMs: num(args, "latencyMs"), transientRate: num(args, "transientRate") });
  return {
    seconds: f.seconds,
    cpuSeconds: f.cpuSeconds,
    details: {
      actions: f.actions,
      budgetUse: f.budgetUse,
      refusedRatio: f.refusedRatio,
      admitted: f.counts.admitted,
      refused: f.counts.refused,
      transient: f.counts.transient,
      maxAttempts: f.maxAttempts,
    },
  };
}

/** A program declaring every mailbox of the desired state as a SharedMailbox construct, synthesized to a temp folder. */
async function synthConstructs(args: ScenarioArgs): Promise<ScenarioFigures> {
  const dir = str(args, "dir");
  const desired = JSON.parse(readFileSync(join(dir, DESIRED), "utf8")) as { sharedMailboxes: Array<Record<string, unknown>>; tenant: { id: string; domains: string[] } };
  // cdktf is imported only under lib/constructs; the bench reaches it through the library's own exports
  const { SharedMailbox, TenantStack, Testing } = await import("../lib/constructs/index.js");
  const { readSynthOutput } = await import("../lib/synth/index.js");
  const build = await timed(() => {
    const app = Testing.app(join(dir, "cdktf.out"));
    const stack = new TenantStack(app, "bench", { tenantId: desired.tenant.id, domains: desired.tenant.domains });
    for (const spec of desired.sharedMailboxes) {
      new SharedMailbox(stack, String(spec["address"]), spec as unknown as ConstructorParameters<typeof SharedMailbox>[2]);
    }
    return app;
  });
  const synth = await timed(() => build.value.synth());
  const read = await timed(() => readSynthOutput(join(dir, "cdktf.out"), dir));
  const mailboxes = read.value[0]?.document && (read.value[0].document as { sharedMailboxes: unknown[] }).sharedMailboxes.length;
  if (mailboxes !== desired.sharedMailboxes.length) throw new Error(`synth wrote ${String(mailboxes)} mailboxes, expected ${desired.sharedMailboxes.length}`);
  return {
    seconds: build.seconds + synth.seconds,
    cpuSeconds: build.cpu + synth.cpu,
    details: { constructs: desired.sharedMailboxes.length, constructMs: ms(build.seconds), synthMs: ms(synth.seconds), readBackMs: ms(read.seconds) },
  };
}

/**
 * Issue 15: desired-state validation (schema, semantic rules, canonical form:
 * validateDesiredState) against JSON.parse of the same text, medians of
 * `runs` runs after one warm-up; the ratio is on CPU time (a loaded machine
 * inflates wall times unevenly).
 */
async function validateDesired(args: ScenarioArgs): Promise<ScenarioFigures> {
  const file = join(str(args, "dir"), DESIRED);
  const text = readFileSync(file, "utf8");
  const runs = num(args, "runs");
  const parse: Array<{ seconds: number; cpu: number }> = [];
  const validate: Array<{ seconds: number; cpu: number }> = [];
  for (let i = 0; i <= runs; i++) {
    const parsed = await timed(() => JSON.parse(text) as unknown);
    const validated = await timed(() => validateDesiredState(parsed.value, file).state !== undefined);
    if (!validated.value) throw new Error(`${file} is not a valid desired state`);
    if (i === 0) continue;
    parse.push(parsed);
    validate.push(validated);
  }
  const cpu = { parse: median(parse.map((r) => r.cpu)), validate: median(validate.map((r) => r.cpu)) };
  return {
    seconds: median(validate.map((r) => r.seconds)),
    cpuSeconds: cpu.validate,
    baselineSeconds: median(parse.map((r) => r.seconds)),
    details: { parseCpuMs: ms(cpu.parse), validateCpuMs: ms(cpu.validate), cpuRatio: round(cpu.validate / cpu.parse, 2), runs },
  };
}

/** Issue 15: the planning step against its merge-join floor, the whole command's floors, and bytes held per grant (bench/floors.ts). */
async function planStep(args: ScenarioArgs): Promise<ScenarioFigures> {
  const figures = await planStepScenario(str(args, "dir"), FILES, args["runs"] !== undefined ? num(args, "runs") : 3);
  const expected = args["expectedActions"];
  if (expected !== undefined && figures["actions"] !== Number(expected)) throw new Error(`the plan holds ${figures["actions"]} actions, expected ${expected}`);
  return { seconds: figures["planStepCpuMs"]! / 1000, cpuSeconds: figures["planStepCpuMs"]! / 1000, details: figures };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function ms(seconds: number): number {
  return Math.round(seconds * 1000);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const SCENARIOS: Readonly<Record<string, (args: ScenarioArgs) => ScenarioFigures | Promise<ScenarioFigures>>> = {
  "prepare-inputs": prepareInputs,
  "prepare-observed": prepareObserved,
  "prepare-ca": prepareCa,
  "tenant-init": tenantInit,
  "list-grants": listGrants,
  "plan-pure": planPure,
  "validate-desired": validateDesired,
  "plan-step": planStep,
  "apply-grants": applyGrants,
  "apply-paced": applyPaced,
  synth: synthConstructs,
  "read-wire": readWire,
};

/** Marks the one line of a child's stdout that carries its figures. */
export const RESULT_PREFIX = "BENCH_RESULT ";

export const FILES = { FIXTURE, DESIRED, OBSERVED, TENANT } as const;
