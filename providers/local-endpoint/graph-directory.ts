/**
 * Graph's directory-wide routes on the local endpoint: the recycle bin of
 * users (list, get, restore), the tenant's subscribed SKUs with their seat
 * counts, and the organization with its verified domains.
 */
import { createHash } from "node:crypto";
import type { ObservedSku, ObservedUser } from "../../lib/provider/observed.js";
import type { ObjectKey } from "./context.js";
import { ok, odataContext, requirePermission, resourceNotFound, type GraphCall } from "./graph-http.js";
import { answerCollection, contextWithSelect, parseCollectionQuery, parseSelect, project } from "./graph-query.js";
import { graphUser, mailboxOf, neededProperties, READ_USERS, USER_DEFAULT_SELECT, USER_SCHEMA, userExtras } from "./graph-users.js";
import { PERMISSION } from "./permissions.js";
import type { WireResponse } from "./wire.js";

// ------------------------------------------------------------------ deleted users (rules R7.3)

/** A deleted user answers with the user's default properties and when it was deleted. */
const DELETED_DEFAULT_SELECT = [...USER_DEFAULT_SELECT, "deletedDateTime"];
const DELETED_USERS = "directory/deletedItems/microsoft.graph.user";

/** GET /directory/deletedItems/microsoft.graph.user: the soft-deleted users, queried and paged like /users. */
export async function listDeletedUsers(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, READ_USERS);
  const query = parseCollectionQuery(call.req, "deletedUsers", USER_SCHEMA);
  const users = (await call.reads.listUsers()).filter((u) => u.deletedAt !== null);
  const extras = await userExtras(call.reads, neededProperties(query.select ?? DELETED_DEFAULT_SELECT, query), users);
  const rows = users.map((u) => ({ key: [u.userPrincipalName, u.id], record: graphUser(u, extras) }));
  return answerCollection(call, query, rows, { collection: "deletedUsers", context: DELETED_USERS, defaultSelect: DELETED_DEFAULT_SELECT });
}

async function deletedUser(call: GraphCall, id: string): Promise<ObservedUser | null> {
  return (await call.reads.listUsers()).find((u) => u.deletedAt !== null && u.id.toLowerCase() === id.toLowerCase()) ?? null;
}

/** GET /directory/deletedItems/{id}: one soft-deleted user, typed (the recycle bin holds other object types in Graph). */
export async function getDeletedItem(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, READ_USERS);
  const select = parseSelect(call.req, USER_SCHEMA);
  const id = call.params["id"]!;
  const user = await deletedUser(call, id);
  if (user === null) throw resourceNotFound(id);
  const extras = await userExtras(call.reads, neededProperties(select ?? DELETED_DEFAULT_SELECT), [user]);
  return ok(call.req, {
    "@odata.context": odataContext(call, `${contextWithSelect("directory/deletedItems", select)}/$entity`),
    "@odata.type": "#microsoft.graph.user",
    ...project(graphUser(user, extras), select ?? DELETED_DEFAULT_SELECT),
  });
}

/**
 * POST /directory/deletedItems/{id}/restore: 200 with the restored user as a directoryObject.
 * The tenant decides everything (not in the bin, UPN taken); the write touches the user and the
 * mailbox that comes back with it.
 */
export async function restoreDeletedItem(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, [PERMISSION.userDeleteRestore, PERMISSION.userReadWriteAll]);
  const id = call.params["id"]!;
  const user = await deletedUser(call, id);
  const mailbox = user === null ? null : await mailboxOf(call.reads, user);
  const keys: ObjectKey[] = [];
  if (user !== null) keys.push(`user:${user.userPrincipalName.toLowerCase()}`);
  if (mailbox !== null) keys.push(`mailbox:${mailbox.address.toLowerCase()}`);
  // an id not in the bin still goes to the tenant: its refusal (and message) is the answer
  const restored = await call.ctx.write(call.view, keys, (tenant) => tenant.restoreUser(user?.id ?? id));
  const extras = { mailOf: () => mailbox?.address ?? null, skuIdOf: () => undefined };
  return ok(call.req, {
    "@odata.context": odataContext(call, "directoryObjects/$entity"),
    "@odata.type": "#microsoft.graph.user",
    ...project(graphUser(restored, extras), USER_DEFAULT_SELECT),
  });
}

// ------------------------------------------------------------------ GET /subscribedSkus (rules R7.4, R7.5)

/** The service plan GUIDs of rules R7.5; other plans get a stable name-based id (servicePlanId). */
const KNOWN_SERVICE_PLAN_IDS: Readonly<Record<string, string>> = {
  EXCHANGE_S_STANDARD: "9aaf7827-d63c-4b61-89c3-182f06f82e5c",
  EXCHANGE_S_ENTERPRISE: "efb87545-963c-4e0d-99df-69c6916d9eb0",
  EXCHANGE_S_ARCHIVE_ADDON: "176a09a6-7ec5-4039-ac02-b2791c6ba793",
};

/** A plan's GUID: Microsoft's where known, else a UUID v5-style hash of its name (the same in every run and tenant). */
export function servicePlanId(name: string): string {
  const known = KNOWN_SERVICE_PLAN_IDS[name];
  if (known !== undefined) return known;
  const bytes = createHash("sha1").update(`exoform-service-plan:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5 (name-based)
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function subscribedSku(tenantId: string, sku: ObservedSku): Record<string, unknown> {
  return {
    capabilityStatus: "Enabled",
    consumedUnits: sku.consumedUnits,
    id: `${tenantId}_${sku.skuId}`, // Graph's subscribedSku id is <tenant id>_<skuId>
    prepaidUnits: { enabled: sku.prepaidUnits, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: sku.servicePlans.map((name) => ({ servicePlanId: servicePlanId(name), servicePlanName: name, provisioningStatus: "Success", appliesTo: "User" })),
    skuId: sku.skuId,
    skuPartNumber: sku.skuPartNumber,
    appliesTo: "User",
  };
}

export async function listSubscribedSkus(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, [
    PERMISSION.organizationRead, PERMISSION.licenseRead, PERMISSION.licenseAssignment, PERMISSION.directoryReadAll, PERMISSION.directoryReadWriteAll,
  ]);
  const skus = await call.reads.listSkus();
  return ok(call.req, { "@odata.context": odataContext(call, "subscribedSkus"), value: skus.map((s) => subscribedSku(call.ctx.tenantId, s)) });
}

// ------------------------------------------------------------------ GET /organization

const INITIAL_DOMAIN = /\.onmicrosoft\.com$/;

/**
 * The tenant as Graph's organization: its id, hybrid flag (onPremisesSyncEnabled) and verified
 * domains, all Managed. isInitial is the *.onmicrosoft.com domain; isDefault is the first other
 * domain (a tenant's default is an admin's choice; the custom domain is the usual one).
 */
export async function listOrganization(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, [PERMISSION.organizationRead, PERMISSION.directoryReadAll, PERMISSION.directoryReadWriteAll]);
  const info = await call.reads.readTenant();
  const initial = info.domains.find((d) => INITIAL_DOMAIN.test(d)) ?? info.domains[0];
  const preferred = info.domains.find((d) => !INITIAL_DOMAIN.test(d)) ?? initial;
  return ok(call.req, {
    "@odata.context": odataContext(call, "organization"),
    value: [
      {
        id: info.id,
        displayName: info.id,
        onPremisesSyncEnabled: info.hybrid ? true : null,
        verifiedDomains: info.domains.map((name) => ({ isDefault: name === preferred, isInitial: name === initial, name, type: "Managed" })),
      },
    ],
  });
}
