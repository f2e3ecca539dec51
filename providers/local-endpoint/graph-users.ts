/**
 * Graph's user routes on the local endpoint: list and get users, PATCH the
 * three properties exoform writes (accountEnabled, usageLocation,
 * passwordProfile), assignLicense, and mailboxSettings/userPurpose. Also the
 * user's Graph shape, which the deleted-items routes share.
 *
 * Every rule (synced users, seats, usage location, licence combinations)
 * stays in the simulated tenant: these routes check only what Graph itself
 * checks before the directory is involved (permissions, the body's shape,
 * skuIds) and translate the rest through graph-http.ts.
 */
import type { ObservedMailbox, ObservedUser } from "../../lib/provider/observed.js";
import { ProviderError } from "../../lib/provider/errors.js";
import type { SimulatedTenant } from "../simulated/index.js";
import type { ObjectKey, TenantReads } from "./context.js";
import {
  badRequest,
  done,
  GraphFailure,
  objectBody,
  ok,
  odataContext,
  providerFailure,
  requirePermission,
  resourceNotFound,
  type GraphCall,
} from "./graph-http.js";
import { answerCollection, contextWithSelect, filterProperties, parseCollectionQuery, parseSelect, project, type CollectionQuery, type QuerySchema } from "./graph-query.js";
import { PERMISSION, ROLE } from "./permissions.js";
import type { WireResponse } from "./wire.js";

// ------------------------------------------------------------------ the user resource

/** Properties Graph returns without $select (resources/user). accountEnabled, assignedLicenses... are "returned only on $select". */
export const USER_DEFAULT_SELECT = [
  "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
  "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
] as const;

/** What the local endpoint knows of a user; the properties the tenant does not model are null or empty, as in a real tenant where they are unset. */
export const USER_SCHEMA: QuerySchema = {
  typeName: "microsoft.graph.user",
  resourceName: "User",
  properties: [
    ...USER_DEFAULT_SELECT,
    "accountEnabled", "assignedLicenses", "usageLocation", "onPremisesSyncEnabled", "onPremisesImmutableId", "userType", "deletedDateTime",
    "signInSessionsValidFromDateTime",
  ],
  filterable: {
    id: { type: "string", in: true },
    userPrincipalName: { type: "string", in: true, startswith: true },
    mail: { type: "string" },
    accountEnabled: { type: "boolean" },
    onPremisesSyncEnabled: { type: "boolean" },
  },
};

/** Application permissions that let an app read users (and deleted users). */
export const READ_USERS = [PERMISSION.userReadAll, PERMISSION.userReadWriteAll, PERMISSION.directoryReadAll, PERMISSION.directoryReadWriteAll];

/** What a user's Graph shape needs beyond the user: its mailbox address (mail) and the skuIds of its licences. */
export interface UserExtras {
  mailOf(user: ObservedUser): string | null;
  skuIdOf(partNumber: string): string | undefined;
}

/** The user as Graph's `user` resource, every property this endpoint knows. */
export function graphUser(user: ObservedUser, extras: UserExtras): Record<string, unknown> {
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    mail: extras.mailOf(user),
    accountEnabled: user.accountEnabled,
    usageLocation: user.usageLocation,
    assignedLicenses: user.licenses.flatMap((part) => {
      const skuId = extras.skuIdOf(part);
      return skuId === undefined ? [] : [{ disabledPlans: [], skuId }];
    }),
    // Graph: true while synced, null for a user never synced (so `onPremisesSyncEnabled eq false` matches none of them)
    onPremisesSyncEnabled: user.onPremisesSyncEnabled ? true : null,
    onPremisesImmutableId: null,
    userType: "Member",
    businessPhones: [],
    givenName: null,
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    deletedDateTime: user.deletedAt,
    // the last revokeSignInSessions; Graph gives the creation time before any, which the tenant does not keep
    signInSessionsValidFromDateTime: user.sessionsRevokedAt ?? null,
  };
}

/**
 * The extras for `users`, reading only what the projection and filter need: listMailboxes for
 * `mail`, listSkus for `assignedLicenses`. The mail of a user is the address of the mailbox it
 * anchors (live or soft-deleted with it), else null.
 */
export async function userExtras(reads: TenantReads, needed: ReadonlySet<string>, users: readonly ObservedUser[]): Promise<UserExtras> {
  const skuIds = new Map<string, string>();
  if (needed.has("assignedLicenses")) for (const sku of await reads.listSkus()) skuIds.set(sku.skuPartNumber, sku.skuId);
  const mail = new Map<string, string>();
  if (needed.has("mail")) {
    if (users.length === 1) {
      const mailbox = await mailboxOf(reads, users[0]!);
      if (mailbox !== null) mail.set(mailbox.userId, mailbox.address);
    } else {
      for (const m of await reads.listMailboxes()) mail.set(m.userId, m.address);
    }
  }
  return { mailOf: (u) => mail.get(u.id) ?? null, skuIdOf: (part) => skuIds.get(part) };
}

/** The properties a query makes a route compute. */
export function neededProperties(select: readonly string[] | null, query?: CollectionQuery): Set<string> {
  return new Set([...(select ?? USER_DEFAULT_SELECT), ...filterProperties(query?.filter ?? null)]);
}

/**
 * The mailbox a user anchors, or null. Anchors are usually named like their mailbox (a point
 * read); otherwise the bulk read finds it by ExternalDirectoryObjectId = user id.
 */
export async function mailboxOf(reads: TenantReads, user: ObservedUser): Promise<ObservedMailbox | null> {
  const byName = await reads.getMailbox(user.userPrincipalName);
  if (byName !== null && byName.userId === user.id) return byName;
  return (await reads.listMailboxes()).find((m) => m.userId === user.id) ?? null;
}

/** The live user `{id|upn}` names (a UPN has an @; anything else is an object id), or 404. */
async function liveUser(call: GraphCall, idOrUpn: string): Promise<ObservedUser> {
  const user = idOrUpn.includes("@")
    ? await call.reads.getUser(idOrUpn)
    : ((await call.reads.listUsers()).find((u) => u.deletedAt === null && u.id.toLowerCase() === idOrUpn.toLowerCase()) ?? null);
  if (user === null) throw resourceNotFound(idOrUpn);
  return user;
}

const userKey = (user: ObservedUser): ObjectKey => `user:${user.userPrincipalName.toLowerCase()}`;
const mailboxKey = (mailbox: ObservedMailbox): ObjectKey => `mailbox:${mailbox.address.toLowerCase()}`;

/** The user with Graph's default properties and its @odata.context, as GET (no $select) and assignLicense answer. */
function userEntity(call: GraphCall, user: ObservedUser, extras: UserExtras, select: readonly string[] | null): Record<string, unknown> {
  return {
    "@odata.context": odataContext(call, `${contextWithSelect("users", select)}/$entity`),
    ...project(graphUser(user, extras), select ?? USER_DEFAULT_SELECT),
  };
}

// ------------------------------------------------------------------ GET /users, GET /users/{id}

export async function listUsers(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, READ_USERS);
  const query = parseCollectionQuery(call.req, "users", USER_SCHEMA);
  const users = (await call.reads.listUsers()).filter((u) => u.deletedAt === null);
  const extras = await userExtras(call.reads, neededProperties(query.select, query), users);
  const rows = users.map((u) => ({ key: [u.userPrincipalName, u.id], record: graphUser(u, extras) }));
  return answerCollection(call, query, rows, { collection: "users", context: "users", defaultSelect: USER_DEFAULT_SELECT });
}

export async function getUser(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, READ_USERS);
  const select = parseSelect(call.req, USER_SCHEMA);
  const user = await liveUser(call, call.params["id"]!);
  return ok(call.req, userEntity(call, user, await userExtras(call.reads, neededProperties(select), [user]), select));
}

// ------------------------------------------------------------------ PATCH /users/{id}

/** One write a PATCH makes, once its value is checked. */
type PatchStep = (tenant: SimulatedTenant, upn: string) => Promise<unknown>;

interface Patchable {
  /** Any one of these application permissions... */
  readonly anyOf: readonly string[];
  /** ...and, when given, one of these directory roles. */
  readonly roles?: readonly string[];
  /** The write for this value, or 400 when the value has the wrong shape. */
  readonly step: (value: unknown) => PatchStep;
}

const invalidValue = (property: string): GraphFailure => badRequest(`Invalid value specified for property '${property}' of resource 'User'.`);

/** The properties PATCH may change, each with Graph's permission for it (microsoft-apis.md G4-G6). */
const PATCHABLE: Readonly<Record<string, Patchable>> = {
  accountEnabled: {
    anyOf: [PERMISSION.userEnableDisable, PERMISSION.userReadWriteAll],
    step: (value) => {
      if (typeof value !== "boolean") throw invalidValue("accountEnabled");
      return (tenant, upn) => tenant.setAccountEnabled(upn, value);
    },
  },
  usageLocation: {
    anyOf: [PERMISSION.userReadWriteAll],
    step: (value) => {
      if (typeof value !== "string") throw invalidValue("usageLocation"); // the code itself is the tenant's rule to check
      return (tenant, upn) => tenant.setUsageLocation(upn, value);
    },
  },
  userPrincipalName: {
    anyOf: [PERMISSION.userReadWriteAll],
    step: (value) => {
      if (typeof value !== "string" || value === "") throw invalidValue("userPrincipalName");
      return (tenant, upn) => tenant.setUserPrincipalName(upn, value);
    },
  },
  passwordProfile: {
    // G5: User.ReadWrite.All alone is not enough; the app needs this permission AND the role
    anyOf: [PERMISSION.userPasswordProfile],
    roles: [ROLE.userAdministrator, ROLE.privilegedAuthenticationAdministrator],
    step: (value) => {
      checkPasswordProfile(value);
      // the tenant sets a password nobody knows: the value given is checked, then dropped, never logged or stored
      return (tenant, upn) => tenant.resetPassword(upn);
    },
  },
};

/** {password: non-empty string, forceChangePasswordNextSignIn?: boolean, forceChangePasswordNextSignInWithMfa?: boolean}. */
function checkPasswordProfile(value: unknown): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidValue("passwordProfile");
  const profile = value as Record<string, unknown>;
  if (typeof profile["password"] !== "string" || profile["password"] === "") throw invalidValue("passwordProfile");
  for (const [key, v] of Object.entries(profile)) {
    const known = key === "password" || key === "forceChangePasswordNextSignIn" || key === "forceChangePasswordNextSignInWithMfa";
    if (!known || (key !== "password" && typeof v !== "boolean")) throw invalidValue("passwordProfile");
  }
}

/** Properties Graph never lets a client set. The other known ones are settable in Graph but have no tenant write here. */
const READ_ONLY = new Set(["id", "onPremisesSyncEnabled", "assignedLicenses", "deletedDateTime"]);

function unpatchable(property: string): GraphFailure {
  if (READ_ONLY.has(property)) return badRequest(`Property '${property}' is read-only and cannot be set.`);
  if (USER_SCHEMA.properties.includes(property)) {
    return badRequest(`Updating property '${property}' is not supported by the local endpoint: the simulated tenant has no write for it.`);
  }
  return badRequest(`Property '${property}' does not exist as a declared property or extension property.`);
}

/**
 * PATCH /users/{id|upn}: 204. The body is checked whole (names, permissions, value shapes) before
 * anything is written. The tenant then takes one write per property, in the body's order; Graph
 * applies a PATCH atomically, the tenant cannot. So when a later property is refused, the earlier
 * ones STAY applied and the error says so: its details carry the tenant's refusal first, then a
 * "PartiallyApplied" entry naming what was applied. The writes are all idempotent, so a client
 * that retries the whole PATCH (e.g. after a 429) converges.
 */
export async function patchUser(call: GraphCall): Promise<WireResponse> {
  const body = objectBody(call.req);
  const entries = Object.entries(body).filter(([key]) => !key.startsWith("@odata."));
  for (const [name] of entries) if (PATCHABLE[name] === undefined) throw unpatchable(name);
  for (const [name] of entries) requirePermission(call.caller, PATCHABLE[name]!.anyOf, PATCHABLE[name]!.roles);
  const steps = entries.map(([name, value]) => [name, PATCHABLE[name]!.step(value)] as const);
  const user = await liveUser(call, call.params["id"]!);
  const upn = user.userPrincipalName;
  const applied: string[] = [];
  for (const [name, step] of steps) {
    try {
      await call.ctx.write(call.view, [userKey(user)], (tenant) => step(tenant, upn));
    } catch (e) {
      throw partiallyApplied(e, applied, name);
    }
    applied.push(name);
  }
  return done(call.req);
}

/** The error of a PATCH property, saying which earlier properties were applied (nothing to add when none was). */
function partiallyApplied(e: unknown, applied: readonly string[], failed: string): unknown {
  if (applied.length === 0 || !ProviderError.is(e)) return e;
  const f = providerFailure(e);
  const note = {
    code: "PartiallyApplied",
    message: `${applied.join(", ")} ${applied.length === 1 ? "was" : "were"} applied before ${failed} was refused: the local endpoint applies a PATCH property by property`,
    target: applied.join(","),
  };
  return new GraphFailure(f.status, f.code, f.message, [...f.details, note], f.headers);
}

// ------------------------------------------------------------------ POST /users/{id}/revokeSignInSessions

/** POST /users/{id|upn}/revokeSignInSessions: 200 {"value": true}, as Graph answers. */
export async function revokeSignInSessions(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, [PERMISSION.userRevokeSessions, PERMISSION.userReadWriteAll]);
  const user = await liveUser(call, call.params["id"]!);
  await call.ctx.write(call.view, [userKey(user)], (tenant) => tenant.revokeSignInSessions(user.id));
  return ok(call.req, { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean", value: true });
}

// ------------------------------------------------------------------ POST /users/{id}/assignLicense

interface LicenseChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** Both arrays, required even when empty (rules R7.2), as skuIds. */
function licenseBody(call: GraphCall): { add: string[]; remove: string[] } {
  const body = objectBody(call.req);
  const missing = ["addLicenses", "removeLicenses"].filter((k) => body[k] === undefined || body[k] === null);
  if (missing.length > 0) {
    throw badRequest(`One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: ${missing.join(", ")}.`);
  }
  const adds = body["addLicenses"];
  const removes = body["removeLicenses"];
  if (!Array.isArray(adds)) throw badRequest("Invalid value specified for parameter 'addLicenses' of operation 'assignLicense'.");
  if (!Array.isArray(removes) || !removes.every((s) => typeof s === "string")) throw badRequest("Invalid value specified for parameter 'removeLicenses' of operation 'assignLicense'.");
  const add = adds.map((entry: unknown) => {
    const license = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {};
    if (typeof license["skuId"] !== "string") throw badRequest("Invalid value specified for parameter 'addLicenses' of operation 'assignLicense'.");
    const disabled = license["disabledPlans"] ?? [];
    if (!Array.isArray(disabled)) throw badRequest("Invalid value specified for parameter 'addLicenses' of operation 'assignLicense'.");
    // the tenant licenses whole SKUs; pretending to disable a plan would report a state that is not there
    if (disabled.length > 0) throw badRequest(`disabledPlans is not modelled by the local endpoint (skuId ${license["skuId"]}); send "disabledPlans": []`);
    return license["skuId"];
  });
  return { add, remove: removes as string[] };
}

/** skuIds as the tenant's part numbers; a skuId the tenant does not subscribe to is Graph's 400. */
async function partNumbers(reads: TenantReads, skuIds: { add: string[]; remove: string[] }): Promise<LicenseChange> {
  const byId = new Map((await reads.listSkus()).map((s) => [s.skuId.toLowerCase(), s.skuPartNumber]));
  const part = (skuId: string): string => {
    const found = byId.get(skuId.toLowerCase());
    if (found === undefined) throw badRequest(`License ${skuId} does not correspond to a valid company License.`);
    return found;
  };
  return { add: skuIds.add.map(part), remove: skuIds.remove.map(part) };
}

/** POST /users/{id|upn}/assignLicense: 200 with the user. The write touches the user and, through its quota, its mailbox. */
export async function assignLicense(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, [PERMISSION.licenseAssignment, PERMISSION.userReadWriteAll]);
  const skuIds = licenseBody(call);
  const user = await liveUser(call, call.params["id"]!);
  const change = await partNumbers(call.reads, skuIds);
  const mailbox = await mailboxOf(call.reads, user);
  const keys: ObjectKey[] = mailbox === null ? [userKey(user)] : [userKey(user), mailboxKey(mailbox)];
  const updated = await call.ctx.write(call.view, keys, (tenant) => tenant.assignLicense(user.userPrincipalName, change));
  // Graph answers with the default properties, which include mail but not assignedLicenses
  const extras: UserExtras = { mailOf: () => mailbox?.address ?? null, skuIdOf: () => undefined };
  return ok(call.req, userEntity(call, updated, extras, null));
}

// ------------------------------------------------------------------ GET /users/{id}/mailboxSettings[/userPurpose]

/** mailboxSettings is an Outlook resource: its own permission, its own errors (microsoft-apis.md G11). */
const READ_MAILBOX_SETTINGS = ["MailboxSettings.Read", "MailboxSettings.ReadWrite"];

/**
 * "user" or "shared" for the user's mailbox. No mailbox, or one still being provisioned
 * (created or restored a few minutes ago), is Outlook's 404 MailboxNotEnabledForRESTAPI.
 */
async function userPurpose(call: GraphCall): Promise<{ user: ObservedUser; purpose: string }> {
  const id = call.params["id"]!;
  const user = await liveUser(call, id).catch((e: unknown) => {
    throw e instanceof GraphFailure && e.status === 404 ? new GraphFailure(404, "ErrorInvalidUser", `The requested user '${id}' is invalid.`) : e;
  });
  const mailbox = await mailboxOf(call.reads, user);
  if (mailbox === null || mailbox.deletedAt !== null || mailbox.readyAt !== null) {
    throw new GraphFailure(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
  }
  return { user, purpose: mailbox.type };
}

export async function getUserPurpose(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, READ_MAILBOX_SETTINGS);
  const { user, purpose } = await userPurpose(call);
  return ok(call.req, { "@odata.context": odataContext(call, `users('${user.id}')/mailboxSettings/userPurpose`), value: purpose });
}

/** GET /users/{id}/mailboxSettings[?$select=userPurpose]: only userPurpose is modelled, so only it is returned or selectable. */
export async function getMailboxSettings(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, READ_MAILBOX_SETTINGS);
  const select = call.req.query.get("$select");
  if (select !== null && select.trim() !== "userPurpose") {
    throw badRequest(`the local endpoint models only userPurpose of mailboxSettings; use $select=userPurpose (got '${select}')`);
  }
  const { user, purpose } = await userPurpose(call);
  const fragment = `users('${user.id}')/mailboxSettings${select === null ? "" : "(userPurpose)"}`;
  return ok(call.req, { "@odata.context": odataContext(call, fragment), userPurpose: purpose });
}
