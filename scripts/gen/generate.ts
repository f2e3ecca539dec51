/**
 * A synthetic tenant at any size, and a desired state that matches it except
 * for a controlled share of differences. Pure: no I/O, no clock, no
 * Math.random; the same options always give deep-equal documents.
 *
 * The tenant ("bench", domain bench.example) holds:
 * - `people` licensed users with user mailboxes (p-00001@...): the trustees;
 * - `mailboxes` shared mailboxes (sm-000001@...), each anchored to its own
 *   unlicensed, sign-in-blocked user, with `grantsPerMailbox` grants to
 *   consecutive people, rights in the order FullAccess, SendAs, SendOnBehalf.
 *
 * The desired state declares the same `mailboxes` shared mailboxes with the
 * same grants. A share `drift` of them (exactly round(mailboxes * drift),
 * chosen by the seed) differs in one way each, the kinds in a fixed rotation
 * (DRIFT_ROTATION): a declared grant missing from the tenant, an extra grant
 * in the tenant, a mailbox to create, a licensed user mailbox to convert
 * (origin "convert"), or sign-in enabled on a shared mailbox's account.
 * drift 0 plans to no actions at all.
 */
import type { FixtureGrant, FixtureMailbox, FixtureUser, TenantFixture } from "../../providers/simulated/fixture.js";
import type { DesiredState, FullAccessGrant, SharedMailboxSpec } from "../../lib/model/generated/desired-state.js";
import { randomInt, sampleIndices, seededRandom } from "./random.js";

export interface ScenarioOptions {
  /** Shared mailboxes declared in the desired state. */
  readonly mailboxes: number;
  /** Grants per mailbox (FullAccess, SendAs, SendOnBehalf in turn). */
  readonly grantsPerMailbox: number;
  /** Share (0..1) of mailboxes that differ between tenant and desired state. */
  readonly drift: number;
  readonly seed?: number;
}

export type DriftKind = "missingGrant" | "extraGrant" | "create" | "convert" | "signIn";

/** The kinds given to drifted mailboxes, in turn (3 missing : 3 extra : 2 convert : 1 create : 1 sign-in). */
export const DRIFT_ROTATION: readonly DriftKind[] = [
  "missingGrant",
  "extraGrant",
  "convert",
  "missingGrant",
  "extraGrant",
  "create",
  "missingGrant",
  "extraGrant",
  "signIn",
  "convert",
];

export interface ScenarioSummary {
  readonly mailboxes: number;
  readonly people: number;
  /** Grants the desired state declares. */
  readonly desiredGrants: number;
  /** Grants the tenant fixture holds. */
  readonly tenantGrants: number;
  readonly drifted: Readonly<Record<DriftKind, number>>;
  /** Actions the plan must contain (see expectedActionsOf). */
  readonly expectedActions: number;
}

export interface Scenario {
  readonly fixture: TenantFixture;
  readonly desired: DesiredState;
  readonly summary: ScenarioSummary;
}

export const BENCH_DOMAIN = "bench.example";
export const BENCH_STACK = "bench";
export const BENCH_CLOCK = "2026-11-01T09:00:00.000Z";
const STANDARD = { skuPartNumber: "EXCHANGESTANDARD", skuId: "4b9405b0-7788-4568-add1-99614e613b69", servicePlans: ["EXCHANGE_S_STANDARD"] };
const RIGHTS = ["FullAccess", "SendAs", "SendOnBehalf"] as const;
const GB = 1024 ** 3;
/** Spare EXCHANGESTANDARD seats beyond those held. */
const SPARE_SEATS = 10;

export const sharedAddress = (i: number): string => `sm-${String(i + 1).padStart(6, "0")}@${BENCH_DOMAIN}`;
export const personAddress = (j: number): string => `p-${String(j + 1).padStart(5, "0")}@${BENCH_DOMAIN}`;

/** Trustees: one person per ten mailboxes, and always more than one mailbox's grants. */
export function peopleFor(mailboxes: number, grantsPerMailbox: number): number {
  return Math.max(grantsPerMailbox + 2, Math.ceil(mailboxes / 10));
}

/** The actions a plan of a drifted mailbox holds (create: create, wait, block sign-in and every grant). */
export function expectedActionsOf(kind: DriftKind, grantsPerMailbox: number): number {
  switch (kind) {
    case "missingGrant":
    case "extraGrant":
    case "signIn":
      return 1;
    case "create":
      return 3 + grantsPerMailbox;
    case "convert":
      return 4; // convert, block sign-in, revoke the leaver's sessions, remove the licence
  }
}

function checkOptions(o: ScenarioOptions): void {
  const bad = (what: string) => {
    throw new RangeError(what);
  };
  if (!Number.isInteger(o.mailboxes) || o.mailboxes < 1) bad(`mailboxes must be a positive integer, not ${o.mailboxes}`);
  if (!Number.isInteger(o.grantsPerMailbox) || o.grantsPerMailbox < 0 || o.grantsPerMailbox > 24) {
    bad(`grants per mailbox must be an integer from 0 to 24 (more FullAccess members draw a planner warning), not ${o.grantsPerMailbox}`);
  }
  if (!(o.drift >= 0 && o.drift <= 1)) bad(`drift must be a share from 0 to 1 (e.g. 0.05), not ${o.drift}`);
}

export function generateScenario(options: ScenarioOptions): Scenario {
  checkOptions(options);
  const { mailboxes, grantsPerMailbox: k } = options;
  const random = seededRandom(options.seed ?? 1);
  const people = peopleFor(mailboxes, k);

  // which mailboxes drift, and how
  const kinds = new Map<number, DriftKind>();
  const chosen = sampleIndices(random, mailboxes, Math.round(mailboxes * options.drift));
  chosen.forEach((index, n) => {
    const kind = DRIFT_ROTATION[n % DRIFT_ROTATION.length]!;
    kinds.set(index, kind === "missingGrant" && k === 0 ? "extraGrant" : kind);
  });

  const users: FixtureUser[] = [];
  const boxes: FixtureMailbox[] = [];
  const grants: FixtureGrant[] = [];
  const specs: SharedMailboxSpec[] = [];
  const drifted: Record<DriftKind, number> = { missingGrant: 0, extraGrant: 0, create: 0, convert: 0, signIn: 0 };
  let expectedActions = 0;
  let desiredGrants = 0;
  let seatsHeld = 0;

  for (let j = 0; j < people; j++) {
    const upn = personAddress(j);
    users.push({ id: `p-${j + 1}`, userPrincipalName: upn, displayName: `Person ${j + 1}`, accountEnabled: true, usageLocation: "US", licenses: [STANDARD.skuPartNumber] });
    boxes.push({ address: upn, displayName: `Person ${j + 1}`, type: "user", userId: `p-${j + 1}`, sizeBytes: (j % 7) * GB });
    seatsHeld++;
  }

  for (let i = 0; i < mailboxes; i++) {
    const address = sharedAddress(i);
    const displayName = `Shared ${i + 1}`;
    const kind = kinds.get(i);
    const first = randomInt(random, people);
    const trusteeOf = (n: number) => personAddress((first + n) % people);

    // the declared grants (autoMapping false on about one FullAccess grant in five)
    const fullAccess: FullAccessGrant[] = [];
    const sendAs: string[] = [];
    const sendOnBehalf: string[] = [];
    const tenantGrants: FixtureGrant[] = [];
    for (let n = 0; n < k; n++) {
      const right = RIGHTS[n % 3]!;
      const trustee = trusteeOf(n);
      if (right === "FullAccess") {
        const autoMapping = random() >= 0.2;
        fullAccess.push(autoMapping ? { trustee } : { trustee, autoMapping });
        tenantGrants.push({ mailbox: address, right, trustee, autoMapping });
      } else {
        (right === "SendAs" ? sendAs : sendOnBehalf).push(trustee);
        tenantGrants.push({ mailbox: address, right, trustee });
      }
    }
    desiredGrants += k;
    specs.push({
      address,
      displayName,
      ...(kind === "convert" ? { origin: "convert" as const } : {}),
      ...(fullAccess.length > 0 ? { fullAccess } : {}),
      ...(sendAs.length > 0 ? { sendAs } : {}),
      ...(sendOnBehalf.length > 0 ? { sendOnBehalf } : {}),
    });
    if (kind !== undefined) {
      drifted[kind]++;
      expectedActions += expectedActionsOf(kind, k);
    }
    if (kind === "create") continue; // neither the mailbox nor its account exists yet

    if (kind === "missingGrant") tenantGrants.splice(randomInt(random, tenantGrants.length), 1);
    if (kind === "extraGrant") tenantGrants.push({ mailbox: address, right: "SendAs", trustee: trusteeOf(k) });
    const userId = `s-${i + 1}`;
    const convert = kind === "convert";
    if (convert) seatsHeld++;
    users.push({
      id: userId,
      userPrincipalName: address,
      displayName,
      accountEnabled: convert || kind === "signIn",
      usageLocation: "US",
      licenses: convert ? [STANDARD.skuPartNumber] : [],
    });
    boxes.push({ address, displayName, type: convert ? "user" : "shared", userId, sizeBytes: (i % 40) * GB });
    for (const g of tenantGrants) grants.push(g);
  }

  const fixture: TenantFixture = {
    formatVersion: 1,
    tenant: { id: BENCH_STACK, domains: [BENCH_DOMAIN], hybrid: false },
    clock: BENCH_CLOCK,
    skus: [{ ...STANDARD, prepaidUnits: seatsHeld + SPARE_SEATS }],
    users,
    mailboxes: boxes,
    grants,
  };
  const desired: DesiredState = {
    formatVersion: 1,
    stack: BENCH_STACK,
    tenant: { id: BENCH_STACK, domains: [BENCH_DOMAIN] },
    sharedMailboxes: specs,
    userMailboxes: [],
  };
  return {
    fixture,
    desired,
    summary: { mailboxes, people, desiredGrants, tenantGrants: grants.length, drifted, expectedActions },
  };
}
