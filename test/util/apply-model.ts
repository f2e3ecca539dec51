/**
 * A pure, in-memory model of apply: runs a plan's actions against an
 * ObservedState following the service rules in a simplified way, and returns
 * the state a fresh observation would then show. Used by property tests
 * ("apply, then re-plan, is empty"). The real apply engine lives in lib/apply.
 *
 * Simplifications: readiness ends when a mailbox.wait runs (the clock moves
 * forward by its minutes); a restore brings the user and its mailbox back
 * without licences (R2.4); a new mailbox's anchor has the mailbox's address as
 * its UPN, sign-in enabled and no licence (R4.2); a deleted mailbox loses its
 * grants from the listing. Rule violations throw, naming the action.
 */
import { capabilitiesOfSkus } from "../../lib/model/licensing.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import type { PlanAction, PlanDocument } from "../../lib/plan/types.js";
import type { ObservedGrant, ObservedMailbox, ObservedSku, ObservedState, ObservedUser } from "../../lib/provider/observed.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function applyModel(observed: ObservedState, doc: PlanDocument): ObservedState {
  let clock = Date.parse(observed.observedAt);
  const users = observed.users.map((u) => ({ ...u, licenses: [...u.licenses] }) as Mutable<ObservedUser>);
  const mailboxes = observed.mailboxes.map((m) => ({ ...m }) as Mutable<ObservedMailbox>);
  let grants: ObservedGrant[] = [...observed.grants];
  const skus = observed.skus.map((s) => ({ ...s }) as Mutable<ObservedSku>);
  const plans = new Map(skus.map((s) => [s.skuPartNumber, s.servicePlans]));
  const iso = () => new Date(clock).toISOString();

  const fail = (a: PlanAction, why: string): never => {
    throw new Error(`apply-model: ${a.id}: ${why}`);
  };
  const liveUser = (a: PlanAction) => users.find((u) => u.userPrincipalName === a.target && u.deletedAt === null) ?? fail(a, "no live user");
  const liveMailbox = (a: PlanAction) => mailboxes.find((m) => m.address === a.target && m.deletedAt === null) ?? fail(a, "no live mailbox");
  const ready = (a: PlanAction, m: ObservedMailbox) => {
    if (m.readyAt !== null && Date.parse(m.readyAt) > clock) fail(a, `mailbox not ready until ${m.readyAt}`);
  };
  const sku = (a: PlanAction) => skus.find((s) => s.skuPartNumber === a.params.sku) ?? fail(a, "unknown sku");

  for (const a of doc.actions) {
    switch (a.type) {
      case "user.restore": {
        const u = users.find((x) => x.id === a.params.userId) ?? fail(a, "no such deleted user");
        if (u.deletedAt === null) fail(a, "user is not deleted");
        u.deletedAt = null;
        u.licenses = [];
        for (const m of mailboxes) {
          if (m.userId === u.id && m.deletedAt !== null) {
            m.deletedAt = null;
            m.readyAt = new Date(clock + 25 * 60_000).toISOString();
          }
        }
        break;
      }
      case "user.assignLicense": {
        const u = liveUser(a);
        const s = sku(a);
        if (u.licenses.includes(s.skuPartNumber)) fail(a, "already assigned");
        // params.replaces leave in the same call (R7.2), freeing their seats
        for (const r of a.params.replaces ?? []) {
          if (!u.licenses.includes(r)) fail(a, `replaces ${r}, which is not assigned`);
          u.licenses = u.licenses.filter((l) => l !== r);
          const freed = skus.find((x) => x.skuPartNumber === r);
          if (freed) freed.consumedUnits--;
        }
        if (s.consumedUnits >= s.prepaidUnits) fail(a, "CountViolation");
        s.consumedUnits++;
        u.licenses = [...u.licenses, s.skuPartNumber].sort(compareStrings);
        break;
      }
      case "user.removeLicense": {
        const u = liveUser(a);
        const s = sku(a);
        if (!u.licenses.includes(s.skuPartNumber)) fail(a, "not assigned");
        s.consumedUnits--;
        u.licenses = u.licenses.filter((l) => l !== s.skuPartNumber);
        const m = mailboxes.find((x) => x.userId === u.id && x.deletedAt === null);
        if (m && m.type === "shared") {
          const caps = capabilitiesOfSkus(u.licenses, plans);
          if (m.sizeBytes > caps.quotaBytes || ((m.litigationHold || m.archive) && !caps.holdAndArchive)) fail(a, "shared mailbox needs this license");
        }
        break;
      }
      case "user.resetPassword":
        liveUser(a);
        break;
      case "user.blockSignIn":
      case "user.allowSignIn": {
        const u = liveUser(a);
        if (u.onPremisesSyncEnabled) fail(a, "directory-synced user");
        u.accountEnabled = a.type === "user.allowSignIn";
        break;
      }
      case "user.revokeSessions":
        liveUser(a).sessionsRevokedAt = iso();
        break;
      case "user.rename": {
        const u = users.find((x) => x.userPrincipalName === a.params.from && x.deletedAt === null) ?? fail(a, "no live user to rename");
        u.userPrincipalName = a.target;
        break;
      }
      case "mailbox.rename": {
        const m = mailboxes.find((x) => x.address === a.params.from && x.deletedAt === null) ?? fail(a, "no live mailbox to rename");
        m.emailAddresses = [...new Set([...(m.emailAddresses ?? []), m.address])].filter((x) => x !== a.target).sort(compareStrings);
        grants = grants.map((g) => (g.mailbox === m.address ? { ...g, mailbox: a.target } : g));
        m.address = a.target;
        break;
      }
      case "mailbox.create": {
        if (mailboxes.some((m) => m.address === a.target && m.deletedAt === null)) fail(a, "address in use");
        const id = `created:${a.target}`;
        users.push({
          id,
          userPrincipalName: a.target,
          displayName: a.params.displayName ?? a.target,
          accountEnabled: true,
          usageLocation: null,
          licenses: [],
          onPremisesSyncEnabled: false,
          deletedAt: null,
        });
        mailboxes.push({
          address: a.target,
          displayName: a.params.displayName ?? a.target,
          alias: a.params.alias ?? a.target.slice(0, a.target.indexOf("@")),
          type: "shared",
          userId: id,
          sizeBytes: 0,
          quotaBytes: 50 * 1024 ** 3,
          litigationHold: false,
          archive: false,
          readyAt: new Date(clock + 3 * 60_000).toISOString(),
          deletedAt: null,
          managementTag: null,
        });
        break;
      }
      case "mailbox.wait": {
        const m = liveMailbox(a);
        if (m.readyAt !== null) clock = Math.max(clock, Date.parse(m.readyAt));
        m.readyAt = null;
        break;
      }
      case "mailbox.convert": {
        const m = liveMailbox(a);
        ready(a, m);
        const u = users.find((x) => x.id === m.userId) ?? fail(a, "no anchor");
        if (u.onPremisesSyncEnabled) fail(a, "directory-synced anchor");
        if (a.params.to === "shared") {
          if (m.type !== "user") fail(a, "not a user mailbox");
          if (!capabilitiesOfSkus(u.licenses, plans).exchange) fail(a, "unlicensed user mailbox cannot be converted (R1.2)");
          m.type = "shared";
        } else {
          if (m.type !== "shared") fail(a, "not a shared mailbox");
          m.type = "user";
        }
        break;
      }
      case "mailbox.update": {
        const m = liveMailbox(a);
        ready(a, m);
        for (const [field, change] of Object.entries(a.params.changes ?? {})) {
          (m as Record<string, unknown>)[field] = change.to;
        }
        break;
      }
      case "mailbox.delete": {
        const m = liveMailbox(a);
        m.deletedAt = iso();
        for (const u of users) if (u.id === m.userId) u.deletedAt = iso();
        grants = grants.filter((g) => g.mailbox !== m.address);
        break;
      }
      case "permission.grant": {
        const m = liveMailbox(a);
        ready(a, m);
        const t = users.find((u) => u.userPrincipalName === a.params.trustee && u.deletedAt === null);
        if (!t) fail(a, "trustee is not a live user");
        if (grants.some((g) => g.mailbox === a.target && g.right === a.params.right && g.trustee === a.params.trustee)) fail(a, "conflict: grant exists");
        grants.push({
          mailbox: a.target,
          right: a.params.right!,
          trustee: a.params.trustee!,
          ...(a.params.right === "FullAccess" ? { autoMapping: a.params.autoMapping ?? true } : {}),
        });
        break;
      }
      case "permission.revoke": {
        const m = liveMailbox(a);
        ready(a, m);
        const before = grants.length;
        grants = grants.filter((g) => !(g.mailbox === a.target && g.right === a.params.right && g.trustee === a.params.trustee));
        if (grants.length === before) fail(a, "notFound: the ACE doesn't exist");
        break;
      }
    }
  }
  return {
    tenant: observed.tenant,
    observedAt: iso(),
    skus,
    users: users.sort((a, b) => compareStrings(a.userPrincipalName, b.userPrincipalName) || compareStrings(a.id, b.id)),
    mailboxes: mailboxes.sort((a, b) => compareStrings(a.address, b.address) || compareStrings(a.userId, b.userId)),
    grants: grants.sort((a, b) => compareStrings(a.mailbox, b.mailbox) || compareStrings(a.right, b.right) || compareStrings(a.trustee, b.trustee)),
  };
}
