/**
 * Whatever validate and plan accept, apply can do: over generated tenants
 * (test/plan/generators.ts, as a simulated tenant) and generated desired
 * states with awkward names on top (new mailboxes whose address, alias or
 * display name carries letters outside ASCII, zero-width spaces, <>, quotes,
 * ESC, blanks; renames and re-aliases of existing ones), every desired state
 * that passes validation and plans without errors applies without a single
 * refused write: no precondition failure, no conflict, no notFound. What
 * validation refuses is dropped (and must be one of the generated awkward
 * changes), so every run still applies something.
 *
 * EXOFORM_IT_RUNS=<n> runs more cases.
 */
import fc from "fast-check";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import type { DesiredState, SharedMailboxSpec } from "../../lib/model/generated/desired-state.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { plan } from "../../lib/plan/index.js";
import { observe } from "../../lib/provider/observe.js";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { desiredArb, tenantArb, type GeneratedTenant } from "../plan/generators.js";
import { tempDir } from "./helpers.js";
import { WRITE_OPERATIONS } from "./operations.js";
import { fixtureOf } from "../util/fixture-of.js";

// ------------------------------------------------------------------ awkward names

const ALIAS_CHARS = "abcXYZ019!#%*+-/=?^_~";
/** Characters R5.1 refuses in an alias, or that make a display name blank. */
const AWKWARD = ["\u0430", "\u044f", "\u200b", "<", ">", '"', "'", "\u001b", " ", "\u00a0", "\t", "\u00e9", "\u{1F4E7}", ".", "..", "@"];

/** A valid alias: R5.1's characters, periods only between them. */
const validAliasArb = fc
  .array(fc.string({ unit: fc.constantFrom(...ALIAS_CHARS), minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join("."));
/** Something alias-like with awkward characters mixed in (valid or not: validation decides). */
const awkwardTextArb = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ALIAS_CHARS.split("")) }, { weight: 1, arbitrary: fc.constantFrom(...AWKWARD) }), { minLength: 1, maxLength: 12 })
  .map((c) => c.join(""));
const aliasArb = fc.oneof(validAliasArb, awkwardTextArb, fc.constant("a".repeat(65)), fc.constant("b".repeat(64)));
const displayNameArb = fc.oneof(
  awkwardTextArb,
  fc.constantFrom("   ", "\u00a0", "\t\n", "Support <team>", '"Quoted"', "Caf\u00e9 \u0430\u044f", "zero\u200bwidth", "esc\u001b[31mred", "\u{1F4E7}".repeat(128), "\u{1F4E7}".repeat(129), "x".repeat(256)),
);

interface Awkward {
  /** New mailboxes: local part of the address, alias (absent: derived), display name. */
  readonly created: ReadonlyArray<{ readonly local: string; readonly alias: string | null; readonly displayName: string }>;
  /** Changes to declared mailboxes (by index): a new display name and/or alias. */
  readonly edits: ReadonlyArray<{ readonly mailbox: number; readonly displayName: string | null; readonly alias: string | null }>;
  /** A declared mailbox (by index) that gets the archiving add-on as its licence. */
  readonly addon: number | null;
  /** Grant SendAs on a declared mailbox to the accounts of the tenant's shared mailboxes the code leaves out (some are deleted). */
  readonly grantToLeftOut: boolean;
}

const awkwardArb: fc.Arbitrary<Awkward> = fc.record({
  created: fc.array(
    fc.record({ local: fc.oneof(validAliasArb, awkwardTextArb.filter((s) => !s.includes("@") && !/\s/.test(s))), alias: fc.option(aliasArb, { nil: null }), displayName: displayNameArb }),
    { maxLength: 3 },
  ),
  edits: fc.array(fc.record({ mailbox: fc.nat(9), displayName: fc.option(displayNameArb, { nil: null }), alias: fc.option(aliasArb, { nil: null }) }), { maxLength: 3 }),
  // rarely: both make the plan fail, so most runs still apply something
  addon: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(9) }),
  grantToLeftOut: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

interface Case {
  readonly t: GeneratedTenant;
  readonly desired: CanonicalDesiredState;
  readonly awkward: Awkward;
}

const caseArb: fc.Arbitrary<Case> = tenantArb.chain((t) => fc.record({ t: fc.constant(t), desired: desiredArb(t), awkward: awkwardArb }));

/** The desired document with the awkward changes; `skip` drops the ones validation refused. */
function withAwkward(c: Case, skip: ReadonlySet<string>): { doc: DesiredState; mine: Set<string> } {
  const shared = c.desired.sharedMailboxes.map((m) => ({ ...m }) as SharedMailboxSpec & Record<string, unknown>);
  const mine = new Set<string>();
  c.awkward.edits.forEach((e, i) => {
    const m = shared[e.mailbox % Math.max(1, shared.length)];
    const key = `edit:${i}`;
    if (m === undefined || skip.has(key) || skip.has(m.address)) return;
    mine.add(m.address);
    if (e.displayName !== null) m.displayName = e.displayName;
    if (e.alias !== null) m.alias = e.alias;
  });
  if (c.awkward.addon !== null && shared.length > 0) {
    // validation refuses the add-on alone (decision 0010): an awkward change like the others
    const m = shared[c.awkward.addon % shared.length]!;
    if (!skip.has(m.address)) {
      mine.add(m.address);
      m.licenses = ["EXCHANGEARCHIVE_ADDON"];
    }
  }
  if (c.awkward.grantToLeftOut && shared.length > 0) {
    const declared = new Set(shared.map((m) => m.address));
    const leftOut = c.t.observed.mailboxes.filter((m) => m.type === "shared" && m.deletedAt === null && !declared.has(m.address)).map((m) => m.address);
    const first = shared[0]!;
    first.sendAs = [...new Set([...(first.sendAs ?? []), ...leftOut])];
  }
  const taken = new Set(shared.map((m) => m.address));
  c.awkward.created.forEach((n, i) => {
    const address = `${n.local}@contoso.com`.toLowerCase();
    if (taken.has(address) || skip.has(address)) return;
    taken.add(address);
    mine.add(address);
    shared.push({ address, displayName: n.displayName, ...(n.alias !== null ? { alias: n.alias } : {}), fullAccess: [{ trustee: c.t.people[i % c.t.people.length]! }] });
  });
  return { doc: { formatVersion: 1, stack: c.desired.stack, tenant: { ...c.desired.tenant, domains: [...c.desired.tenant.domains] } as DesiredState["tenant"], sharedMailboxes: shared, userMailboxes: [...c.desired.userMailboxes] }, mine };
}

/** The document validation accepts: awkward changes it refuses are dropped (and only those may be refused). */
function validDesired(c: Case): { state: CanonicalDesiredState; refused: number } {
  let skip = new Set<string>();
  for (let round = 0; round < 2; round++) {
    const { doc, mine } = withAwkward(c, skip);
    const result = validateDesiredState(doc, "generated");
    if (result.state !== undefined) return { state: result.state, refused: skip.size };
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    // validation may refuse only what the awkward changes brought in
    expect(errors.filter((d) => !mine.has(d.target)).map((d) => `${d.code} ${d.target}: ${d.message}`)).toEqual([]);
    skip = new Set([...skip, ...errors.map((d) => d.target)]);
  }
  const { doc } = withAwkward(c, skip);
  const result = validateDesiredState(doc, "generated");
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { state: result.state!, refused: skip.size };
}

// ------------------------------------------------------------------ the property

const coverage = { runs: 0, applied: 0, planErrors: 0, refusedByValidation: 0, awkwardCreated: 0, actions: 0 };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function check(c: Case): Promise<void> {
  coverage.runs++;
  const { state, refused } = validDesired(c);
  if (refused > 0) coverage.refusedByValidation++;
  const dir = tempDir("accepts");
  dirs.push(dir);
  const tenant = SimulatedTenant.create(join(dir, "tenant.db"), fixtureOf(c.t.observed));
  try {
    const doc = plan(state, await observe(tenant));
    if (doc.diagnostics.some((d) => d.severity === "error")) {
      coverage.planErrors++;
      expect(doc.actions).toEqual([]);
      return;
    }
    if (doc.actions.some((a) => a.type === "mailbox.create" && /[^a-z0-9.]/.test(a.target.split("@")[0]!))) coverage.awkwardCreated++;
    const start = tenant.readLog({ limit: 1 })[0]?.seq ?? 0;
    const result = await applyPlan(doc, tenant, { seed: 1 });
    coverage.applied++;
    coverage.actions += doc.actions.length;
    const refusals = tenant
      .readLog({ afterSeq: start })
      .filter((e) => e.outcome === "error" && WRITE_OPERATIONS.has(e.operation))
      .map((e) => `${e.operation} ${e.target}: ${e.kind} ${e.code}: ${e.message}`);
    expect(refusals).toEqual([]);
    expect(result.actions.filter((a) => a.status === "failed").map((a) => `${a.id}: ${a.error?.message ?? ""}`)).toEqual([]);
    expect(result.summary).toMatchObject({ failed: 0, notStarted: 0 });
  } finally {
    tenant.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("whatever plan accepts, apply can do", () => {
  it("never meets a refused write when applying a plan validation and planning accepted", async () => {
    await fc.assert(fc.asyncProperty(caseArb, check), { numRuns: Number(process.env["EXOFORM_IT_RUNS"] ?? 60) });
    if (process.env["EXOFORM_IT_RUNS"]) console.log(coverage);
    // the property was exercised where it bites
    expect(coverage.applied).toBeGreaterThan(coverage.runs / 3);
    expect(coverage.refusedByValidation).toBeGreaterThan(0);
    expect(coverage.awkwardCreated).toBeGreaterThan(0);
  });
});
