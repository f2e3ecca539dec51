/**
 * The Exchange admin API's parameter binding and identity resolution, over
 * the tenant's reads as one request sees them (ctx.reads(view)).
 *
 * Binding is PowerShell's: parameter names match case-insensitively, values
 * must have the parameter's type, unknown names are a ParameterBindingException.
 * The local endpoint is stricter than the service in one place: an Identity
 * that is given but null or empty is refused everywhere (the service would
 * act on, or return, every object), and Set-/Remove-/Add-/Enable-/Disable-*
 * and the per-mailbox reads refuse a missing one.
 *
 * Identities resolve as the service resolves them, for the identities
 * exoform's objects carry: a mailbox by primary or extra SMTP address (the primary = its UPN here),
 * ExternalDirectoryObjectId (= its Name), Guid or alias; a trustee by UPN,
 * ExternalDirectoryObjectId or its mailbox's identities, a mail-enabled
 * security group by address, id, display name or alias. A trustee that does
 * not resolve goes to the tenant as given, so that the tenant's own rule
 * refuses it (unknown trustee, outside the tenant, ACE not found).
 *
 * Groups and custom attributes are read from the tenant directly, without
 * the read-lag model (consistency.ts): no cmdlet here changes a group, and a
 * custom attribute written shows at once on every backend.
 */
import type { ObservedGrant, ObservedGroup, ObservedMailbox, ObservedUser } from "../../lib/provider/observed.js";
import type { CustomAttributes, SimulatedTenant } from "../simulated/index.js";
import type { TenantReads } from "./context.js";
import { objectAmbiguous, objectNotFound, parameterInvalid, parameterMissing, parameterNotFound } from "./exchange-errors.js";
import { mailboxGuid } from "./exchange-objects.js";

/** What a parameter accepts. */
export type ParamKind =
  | "string"
  /** a string, or null (clears the property) */
  | "nullableString"
  /** a JSON boolean (switches are true) */
  | "bool"
  /** a string or an array of strings; bound as an array */
  | "strings"
  /** "Unlimited" or a positive whole number; bound as a number (Infinity for Unlimited) */
  | "resultSize"
  /** anything: the cmdlet checks it (GrantSendOnBehalfTo's encodings) */
  | "any";

/** Parameters every cmdlet accepts and the endpoint ignores (-Confirm:$false and the like). */
const COMMON_PARAMS: Readonly<Record<string, ParamKind>> = { Confirm: "bool", ErrorAction: "string", WarningAction: "string" };

export type IdentityUse = "required" | "optional" | "none";

export type BoundParams = ReadonlyMap<string, unknown>;

/** Bind a cmdlet's Parameters to its declared ones, or refuse as the service does. */
export function bindParameters(cmdlet: string, identity: IdentityUse, declared: Readonly<Record<string, ParamKind>>, given: Readonly<Record<string, unknown>>): BoundParams {
  const known: Record<string, ParamKind> = { ...COMMON_PARAMS, ...(identity === "none" ? {} : { Identity: "string" }), ...declared };
  const names = Object.keys(known);
  const bound = new Map<string, unknown>();
  for (const [key, value] of Object.entries(given)) {
    const name = names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name === undefined) parameterNotFound(cmdlet, key);
    if (bound.has(name)) parameterInvalid(name, "The parameter is given more than once.");
    if (name === "Identity" && (value === null || (typeof value === "string" && value.trim() === ""))) {
      parameterMissing(cmdlet, "Identity", " The service would act on every object; the local endpoint refuses a null or empty Identity.");
    }
    bound.set(name, coerce(name, known[name]!, value));
  }
  if (identity === "required" && !bound.has("Identity")) {
    parameterMissing(cmdlet, "Identity", " The service would act on every object; the local endpoint refuses a missing Identity.");
  }
  return bound;
}

function coerce(name: string, kind: ParamKind, value: unknown): unknown {
  const wrong = (type: string): never => parameterInvalid(name, `Cannot convert value "${JSON.stringify(value)}" to type "${type}".`);
  switch (kind) {
    case "string":
      return typeof value === "string" ? value : wrong("System.String");
    case "nullableString":
      return value === null || typeof value === "string" ? value : wrong("System.String");
    case "bool":
      return typeof value === "boolean" ? value : wrong("System.Boolean");
    case "strings":
      if (typeof value === "string") return [value];
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : wrong("System.String[]");
    case "resultSize": {
      if (typeof value === "string" && value.trim().toLowerCase() === "unlimited") return Number.POSITIVE_INFINITY;
      const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
      return Number.isSafeInteger(n) && n > 0 ? n : wrong("Microsoft.Exchange.Data.Unlimited`1[System.UInt32]");
    }
    case "any":
      return value;
  }
}

/** A mandatory non-Identity parameter (User, Trustee, Name...). */
export function requiredString(cmdlet: string, params: BoundParams, name: string): string {
  const value = params.get(name);
  if (typeof value !== "string" || value.trim() === "") parameterMissing(cmdlet, name);
  return value;
}

const lower = (s: string): string => s.trim().toLowerCase();

/**
 * The tenant's objects for one cmdlet call, read at most once each. Point reads while the call is
 * about one mailbox, bulk reads (loadAll) when it lists the tenant.
 */
/** What the Exchange cmdlets read from the simulated tenant beyond the contract's reads (see above: no read lag). */
export type DirectReads = Pick<SimulatedTenant, "listGroups" | "listCustomAttributes" | "getCustomAttributes">;

export class Lookup {
  readonly reads: TenantReads;
  private usersRead: Promise<{ byId: Map<string, ObservedUser>; byUpn: Map<string, ObservedUser>; live: ObservedUser[] }> | undefined;
  private mailboxesRead: Promise<ObservedMailbox[]> | undefined;
  private grantsRead: Promise<Map<string, ObservedGrant[]>> | undefined;
  private groupsRead: Promise<ObservedGroup[]> | undefined;
  private attributesRead: Promise<Map<string, CustomAttributes>> | undefined;

  constructor(
    reads: TenantReads,
    private readonly direct: DirectReads,
  ) {
    this.reads = reads;
  }

  /** Read users, mailboxes, grants and custom attributes in bulk: the call is about many mailboxes. */
  async loadAll(): Promise<void> {
    this.attributesRead ??= this.direct.listCustomAttributes();
    await Promise.all([this.users(), this.mailboxes(), this.allGrants(), this.attributesRead]);
  }

  /** A mailbox's CustomAttribute1..15 that hold a value (from the bulk read when the call loaded one). */
  async customAttributesOf(m: ObservedMailbox): Promise<CustomAttributes> {
    if (this.attributesRead) return (await this.attributesRead).get(m.address) ?? {};
    return this.direct.getCustomAttributes(m.address);
  }

  /** The tenant's mail-enabled security groups, read once. */
  groups(): Promise<ObservedGroup[]> {
    return (this.groupsRead ??= this.direct.listGroups());
  }

  /** The group a name resolves to: its address, id, display name or alias (the local part of its address). */
  private async groupNamed(identity: string): Promise<ObservedGroup | undefined> {
    const id = lower(identity);
    const groups = await this.groups();
    return groups.find((g) => g.address === id || g.id.toLowerCase() === id) ?? groups.find((g) => lower(g.displayName) === id || g.address.slice(0, g.address.indexOf("@")) === id);
  }

  /**
   * How permission rows (Get-MailboxPermission User, Get-RecipientPermission Trustee) name each
   * trustee: a group by its display name, as Exchange names a group trustee (never by its
   * address); a person by the UPN the grant holds.
   */
  async permissionNames(): Promise<(trustee: string) => string> {
    const byAddress = new Map((await this.groups()).map((g) => [g.address, g.displayName]));
    return (trustee) => byAddress.get(trustee) ?? trustee;
  }

  mailboxes(): Promise<ObservedMailbox[]> {
    return (this.mailboxesRead ??= this.reads.listMailboxes());
  }

  /** Every user (live and soft-deleted) by id, and by UPN with the live one preferred. */
  users(): Promise<{ byId: Map<string, ObservedUser>; byUpn: Map<string, ObservedUser>; live: ObservedUser[] }> {
    return (this.usersRead ??= this.reads.listUsers().then((all) => {
      const byId = new Map<string, ObservedUser>();
      const byUpn = new Map<string, ObservedUser>();
      for (const u of all) {
        byId.set(u.id.toLowerCase(), u);
        const held = byUpn.get(u.userPrincipalName);
        if (held === undefined || (held.deletedAt !== null && u.deletedAt === null)) byUpn.set(u.userPrincipalName, u);
      }
      return { byId, byUpn, live: all.filter((u) => u.deletedAt === null) };
    }));
  }

  private allGrants(): Promise<Map<string, ObservedGrant[]>> {
    return (this.grantsRead ??= this.reads.listGrants().then((all) => {
      const byMailbox = new Map<string, ObservedGrant[]>();
      for (const g of all) {
        const list = byMailbox.get(g.mailbox);
        if (list) list.push(g);
        else byMailbox.set(g.mailbox, [g]);
      }
      return byMailbox;
    }));
  }

  /** The direct grants on one mailbox (sorted by right, then trustee). */
  async grantsOf(address: string): Promise<readonly ObservedGrant[]> {
    if (this.grantsRead) return (await this.grantsRead).get(address) ?? [];
    return this.reads.getGrants(address);
  }

  /** A mailbox's anchor user (live or soft-deleted), or undefined. */
  async userOf(m: ObservedMailbox): Promise<ObservedUser | undefined> {
    if (!this.usersRead && m.deletedAt === null) {
      const u = await this.reads.getUser(m.address);
      if (u && u.id === m.userId) return u;
    }
    return (await this.users()).byId.get(m.userId.toLowerCase());
  }

  /** A user by UPN, the live one first, else a soft-deleted one. */
  async userByUpn(upn: string): Promise<ObservedUser | undefined> {
    if (!this.usersRead) {
      const u = await this.reads.getUser(upn);
      if (u) return u;
    }
    return (await this.users()).byUpn.get(upn);
  }

  /** The mailboxes an Identity names, among the live or the soft-deleted ones. */
  async findMailboxes(identity: string, scope: "live" | "softDeleted"): Promise<ObservedMailbox[]> {
    const id = lower(identity);
    const inScope = (m: ObservedMailbox): boolean => (m.deletedAt === null) === (scope === "live");
    if (id.includes("@") && !this.mailboxesRead) {
      const m = await this.reads.getMailbox(id);
      if (m) return inScope(m) ? [m] : [];
      // not a primary address: it may be an extra one (after a rename, the old primary), read in bulk below
    }
    const all = (await this.mailboxes()).filter(inScope);
    const exact = all.filter((m) => m.address === id || m.userId.toLowerCase() === id || mailboxGuid(m) === id || (m.emailAddresses ?? []).includes(id));
    return exact.length > 0 ? exact : all.filter((m) => m.alias.toLowerCase() === id);
  }

  /** The one mailbox an Identity names, or the service's 404 (none) or ambiguity error (several). */
  async mailbox(identity: string, scope: "live" | "softDeleted"): Promise<ObservedMailbox> {
    const found = await this.findMailboxes(identity, scope);
    if (found.length === 0) objectNotFound(identity);
    if (found.length > 1) objectAmbiguous(identity);
    return found[0]!;
  }

  /** A trustee's UPN: resolved from an id or a mailbox identity, or the value as given (the tenant judges it). */
  async trusteeUpn(identity: string): Promise<string> {
    const id = lower(identity);
    if (id.includes("@") || id.includes("\\")) return id;
    const user = (await this.users()).byId.get(id);
    if (user) return user.userPrincipalName;
    const mailboxes = await this.findMailboxes(id, "live");
    if (mailboxes.length === 1) return (await this.userOf(mailboxes[0]!))?.userPrincipalName ?? mailboxes[0]!.address;
    return (await this.groupNamed(id))?.address ?? id;
  }

  /** How GrantSendOnBehalfTo shows a trustee: its ExternalDirectoryObjectId (a group's id), or the UPN when the tenant no longer knows it. */
  async sendOnBehalfIdentity(upn: string): Promise<string> {
    return (await this.userByUpn(upn))?.id ?? (await this.groups()).find((g) => g.address === upn)?.id ?? upn;
  }
}
