/**
 * The reconciler's invariants, as properties over generated small tenants and
 * desired states, checked against the simulated tenant (a fresh SQLite file
 * per run) and its own operation log:
 * (a) a tenant planned against its own export needs no action, except on the
 *     mailboxes the export warned about (a state a document cannot declare,
 *     such as sign-in enabled on a shared mailbox, which the plan converges);
 * (b) apply, then plan again: no action (whenever the first plan had no errors);
 * (c) no plan deletes a user: the log holds no user deletion, and the only
 *     live users gone after apply are the anchors of the mailboxes the plan
 *     deleted (Remove-Mailbox soft-deletes the anchor by the service's own
 *     semantics, R2.3);
 * (d) every action's write comes, in the tenant's log, after the writes of
 *     everything it depends on.
 * Inputs: scripts/gen's generateScenario at small sizes (drifted grants,
 * creations, conversions, sign-in) or the contoso cast (restores, license
 * juggling, a tagged deletion), plus mailboxes tagged for deletion (by this
 * stack or another), removalPolicy "delete", member edits, and throttling or
 * transient faults. EXOFORM_IT_RUNS=<n> runs more cases (and prints what they covered).
 */
import fc from "fast-check";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import { exportDesired } from "../../lib/export/index.js";
import type { DesiredState, SharedMailboxSpec } from "../../lib/model/generated/desired-state.js";
import { formatManagementTag } from "../../lib/model/management-tag.js";
import { plan } from "../../lib/plan/index.js";
import { observe } from "../../lib/provider/observe.js";
import type { ObservedState } from "../../lib/provider/observed.js";
import { loadFixture, SimulatedTenant, type FixtureGrant, type FixtureMailbox, type FixtureUser, type TenantFixture } from "../../providers/simulated/index.js";
import { BENCH_DOMAIN, BENCH_STACK, generateScenario, personAddress } from "../../scripts/gen/index.js";
import { committedWrites, desiredFrom, exactlyOnceProblems, orderProblems, REPO, tempDir } from "./helpers.js";

interface Input {
  /** "contoso": the contoso fixture and example desired state (restores, conversions, licenses); else generated. */
  readonly base: "generated" | "contoso";
  readonly mailboxes: number;
  readonly grantsPerMailbox: number;
  readonly drift: number;
  readonly seed: number;
  /** Extra shared mailboxes in the tenant only, tagged for deletion by this stack or another. */
  readonly tagged: readonly { readonly stack: "bench" | "other"; readonly grants: number; readonly signIn: boolean }[];
  /** Declared mailboxes (by index) that get removalPolicy "delete". */
  readonly deletePolicy: readonly number[];
  readonly edits: readonly { readonly mailbox: number; readonly kind: "addSendAs" | "dropGrant" | "flipAutoMapping"; readonly person: number }[];
  readonly faults: { readonly throttle: number | null; readonly transient: number; readonly seed: number } | null;
}

const inputArb: fc.Arbitrary<Input> = fc.record({
  base: fc.constantFrom("generated" as const, "generated" as const, "contoso" as const),
  mailboxes: fc.integer({ min: 1, max: 10 }),
  grantsPerMailbox: fc.integer({ min: 0, max: 3 }),
  drift: fc.constantFrom(0, 0.3, 0.6, 1),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  tagged: fc.array(fc.record({ stack: fc.constantFrom("bench" as const, "other" as const), grants: fc.integer({ min: 0, max: 2 }), signIn: fc.boolean() }), { maxLength: 2 }),
  deletePolicy: fc.uniqueArray(fc.nat({ max: 9 }), { maxLength: 3 }),
  edits: fc.array(
    fc.record({ mailbox: fc.nat({ max: 9 }), kind: fc.constantFrom("addSendAs" as const, "dropGrant" as const, "flipAutoMapping" as const), person: fc.nat({ max: 9 }) }),
    { maxLength: 3 },
  ),
  faults: fc.option(fc.record({ throttle: fc.constantFrom(null, 2, 5), transient: fc.constantFrom(0, 0.1), seed: fc.integer({ min: 1, max: 1000 }) }), { nil: null }),
});

const RIGHTS = ["FullAccess", "SendAs", "SendOnBehalf"] as const;

const CONTOSO_PEOPLE = ["ann.lee", "ben.ortiz", "erin.kim", "carla.diaz", "dev.patel"].map((p) => `${p}@contoso.com`);

/** The contoso fixture and example, or a generated scenario. */
function baseOf(input: Input): { fixture: TenantFixture; desired: DesiredState; people: readonly string[]; domain: string; stack: string } {
  if (input.base === "contoso") {
    const desired = JSON.parse(readFileSync(join(REPO, "examples/contoso/desired-state.json"), "utf8")) as DesiredState;
    return { fixture: loadFixture("contoso"), desired, people: CONTOSO_PEOPLE, domain: "contoso.com", stack: "contoso" };
  }
  const scenario = generateScenario({ mailboxes: input.mailboxes, grantsPerMailbox: input.grantsPerMailbox, drift: input.drift, seed: input.seed });
  const count = scenario.fixture.users.filter((u) => u.id.startsWith("p-")).length;
  return { ...scenario, people: Array.from({ length: count }, (_, j) => personAddress(j)), domain: BENCH_DOMAIN, stack: BENCH_STACK };
}

/** The tenant fixture and desired state of one input. */
export function build(input: Input): { fixture: TenantFixture; desired: DesiredState; stack: string } {
  const scenario = baseOf(input);
  const person = (n: number) => scenario.people[n % scenario.people.length]!;
  const users: FixtureUser[] = [...scenario.fixture.users];
  const mailboxes: FixtureMailbox[] = [...scenario.fixture.mailboxes];
  const grants: FixtureGrant[] = [...scenario.fixture.grants];
  input.tagged.forEach((t, i) => {
    const address = `old-${i + 1}@${scenario.domain}`;
    users.push({ id: `t-${i + 1}`, userPrincipalName: address, displayName: `Old ${i + 1}`, accountEnabled: t.signIn, usageLocation: "US", licenses: [] });
    const stack = t.stack === "bench" ? scenario.stack : "other";
    mailboxes.push({ address, displayName: `Old ${i + 1}`, type: "shared", userId: `t-${i + 1}`, managementTag: formatManagementTag({ stack, removal: "delete" }) });
    for (let n = 0; n < t.grants; n++) grants.push({ mailbox: address, right: RIGHTS[n % 3]!, trustee: person(n) });
  });
  const specs = structuredClone(scenario.desired.sharedMailboxes) as SharedMailboxSpec[];
  for (const i of input.deletePolicy) {
    const spec = specs[i % specs.length]!;
    // validation forbids deleting a converted person's mailbox
    if (spec.origin !== "convert") spec.removalPolicy = "delete";
  }
  for (const e of input.edits) {
    const spec = specs[e.mailbox % specs.length]!;
    const trustee = person(e.person);
    if (e.kind === "addSendAs" && !(spec.sendAs ?? []).includes(trustee)) spec.sendAs = [...(spec.sendAs ?? []), trustee];
    if (e.kind === "dropGrant") {
      if (spec.fullAccess?.length) spec.fullAccess = spec.fullAccess.slice(1);
      else if (spec.sendAs?.length) spec.sendAs = spec.sendAs.slice(1);
      else if (spec.sendOnBehalf?.length) spec.sendOnBehalf = spec.sendOnBehalf.slice(1);
    }
    if (e.kind === "flipAutoMapping" && spec.fullAccess?.length) {
      const [first, ...rest] = spec.fullAccess;
      spec.fullAccess = [{ trustee: first!.trustee, autoMapping: first!.autoMapping === false }, ...rest];
    }
  }
  return {
    fixture: { ...scenario.fixture, users, mailboxes, grants },
    desired: { ...scenario.desired, sharedMailboxes: specs },
    stack: scenario.stack,
  };
}

/** Live users by id. */
function liveUsers(observed: ObservedState): Map<string, string> {
  return new Map(observed.users.filter((u) => u.deletedAt === null).map((u) => [u.id, u.userPrincipalName]));
}

/**
 * (a): plan the tenant against its own export. Returns the actions not
 * explained by an export warning on the same object (must be none), and
 * counts the exports that warned of nothing (then the plan must be empty).
 */
function selfPlanSurprises(observed: ObservedState, stack: string): string[] {
  const exported = exportDesired(observed, { stack });
  const warned = new Set(exported.diagnostics.map((d) => d.target));
  if (warned.size === 0) coverage.cleanExports++;
  // in these tenants a shared mailbox's account has the mailbox's address as its UPN
  return plan(exported.desired, observed).actions.filter((a) => !warned.has(a.target)).map((a) => a.id);
}

const coverage = { cleanExports: 0, runs: 0, applied: 0, withErrors: 0, deletions: 0, creations: 0, faulted: 0 };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function check(input: Input): Promise<void> {
  coverage.runs++;
  const { fixture, desired: doc, stack } = build(input);
  const desired = desiredFrom(doc, "generated");
  const dir = tempDir("prop");
  dirs.push(dir);
  const tenant = SimulatedTenant.create(join(dir, "tenant.db"), fixture);
  try {
    const before = await observe(tenant);
    // (a) the tenant, exported and planned against itself: nothing to do
    expect(selfPlanSurprises(before, stack)).toEqual([]);

    const first = plan(desired, before);
    if (first.diagnostics.some((d) => d.severity === "error")) {
      coverage.withErrors++;
      expect(first.actions).toEqual([]);
      return;
    }
    if (input.faults !== null) {
      coverage.faulted++;
      tenant.setFaults({ writesPerSecond: input.faults.throttle, burst: 3, transientRate: input.faults.transient, seed: input.faults.seed });
    }
    const startSeq = tenant.readLog({ limit: 1 })[0]!.seq;
    const result = await applyPlan(first, tenant, { seed: input.seed });
    tenant.clearFaults();
    coverage.applied++;
    const deleted = first.actions.filter((a) => a.type === "mailbox.delete").map((a) => a.target);
    if (deleted.length > 0) coverage.deletions++;
    if (first.actions.some((a) => a.type === "mailbox.create")) coverage.creations++;

    // (b) apply, then plan again: nothing left
    expect(result.summary).toMatchObject({ failed: 0, notStarted: 0 });
    expect(result.converged).toBe(true);
    const after = await observe(tenant);
    expect(plan(desired, after).actions.map((a) => a.id)).toEqual([]);
    // and the applied tenant, exported, plans empty too
    expect(selfPlanSurprises(after, stack)).toEqual([]);

    // (c) no user deleted: no such operation, and only the anchors of the deleted mailboxes went
    const log = tenant.readLog({ afterSeq: startSeq });
    expect(log.filter((e) => /deleteUser|purge/i.test(e.operation)).map((e) => `${e.operation} ${e.target}`)).toEqual([]);
    expect(committedWrites(log).filter((e) => e.operation === "removeMailbox").map((e) => e.target).sort()).toEqual([...deleted].sort());
    const anchorOf = new Map(before.mailboxes.map((m) => [m.address, m.userId]));
    const liveAfter = liveUsers(after);
    const gone = [...liveUsers(before).keys()].filter((id) => !liveAfter.has(id)).sort();
    expect(gone).toEqual(deleted.map((a) => anchorOf.get(a)!).sort());

    // (d) dependency order in the tenant's own log (and each write once)
    expect(orderProblems(first, log)).toEqual([]);
    expect(exactlyOnceProblems(first, log)).toEqual([]);
  } finally {
    tenant.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Inputs that surely exercise deletion, creation and faults, whatever fast-check draws. */
const EXAMPLES: Input[] = [
  {
    base: "generated",
    mailboxes: 10,
    grantsPerMailbox: 3,
    drift: 1,
    seed: 11,
    tagged: [{ stack: "bench", grants: 2, signIn: true }, { stack: "other", grants: 1, signIn: false }],
    deletePolicy: [0, 4],
    edits: [{ mailbox: 1, kind: "flipAutoMapping", person: 2 }, { mailbox: 2, kind: "addSendAs", person: 3 }],
    faults: { throttle: 2, transient: 0.1, seed: 5 },
  },
  {
    base: "contoso",
    mailboxes: 1,
    grantsPerMailbox: 0,
    drift: 0,
    seed: 3,
    tagged: [{ stack: "bench", grants: 1, signIn: false }],
    deletePolicy: [1],
    edits: [{ mailbox: 0, kind: "dropGrant", person: 0 }],
    faults: { throttle: 5, transient: 0.1, seed: 9 },
  },
];

describe("reconciler invariants on the simulated tenant", () => {
  it("self-plans empty, converges, never deletes a user, and writes in dependency order", async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, check),
      { numRuns: Number(process.env["EXOFORM_IT_RUNS"] ?? 80), examples: EXAMPLES.map((e) => [e] as [Input]) },
    );
    if (process.env["EXOFORM_IT_RUNS"]) console.log(coverage);
    // the invariants were exercised where they bite
    expect(coverage.applied).toBeGreaterThanOrEqual(coverage.runs / 2);
    expect(coverage.deletions).toBeGreaterThan(0);
    expect(coverage.creations).toBeGreaterThan(0);
    expect(coverage.faulted).toBeGreaterThan(0);
    expect(coverage.cleanExports).toBeGreaterThan(coverage.runs / 2);
  });
});
