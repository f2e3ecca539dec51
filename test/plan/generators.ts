/**
 * fast-check generators for the planner's property tests: a tenant in a
 * steady state (shared anchors blocked, licences that fit their mailboxes),
 * drift on top of it, and a desired state derived from it with changes.
 */
import fc from "fast-check";
import { desiredFromObserved } from "../../lib/export/from-observed.js";
import type { SharedMailboxSpec, UserMailboxSpec } from "../../lib/model/generated/desired-state.js";
import { canonicalize, type CanonicalDesiredState } from "../../lib/model/normalize.js";
import { plan } from "../../lib/plan/planner.js";
import type { ObservedState } from "../../lib/provider/observed.js";
import { tenant } from "../util/observed-builder.js";

const PEOPLE_LICENSES = ["none", "EXCHANGESTANDARD", "EXCHANGEENTERPRISE", "SPE_E3"] as const;
const OURS = "exoform:stack=contoso;removal=delete";
const THEIRS = "exoform:stack=other;removal=delete";

const grantArb = (people: number) =>
  fc.record({ person: fc.nat(people - 1), right: fc.constantFrom("FullAccess", "SendAs", "SendOnBehalf" as const), autoMapping: fc.boolean() });

/** The Set-Mailbox settings of decision 0010: hidden, extra addresses (how many), copies of sent mail. */
const settingsArb = fc.record({ hidden: fc.boolean(), extra: fc.nat(2), copySentAs: fc.boolean(), copyOnBehalf: fc.boolean() });

/** The extra addresses generated mailboxes use: `<local>-alt<k>@contoso.com`. */
const extraAddress = (address: string, k: number) => address.replace("@", `-alt${k}@`);

export interface GeneratedTenant {
  readonly observed: ObservedState;
  readonly people: readonly string[];
}

export const tenantArb: fc.Arbitrary<GeneratedTenant> = fc
  .record({
    people: fc.array(fc.constantFrom(...PEOPLE_LICENSES), { minLength: 2, maxLength: 6 }),
    shared: fc.array(
      fc.record({
        licensed: fc.boolean(),
        hold: fc.boolean(),
        sizeGB: fc.integer({ min: 1, max: 90 }),
        tag: fc.constantFrom<string | null>(null, null, OURS, THEIRS),
        grants: fc.array(grantArb(6), { maxLength: 6 }),
        settings: settingsArb,
      }),
      { maxLength: 5 },
    ),
    users: fc.array(fc.record({ licensed: fc.boolean(), sizeGB: fc.integer({ min: 1, max: 40 }) }), { maxLength: 3 }),
    deleted: fc.array(fc.integer({ min: 1, max: 29 }), { maxLength: 2 }),
    seats: fc.integer({ min: 0, max: 4 }),
  })
  .map((g) => {
    const people = g.people.map((_, i) => `p${i}@contoso.com`);
    // Few free seats, so that seat counting, seat reuse and seat errors all happen.
    const standard = g.people.filter((l) => l === "EXCHANGESTANDARD").length + g.users.filter((u) => u.licensed).length;
    const enterprise = g.people.filter((l) => l === "EXCHANGEENTERPRISE").length + g.shared.filter((s) => s.licensed).length;
    let b = tenant()
      .sku("EXCHANGESTANDARD", { prepaid: standard + g.seats })
      .sku("EXCHANGEENTERPRISE", { prepaid: enterprise + g.seats })
      .sku("SPE_E3", { prepaid: 12 })
      .sku("EXCHANGEARCHIVE_ADDON", { prepaid: 2 });
    g.people.forEach((l, i) => (b = b.userMailbox(people[i]!, { licenses: l === "none" ? [] : [l] })));
    g.shared.forEach((s, i) => {
      const address = `s${i}@contoso.com`;
      // Steady state: holds and big mailboxes only where Plan 2 allows them.
      b = b.sharedMailbox(address, {
        licenses: s.licensed ? ["EXCHANGEENTERPRISE"] : [],
        litigationHold: s.licensed && s.hold,
        sizeGB: s.licensed ? s.sizeGB : Math.min(s.sizeGB, 50),
        managementTag: s.tag,
        usageLocation: "US",
      });
      const seen = new Set<string>();
      for (const gr of s.grants) {
        const trustee = people[gr.person % people.length]!;
        if (seen.has(`${gr.right}${trustee}`)) continue;
        seen.add(`${gr.right}${trustee}`);
        b = b.grant(address, gr.right, trustee, { autoMapping: gr.autoMapping });
      }
    });
    g.users.forEach((u, i) => (b = b.userMailbox(`u${i}@contoso.com`, { licenses: u.licensed ? ["EXCHANGESTANDARD"] : [], sizeGB: u.sizeGB })));
    g.deleted.forEach((days, i) => (b = b.deletedUserMailbox(`d${i}@contoso.com`, new Date(Date.parse("2026-11-01T09:00:00Z") - days * 86_400_000).toISOString())));
    const built = b.build();
    // the builder knows no mailbox settings: put the generated ones on the shared mailboxes
    const observed: ObservedState = {
      ...built,
      mailboxes: built.mailboxes.map((m) => {
        const s = /^s(\d)@/.exec(m.address) ? g.shared[Number(m.address[1])]?.settings : undefined;
        if (s === undefined) return m;
        return {
          ...m,
          hiddenFromAddressLists: s.hidden,
          emailAddresses: Array.from({ length: s.extra }, (_, k) => extraAddress(m.address, k)),
          messageCopyForSentAs: s.copySentAs,
          messageCopyForSendOnBehalf: s.copyOnBehalf,
        };
      }),
    };
    return { observed, people };
  });

/** Drift on the tenant: shared anchors signed in again, mailboxes still provisioning. */
export function withDrift(observed: ObservedState, enable: readonly boolean[], notReady: readonly boolean[]): ObservedState {
  const sharedAnchors = new Set(observed.mailboxes.filter((m) => m.type === "shared").map((m) => m.userId));
  let k = 0;
  let j = 0;
  return {
    ...observed,
    users: observed.users.map((u) => (sharedAnchors.has(u.id) && enable[k++ % Math.max(1, enable.length)] ? { ...u, accountEnabled: true } : u)),
    mailboxes: observed.mailboxes.map((m) => (m.deletedAt === null && notReady[j++ % Math.max(1, notReady.length)] ? { ...m, readyAt: "2026-11-01T09:07:00.000Z" } : m)),
  };
}

const changeArb = fc.record({
  drop: fc.boolean(),
  rename: fc.boolean(),
  /** A new address, the current one kept in previousAddresses (decision 0010). */
  moveTo: fc.boolean(),
  grants: fc.option(fc.array(grantArb(6), { maxLength: 5 }), { nil: undefined }),
  additive: fc.boolean(),
  license: fc.constantFrom("keep", "none", "EXCHANGEENTERPRISE", "plan1+addon"),
  toUser: fc.boolean(),
  /** New values for the settings of decision 0010 (extra: add one address, drop the first). */
  settings: fc.option(fc.record({ hidden: fc.boolean(), addExtra: fc.boolean(), dropExtra: fc.boolean(), copySentAs: fc.boolean(), copyOnBehalf: fc.boolean() }), { nil: undefined }),
  /** A sign-in exception on the mailbox's account. */
  exception: fc.boolean(),
});

/** The licences a change declares: Plan 1 with the archiving add-on allows a hold like Plan 2 (R1.6). */
function licensesOf(license: string): string[] {
  if (license === "none") return [];
  return license === "plan1+addon" ? ["EXCHANGEARCHIVE_ADDON", "EXCHANGESTANDARD"] : [license];
}

export const desiredArb = (t: GeneratedTenant): fc.Arbitrary<CanonicalDesiredState> =>
  fc
    .record({
      changes: fc.array(changeArb, { minLength: 5, maxLength: 5 }),
      created: fc.array(fc.record({ grants: fc.array(grantArb(6), { maxLength: 4 }), del: fc.boolean(), license: fc.boolean() }), { maxLength: 2 }),
      convert: fc.array(fc.record({ license: fc.boolean(), grants: fc.array(grantArb(6), { maxLength: 3 }) }), { minLength: 3, maxLength: 3 }),
      restore: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    })
    .map((c) => {
      const base = desiredFromObserved(t.observed, { stack: "contoso" });
      const lists = (grants: ReadonlyArray<{ person: number; right: string; autoMapping: boolean }>) => {
        const out = { fullAccess: [] as Array<{ trustee: string; autoMapping: boolean }>, sendAs: [] as string[], sendOnBehalf: [] as string[] };
        const seen = new Set<string>();
        for (const g of grants) {
          const trustee = t.people[g.person % t.people.length]!;
          if (seen.has(g.right + trustee)) continue;
          seen.add(g.right + trustee);
          if (g.right === "FullAccess") out.fullAccess.push({ trustee, autoMapping: g.autoMapping });
          else if (g.right === "SendAs") out.sendAs.push(trustee);
          else out.sendOnBehalf.push(trustee);
        }
        return out;
      };
      const shared: SharedMailboxSpec[] = [];
      const users: UserMailboxSpec[] = [];
      base.sharedMailboxes.forEach((m, i) => {
        const ch = c.changes[i % c.changes.length]!;
        if (ch.drop) return;
        if (ch.toUser) {
          users.push({ address: m.address, license: "EXCHANGESTANDARD" });
          return;
        }
        const mbx = t.observed.mailboxes.find((x) => x.address === m.address)!;
        const tooBig = mbx.sizeBytes > 50 * 1024 ** 3;
        const licenses = ch.license === "keep" || ((ch.license === "none" || ch.license === "plan1+addon") && (tooBig || (ch.license === "none" && m.litigationHold))) ? [...m.licenses] : licensesOf(ch.license);
        const extra = ch.settings === undefined ? [...m.emailAddresses] : [...m.emailAddresses.slice(ch.settings.dropExtra ? 1 : 0), ...(ch.settings.addExtra ? [extraAddress(m.address, 9)] : [])];
        shared.push({
          ...m,
          alias: m.alias!,
          fullAccess: [...m.fullAccess],
          sendAs: [...m.sendAs],
          sendOnBehalf: [...m.sendOnBehalf],
          emailAddresses: extra,
          previousAddresses: [...m.previousAddresses],
          ...(ch.moveTo ? { address: m.address.replace("@", "-moved@"), previousAddresses: [m.address] } : {}),
          ...(ch.settings !== undefined
            ? { hiddenFromAddressLists: ch.settings.hidden, messageCopyForSentAs: ch.settings.copySentAs, messageCopyForSendOnBehalf: ch.settings.copyOnBehalf }
            : {}),
          ...(ch.exception ? { signIn: { allowed: true, reason: "a scanner sends as this mailbox" } } : {}),
          ...(ch.rename ? { displayName: `${m.displayName} (renamed)` } : {}),
          ...(ch.grants ? lists(ch.grants) : {}),
          permissionsMode: ch.additive ? "additive" : "authoritative",
          licenses,
        });
      });
      c.created.forEach((n, i) =>
        shared.push({ address: `n${i}@contoso.com`, displayName: `New ${i}`, ...lists(n.grants), removalPolicy: n.del ? "delete" : "retain", license: n.license ? "EXCHANGEENTERPRISE" : "none", litigationHold: n.license }),
      );
      for (const m of t.observed.mailboxes) {
        const u = /^u(\d)@/.exec(m.address);
        const spec = u ? c.convert[Number(u[1])] : undefined;
        if (spec) shared.push({ address: m.address, displayName: "Converted", origin: "convert", license: spec.license ? "EXCHANGESTANDARD" : "none", ...lists(spec.grants) });
        const d = /^d(\d)@/.exec(m.address);
        if (d && c.restore[Number(d[1])]) shared.push({ address: m.address, displayName: "Recovered", origin: "convert" });
      }
      return canonicalize({ formatVersion: 1, stack: "contoso", tenant: { ...(base.tenant as { id: string; domains: [string, ...string[]] }), usageLocation: "US" }, sharedMailboxes: shared, userMailboxes: users });
    });

export const scenarioArb = tenantArb.chain((t) =>
  fc.record({
    t: fc.constant(t),
    desired: desiredArb(t),
    enable: fc.array(fc.boolean(), { maxLength: 4 }),
    notReady: fc.array(fc.boolean(), { maxLength: 4 }),
  }),
);

/** A scenario with its drift applied and planned once: for properties that compare the plan with something else. */
export const plannedScenarioArb = scenarioArb.map(({ t, desired, enable, notReady }) => {
  const observed = withDrift(t.observed, enable, notReady);
  return { desired, observed, doc: plan(desired, observed) };
});
