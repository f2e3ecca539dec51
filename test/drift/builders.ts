/**
 * Test builders for drift: the contoso example AFTER a successful apply (the
 * desired state and the tenant it produced), and small helpers that make one
 * out-of-band change to an observed state, as an admin would.
 */
import { canonicalize, type CanonicalDesiredState } from "../../lib/model/normalize.js";
import type { DesiredState } from "../../lib/model/generated/desired-state.js";
import type { ObservedGrant, ObservedMailbox, ObservedState, ObservedUser, Right } from "../../lib/provider/observed.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import { GB, PLAN2_QUOTA, UNLICENSED_SHARED_QUOTA } from "../../lib/model/licensing.js";

export const OBSERVED_AT = "2026-11-01T09:00:00.000Z";

export function contosoDesiredDocument(): DesiredState {
  return {
    formatVersion: 1,
    stack: "contoso",
    tenant: { id: "contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"] },
    sharedMailboxes: [
      { address: "support@contoso.com", displayName: "Contoso Support", fullAccess: [{ trustee: "ann.lee@contoso.com" }, { trustee: "ben.ortiz@contoso.com" }], sendAs: ["ann.lee@contoso.com", "ben.ortiz@contoso.com"] },
      {
        address: "info@contoso.com",
        displayName: "Contoso Info",
        fullAccess: [{ trustee: "carla.diaz@contoso.com" }, { trustee: "erin.kim@contoso.com", autoMapping: false }],
        sendAs: ["carla.diaz@contoso.com"],
        removalPolicy: "delete",
      },
      { address: "ceo-office@contoso.com", displayName: "Office of the CEO", fullAccess: [{ trustee: "erin.kim@contoso.com" }], sendOnBehalf: ["dev.patel@contoso.com"] },
      { address: "harry.wells@contoso.com", displayName: "Harry Wells (departed)", origin: "convert", fullAccess: [{ trustee: "ben.ortiz@contoso.com" }], sendAs: ["ben.ortiz@contoso.com"] },
      {
        address: "legal@contoso.com",
        displayName: "Legal Hold",
        license: "EXCHANGEENTERPRISE",
        litigationHold: true,
        fullAccess: [{ trustee: "erin.kim@contoso.com" }, { trustee: "gina.rossi@contoso.com" }],
        sendAs: ["erin.kim@contoso.com"],
      },
    ],
    userMailboxes: [{ address: "kim.nguyen@contoso.com", license: "EXCHANGESTANDARD" }],
  };
}

export function contosoDesired(patch: Partial<DesiredState> = {}): CanonicalDesiredState {
  return canonicalize({ ...contosoDesiredDocument(), ...patch });
}

function user(id: string, upn: string, displayName: string, licenses: string[] = [], extra: Partial<ObservedUser> = {}): ObservedUser {
  return { id, userPrincipalName: upn, displayName, accountEnabled: true, usageLocation: "US", licenses, onPremisesSyncEnabled: false, deletedAt: null, ...extra };
}

function shared(address: string, displayName: string, userId: string, extra: Partial<ObservedMailbox> = {}): ObservedMailbox {
  return {
    address,
    displayName,
    alias: address.slice(0, address.indexOf("@")),
    type: "shared",
    userId,
    sizeBytes: GB,
    quotaBytes: UNLICENSED_SHARED_QUOTA,
    litigationHold: false,
    archive: false,
    readyAt: null,
    deletedAt: null,
    managementTag: null,
    ...extra,
  };
}

function fa(mailbox: string, trustee: string, autoMapping = true): ObservedGrant {
  return { mailbox, right: "FullAccess", trustee, autoMapping };
}
function grant(mailbox: string, right: Exclude<Right, "FullAccess">, trustee: string): ObservedGrant {
  return { mailbox, right, trustee };
}

/** The tenant exactly as a successful apply of contosoDesired() leaves it. */
export function appliedContoso(): ObservedState {
  const blocked = { accountEnabled: false };
  return sortObserved({
    tenant: { id: "contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"], hybrid: true },
    observedAt: OBSERVED_AT,
    skus: [
      { skuPartNumber: "EXCHANGEARCHIVE_ADDON", skuId: "ee02fd1b-340e-4a4b-b355-4a514e4c8943", prepaidUnits: 2, consumedUnits: 0, servicePlans: ["EXCHANGE_S_ARCHIVE_ADDON"] },
      { skuPartNumber: "EXCHANGEENTERPRISE", skuId: "19ec0d23-8335-4cbd-94ac-6050e30712fa", prepaidUnits: 2, consumedUnits: 1, servicePlans: ["EXCHANGE_S_ENTERPRISE"] },
      { skuPartNumber: "EXCHANGESTANDARD", skuId: "4b9405b0-7788-4568-add1-99614e613b69", prepaidUnits: 6, consumedUnits: 3, servicePlans: ["EXCHANGE_S_STANDARD"] },
      { skuPartNumber: "SPE_E3", skuId: "05e9a617-0261-4cee-bb44-138d3ef5d965", prepaidUnits: 5, consumedUnits: 4, servicePlans: ["EXCHANGE_S_ENTERPRISE"] },
    ],
    users: [
      user("u-ann", "ann.lee@contoso.com", "Ann Lee", ["SPE_E3"]),
      user("u-ben", "ben.ortiz@contoso.com", "Ben Ortiz", ["SPE_E3"]),
      user("u-carla", "carla.diaz@contoso.com", "Carla Diaz", ["EXCHANGESTANDARD"]),
      user("u-dev", "dev.patel@contoso.com", "Dev Patel", ["EXCHANGESTANDARD"]),
      user("u-erin", "erin.kim@contoso.com", "Erin Kim", ["SPE_E3"]),
      user("u-frank", "frank.moss@contoso.com", "Frank Moss", ["SPE_E3"], { onPremisesSyncEnabled: true }),
      user("u-gina", "gina.rossi@contoso.com", "Gina Rossi", [], { usageLocation: null }),
      user("u-harry", "harry.wells@contoso.com", "Harry Wells", [], { accountEnabled: false }),
      user("u-kim", "kim.nguyen@contoso.com", "Kim Nguyen", ["EXCHANGESTANDARD"]),
      user("u-support", "support@contoso.com", "Contoso Support", [], blocked),
      user("u-info", "info@contoso.com", "Contoso Info", [], blocked),
      user("u-ceo", "ceo-office@contoso.com", "Office of the CEO", [], blocked),
      user("u-legal", "legal@contoso.com", "Legal Hold", ["EXCHANGEENTERPRISE"], blocked),
    ],
    mailboxes: [
      shared("support@contoso.com", "Contoso Support", "u-support", { sizeBytes: 20 * GB }),
      shared("info@contoso.com", "Contoso Info", "u-info", { managementTag: "exoform:stack=contoso;removal=delete" }),
      shared("ceo-office@contoso.com", "Office of the CEO", "u-ceo"),
      shared("harry.wells@contoso.com", "Harry Wells (departed)", "u-harry", { sizeBytes: 12 * GB }),
      shared("legal@contoso.com", "Legal Hold", "u-legal", { sizeBytes: 62 * GB, quotaBytes: PLAN2_QUOTA, litigationHold: true }),
      { ...shared("kim.nguyen@contoso.com", "Kim Nguyen", "u-kim", { sizeBytes: 4 * GB }), type: "user" },
    ],
    grants: [
      fa("support@contoso.com", "ann.lee@contoso.com"),
      fa("support@contoso.com", "ben.ortiz@contoso.com"),
      grant("support@contoso.com", "SendAs", "ann.lee@contoso.com"),
      grant("support@contoso.com", "SendAs", "ben.ortiz@contoso.com"),
      fa("info@contoso.com", "carla.diaz@contoso.com"),
      fa("info@contoso.com", "erin.kim@contoso.com", false),
      grant("info@contoso.com", "SendAs", "carla.diaz@contoso.com"),
      fa("ceo-office@contoso.com", "erin.kim@contoso.com"),
      grant("ceo-office@contoso.com", "SendOnBehalf", "dev.patel@contoso.com"),
      fa("harry.wells@contoso.com", "ben.ortiz@contoso.com"),
      grant("harry.wells@contoso.com", "SendAs", "ben.ortiz@contoso.com"),
      fa("legal@contoso.com", "erin.kim@contoso.com"),
      fa("legal@contoso.com", "gina.rossi@contoso.com"),
      grant("legal@contoso.com", "SendAs", "erin.kim@contoso.com"),
    ],
  });
}

/** Sorted by natural key, as providers return them. */
export function sortObserved(o: ObservedState): ObservedState {
  return {
    ...o,
    users: [...o.users].sort((a, b) => compareStrings(a.userPrincipalName, b.userPrincipalName) || compareStrings(a.id, b.id)),
    mailboxes: [...o.mailboxes].sort((a, b) => compareStrings(a.address, b.address)),
    grants: [...o.grants].sort((a, b) => compareStrings(a.mailbox, b.mailbox) || compareStrings(a.right, b.right) || compareStrings(a.trustee, b.trustee)),
  };
}

// ------------------------------------------------------------------ out-of-band edits

export function editMailbox(o: ObservedState, address: string, patch: Partial<ObservedMailbox>): ObservedState {
  return { ...o, mailboxes: o.mailboxes.map((m) => (m.address === address ? { ...m, ...patch } : m)) };
}

/** Edit the account behind a mailbox (its anchor). */
export function editAccount(o: ObservedState, address: string, patch: Partial<ObservedUser>): ObservedState {
  const mailbox = o.mailboxes.find((m) => m.address === address);
  if (!mailbox) throw new Error(`no mailbox ${address}`);
  return { ...o, users: o.users.map((u) => (u.id === mailbox.userId ? { ...u, ...patch } : u)) };
}

export function addGrant(o: ObservedState, g: ObservedGrant): ObservedState {
  return sortObserved({ ...o, grants: [...o.grants, g] });
}

export function removeGrant(o: ObservedState, mailbox: string, right: Right, trustee: string): ObservedState {
  const grants = o.grants.filter((g) => !(g.mailbox === mailbox && g.right === right && g.trustee === trustee));
  if (grants.length === o.grants.length) throw new Error(`no ${right} grant for ${trustee} on ${mailbox}`);
  return { ...o, grants };
}

export function removeMailbox(o: ObservedState, address: string): ObservedState {
  return { ...o, mailboxes: o.mailboxes.filter((m) => m.address !== address) };
}
