/**
 * The provider's reads (API table in ../shared/docs/microsoft-apis.md §2):
 *
 *   readTenant      Graph $batch: /organization + one synced user (hybrid), tid from the token
 *   listSkus        Graph /subscribedSkus
 *   listUsers       Graph /users + /directory/deletedItems/microsoft.graph.user, $top=999, paged
 *   listMailboxes   Get-Mailbox (+ -SoftDeletedMailbox) once; quotas from the users' licenses;
 *                   Get-MailboxStatistics only where a rule needs the size (shared mailboxes)
 *   listGrants      Get-RecipientPermission once for the tenant (SendAs); Get-MailboxPermission
 *                   per mailbox through Exchange $batch (FullAccess); GrantSendOnBehalfTo from
 *                   the Get-Mailbox rows (SendOnBehalf)
 *
 * The reads several bulk reads need (Get-Mailbox rows, Graph users, SKUs) are shared while in
 * flight: observe() calls the five bulk reads at once and each is fetched once. Nothing is
 * cached past its read, except the SKU catalogue (names of licenses), refreshed by every
 * listing and whenever a license it does not know shows up.
 */
import type { ObservedGrant, ObservedGroup, ObservedMailbox, ObservedSku, ObservedTenantInfo, ObservedUser } from "../../lib/provider/observed.js";
import { ProviderError } from "../../lib/provider/errors.js";
import { UNLICENSED_SHARED_QUOTA } from "../../lib/model/licensing.js";
import { DEFAULT_MANAGEMENT_ATTRIBUTE, type ManagementAttribute } from "../../lib/model/management-tag.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import type { TokenSource } from "./auth.js";
import type { CmdletResult, ExchangeClient, ExoRow } from "./exchange.js";
import type { CallContext, GraphClient } from "./graph.js";
import {
  compareMailboxes,
  compareUsers,
  fullAccessGrants,
  mailboxSelect,
  mailboxType,
  parseByteQuantity,
  RecipientIndex,
  sendAsGrants,
  sendOnBehalfGrants,
  SkuCatalogue,
  toObservedMailbox,
  toObservedSku,
  toObservedUser,
  uniqueGrants,
  USER_SELECT,
  type GraphSku,
  type GraphUser,
} from "./rows.js";

export interface ReadScopes {
  /**
   * Mailboxes whose FullAccess grants listGrants reads (a call per mailbox); all when absent. Given the
   * address and the management attribute (exoform's management tag, null when unset).
   */
  grantScope?: ((address: string, managementTag: string | null) => boolean) | undefined;
  /** Live mailboxes whose size is read; default: shared mailboxes (the 50 GB rule, R1.4). */
  sizeScope?: ((address: string, type: "user" | "shared") => boolean) | undefined;
  /** The custom attribute holding exoform's management tag (tenant.managementAttribute); default CustomAttribute15. */
  managementAttribute?: ManagementAttribute | undefined;
}

interface MailboxRows {
  readonly live: readonly ExoRow[];
  readonly deleted: readonly ExoRow[];
}

const lower = (s: string): string => s.trim().toLowerCase();

/** The group properties listGroups selects. */
interface GraphGroup {
  readonly id: string;
  readonly displayName?: string | null;
  readonly mail?: string | null;
  readonly mailNickname?: string | null;
}
const str = (v: unknown): string => (typeof v === "string" ? v : "");

export class TenantReads {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private catalogue: SkuCatalogue | null = null;

  constructor(
    private readonly graph: GraphClient,
    private readonly exchange: ExchangeClient,
    private readonly tokens: TokenSource,
    readonly scopes: ReadScopes,
  ) {}

  /** The custom attribute the management tag is read from. */
  get attribute(): ManagementAttribute {
    return this.scopes.managementAttribute ?? DEFAULT_MANAGEMENT_ATTRIBUTE;
  }

  /** What Get-Mailbox selects: the management attribute, no other custom attribute. */
  get select(): readonly string[] {
    return mailboxSelect(this.attribute);
  }

  // ---------------------------------------------------------------- bulk reads

  async readTenant(): Promise<ObservedTenantInfo> {
    const ctx = { operation: "readTenant", target: "" };
    const [claims, answers] = await Promise.all([
      this.tokens.claims("graph").catch((e: unknown) => rethrow(e, ctx)),
      this.graph.batch(
        [
          { id: "organization", method: "GET", url: "/organization?$select=id,verifiedDomains,onPremisesSyncEnabled" },
          { id: "synced", method: "GET", url: "/users?$filter=onPremisesSyncEnabled%20eq%20true&$select=id&$top=1" },
        ],
        ctx,
      ),
    ]);
    const org = answers.get("organization")!;
    if (org.status !== 200) throw this.graph.itemError(org, ctx);
    const organization = (org.body as { value?: Array<{ verifiedDomains?: Array<{ name?: string }>; onPremisesSyncEnabled?: boolean | null }> }).value?.[0];
    const synced = answers.get("synced")!;
    // a service that cannot filter on the sync flag leaves the organization's own flag to decide
    if (synced.status !== 200 && synced.status !== 400) throw this.graph.itemError(synced, ctx);
    const anySynced = synced.status === 200 && ((synced.body as { value?: unknown[] }).value?.length ?? 0) > 0;
    return {
      id: claims.tid,
      domains: [...new Set((organization?.verifiedDomains ?? []).map((d) => lower(d.name ?? "")).filter((d) => d !== ""))].sort(compareStrings),
      hybrid: organization?.onPremisesSyncEnabled === true || anySynced,
    };
  }

  async listSkus(): Promise<ObservedSku[]> {
    const skus = await this.skus({ operation: "listSkus", target: "" });
    return skus.map(toObservedSku).sort((a, b) => compareStrings(a.skuPartNumber, b.skuPartNumber));
  }

  /**
   * The mail-enabled security groups (GET /groups, filtered as Graph allows without advanced
   * queries) and each one's user members (GET /groups/{id}/members: Graph has no bulk form).
   */
  async listGroups(): Promise<ObservedGroup[]> {
    const ctx = { operation: "listGroups", target: "" };
    const withMail = await this.mailGroups(ctx);
    const members = await Promise.all(
      withMail.map((g) => this.graph.list<{ userPrincipalName?: string | null }>(`/v1.0/groups/${encodeURIComponent(g.id)}/members?$select=id,userPrincipalName&$top=999`, ctx)),
    );
    return withMail
      .map((g, i) => ({
        id: g.id,
        address: g.address,
        displayName: g.displayName ?? "",
        // members that are not users (nested groups, devices) have no UPN and are left out
        members: [...new Set(members[i]!.flatMap((m) => (m.userPrincipalName ? [lower(m.userPrincipalName)] : [])))].sort(compareStrings),
      }))
      .sort((a, b) => compareStrings(a.address, b.address));
  }

  /** The mail-enabled security groups with an address (one GET /groups), addresses lower-cased. */
  private async mailGroups(ctx: CallContext): Promise<Array<GraphGroup & { address: string }>> {
    const filter = encodeURIComponent("mailEnabled eq true and securityEnabled eq true");
    const groups = await this.graph.list<GraphGroup>(`/v1.0/groups?$filter=${filter}&$select=id,displayName,mail,mailNickname&$top=999`, ctx);
    return groups.flatMap((g) => (typeof g.mail === "string" && g.mail !== "" ? [{ ...g, address: lower(g.mail) }] : []));
  }

  async listUsers(): Promise<ObservedUser[]> {
    return (await this.observedUsers({ operation: "listUsers", target: "" })).sort(compareUsers);
  }

  async listMailboxes(): Promise<ObservedMailbox[]> {
    const ctx = { operation: "listMailboxes", target: "" };
    const [rows, users] = await Promise.all([this.mailboxRows(ctx), this.graphUsers(ctx)]);
    const catalogue = await this.skuCatalogue(ctx, [...users.live, ...users.deleted]);
    const licenses = new Map([...users.deleted, ...users.live].map((u) => [lower(u.id), u.assignedLicenses ?? []]));
    const typed = [...rows.live.map((row) => ({ row, deleted: false })), ...rows.deleted.map((row) => ({ row, deleted: true }))]
      .map((m) => ({ ...m, type: mailboxType(m.row), address: lower(str(m.row["PrimarySmtpAddress"])) }))
      .filter((m): m is typeof m & { type: "user" | "shared" } => m.type !== null && m.address !== "");
    const sized = typed.filter((m) => !m.deleted && this.sizeWanted(m.address, m.type));
    const sizes = await this.sizes(sized.map((m) => m.address), ctx);
    return typed
      .map((m) =>
        toObservedMailbox(m.row, m.type, {
          quotaBytes: catalogue.quotaOf(licenses.get(lower(str(m.row["ExternalDirectoryObjectId"])))),
          sizeBytes: m.deleted ? 0 : sizes.get(m.address) ?? 0,
          softDeleted: m.deleted,
          managementAttribute: this.attribute,
        }),
      )
      .sort(compareMailboxes);
  }

  async listGrants(): Promise<ObservedGrant[]> {
    const ctx = { operation: "listGrants", target: "" };
    const scope = this.scopes.grantScope ?? (() => true);
    const [rows, users, sendAs, groups] = await Promise.all([
      this.mailboxRows(ctx),
      this.observedUsers(ctx),
      this.exchange.invoke({ name: "Get-RecipientPermission", parameters: { AccessRights: ["SendAs"], ResultSize: "Unlimited" } }, ctx),
      this.mailGroups(ctx),
    ]);
    const index = new RecipientIndex([...rows.live, ...rows.deleted], users);
    index.learnGroups(groups);
    const mailboxes = [...rows.live.map((row) => ({ row, deleted: false })), ...rows.deleted.map((row) => ({ row, deleted: true }))]
      .filter((m) => mailboxType(m.row) !== null)
      .map((m) => ({ ...m, address: lower(str(m.row["PrimarySmtpAddress"])) }))
      .filter((m) => m.address !== "" && scope(m.address, str(m.row[this.attribute]) || null));
    const known = new Set(mailboxes.map((m) => m.address));
    const permissions = await this.exchange.batch(
      mailboxes.map((m) => ({
        name: "Get-MailboxPermission",
        parameters: m.deleted ? { Identity: m.address, SoftDeletedMailbox: true } : { Identity: m.address },
        ...(m.deleted ? {} : { mailbox: m.address }),
      })),
      ctx,
    );
    const grants: ObservedGrant[] = [];
    mailboxes.forEach((m, i) => {
      grants.push(...fullAccessGrants(m.address, rowsOrNone(permissions[i]!), index));
      grants.push(...sendOnBehalfGrants(m.row, index));
    });
    grants.push(...sendAsGrants(sendAs.rows, index).filter((g) => known.has(g.mailbox)));
    return uniqueGrants(grants);
  }

  // ---------------------------------------------------------------- point reads

  async getMailbox(address: string, operation = "getMailbox"): Promise<ObservedMailbox | null> {
    const target = lower(address);
    const ctx = { operation, target };
    const found = await this.mailboxRow(target, ctx);
    if (found === null) return null;
    const type = mailboxType(found.row);
    if (type === null) return null;
    const userId = str(found.row["ExternalDirectoryObjectId"]);
    const [user, sizes] = await Promise.all([
      userId === "" ? null : this.userById(userId, ctx),
      !found.deleted && this.sizeWanted(target, type) ? this.sizes([target], ctx) : new Map<string, number>(),
    ]);
    const catalogue = await this.skuCatalogue(ctx, user ? [user] : []);
    return toObservedMailbox(found.row, type, {
      quotaBytes: user ? catalogue.quotaOf(user.assignedLicenses) : UNLICENSED_SHARED_QUOTA,
      sizeBytes: sizes.get(target) ?? 0,
      softDeleted: found.deleted,
      managementAttribute: this.attribute,
    });
  }

  async getUser(userPrincipalName: string, operation = "getUser"): Promise<ObservedUser | null> {
    const upn = lower(userPrincipalName);
    const ctx = { operation, target: upn };
    const user = await this.graph.getOrNull<GraphUser>(`/v1.0/users/${encodeURIComponent(upn)}?$select=${USER_SELECT}`, ctx);
    if (user === null) return null;
    return toObservedUser(user, await this.skuCatalogue(ctx, [user]), false);
  }

  /** A live user by object id (after a restore), or null. */
  async getUserById(id: string, ctx: CallContext): Promise<ObservedUser | null> {
    const user = await this.graph.getOrNull<GraphUser>(`/v1.0/users/${encodeURIComponent(id)}?$select=${USER_SELECT}`, ctx);
    return user === null ? null : toObservedUser(user, await this.skuCatalogue(ctx, [user]), false);
  }

  async getGrants(address: string): Promise<ObservedGrant[]> {
    const target = lower(address);
    const ctx = { operation: "getGrants", target };
    const found = await this.mailboxRow(target, ctx);
    if (found === null || mailboxType(found.row) === null) return [];
    const [permissions, sendAs] = await Promise.all([
      this.exchange.invoke({ name: "Get-MailboxPermission", parameters: found.deleted ? { Identity: target, SoftDeletedMailbox: true } : { Identity: target }, ...(found.deleted ? {} : { mailbox: target }) }, ctx),
      found.deleted ? emptyResult() : notFoundAsEmpty(this.exchange.invoke({ name: "Get-RecipientPermission", parameters: { Identity: target, AccessRights: ["SendAs"] }, mailbox: target }, ctx)),
    ]);
    const names = [
      ...permissions.rows.map((r) => r["User"]),
      ...sendAs.rows.map((r) => r["Trustee"]),
      ...(Array.isArray(found.row["GrantSendOnBehalfTo"]) ? (found.row["GrantSendOnBehalfTo"] as unknown[]) : []),
    ].map((v) => str(v));
    const index = await this.pointIndex(found.row, names, ctx);
    return uniqueGrants([...fullAccessGrants(target, permissions.rows, index), ...sendAsGrants(sendAs.rows, index, target), ...sendOnBehalfGrants(found.row, index)]);
  }

  /** The SKU catalogue, read again when `users` hold a license it does not know, none was read yet, or `refresh`. */
  async skuCatalogue(ctx: CallContext, users: readonly GraphUser[] = [], refresh = false): Promise<SkuCatalogue> {
    const current = this.catalogue;
    const unknown = users.some((u) => (u.assignedLicenses ?? []).some((a) => a.skuId !== undefined && !(current?.has(a.skuId) ?? false)));
    if (current !== null && !unknown && !refresh) return current;
    await this.skus(ctx);
    return this.catalogue!;
  }

  // ---------------------------------------------------------------- shared reads

  /** One read for every caller while it is in flight; each caller's errors carry its own operation. */
  private shared<T>(key: string, ctx: CallContext, read: () => Promise<T>): Promise<T> {
    let p = this.inFlight.get(key) as Promise<T> | undefined;
    if (p === undefined) {
      p = read().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p.catch((e: unknown) => rethrow(e, ctx));
  }

  private async skus(ctx: CallContext): Promise<GraphSku[]> {
    const skus = await this.shared("skus", ctx, () => this.graph.list<GraphSku>("/v1.0/subscribedSkus", ctx));
    this.catalogue = new SkuCatalogue(skus);
    return skus;
  }

  private graphUsers(ctx: CallContext): Promise<{ live: GraphUser[]; deleted: GraphUser[] }> {
    return this.shared("users", ctx, async () => {
      const [live, deleted] = await Promise.all([
        this.graph.list<GraphUser>(`/v1.0/users?$select=${USER_SELECT}&$top=999`, ctx),
        this.graph.list<GraphUser>(`/v1.0/directory/deletedItems/microsoft.graph.user?$select=${USER_SELECT},deletedDateTime&$top=999`, ctx),
      ]);
      return { live, deleted };
    });
  }

  private async observedUsers(ctx: CallContext): Promise<ObservedUser[]> {
    const users = await this.graphUsers(ctx);
    const catalogue = await this.skuCatalogue(ctx, [...users.live, ...users.deleted]);
    return [...users.live.map((u) => toObservedUser(u, catalogue, false)), ...users.deleted.map((u) => toObservedUser(u, catalogue, true))];
  }

  private mailboxRows(ctx: CallContext): Promise<MailboxRows> {
    return this.shared("mailboxes", ctx, async () => {
      const [live, deleted] = await Promise.all([
        this.exchange.invoke({ name: "Get-Mailbox", parameters: { ResultSize: "Unlimited" }, select: this.select }, ctx),
        this.exchange.invoke({ name: "Get-Mailbox", parameters: { SoftDeletedMailbox: true, ResultSize: "Unlimited" }, select: this.select }, ctx),
      ]);
      return { live: live.rows, deleted: deleted.rows };
    });
  }

  // ---------------------------------------------------------------- helpers

  private sizeWanted(address: string, type: "user" | "shared"): boolean {
    return this.scopes.sizeScope ? this.scopes.sizeScope(address, type) : type === "shared";
  }

  /** TotalItemSize of each mailbox, by Get-MailboxStatistics through Exchange $batch; a mailbox gone meanwhile counts 0. */
  private async sizes(addresses: readonly string[], ctx: CallContext): Promise<Map<string, number>> {
    const results = await this.exchange.batch(addresses.map((a) => ({ name: "Get-MailboxStatistics", parameters: { Identity: a }, mailbox: a })), ctx);
    const out = new Map<string, number>();
    addresses.forEach((a, i) => out.set(a, parseByteQuantity(rowsOrNone(results[i]!)[0]?.["TotalItemSize"])));
    return out;
  }

  /**
   * Get-Mailbox -Identity, live first, then soft-deleted; null when neither exists. -Identity
   * also finds a mailbox by an extra address (after a rename, its old primary): the contract
   * reads mailboxes by primary address, so such a row is not the mailbox asked for.
   */
  private async mailboxRow(address: string, ctx: CallContext): Promise<{ row: ExoRow; deleted: boolean } | null> {
    const primary = (rows: readonly ExoRow[]) => rows.find((r) => lower(str(r["PrimarySmtpAddress"])) === lower(address));
    const live = await notFoundAsEmpty(this.exchange.invoke({ name: "Get-Mailbox", parameters: { Identity: address }, select: this.select, mailbox: address }, ctx));
    const liveRow = primary(live.rows);
    if (liveRow !== undefined) return { row: liveRow, deleted: false };
    const deleted = await notFoundAsEmpty(this.exchange.invoke({ name: "Get-Mailbox", parameters: { Identity: address, SoftDeletedMailbox: true }, select: this.select }, ctx));
    const deletedRow = primary(deleted.rows);
    return deletedRow !== undefined ? { row: deletedRow, deleted: true } : null;
  }

  /** A user by id, live or in the recycle bin (its licenses give the mailbox's quota); null when gone. */
  private async userById(id: string, ctx: CallContext): Promise<GraphUser | null> {
    const path = `/${encodeURIComponent(id)}?$select=id,assignedLicenses`;
    return (await this.graph.getOrNull<GraphUser>(`/v1.0/users${path}`, ctx)) ?? (await this.graph.getOrNull<GraphUser>(`/v1.0/directory/deletedItems${path}`, ctx));
  }

  /**
   * An index for one mailbox's trustees: values with an "@" are taken as UPNs; other names
   * (Exchange names, object ids) are looked up with Get-Mailbox through Exchange $batch, and
   * those Exchange does not know through Graph users by id. Names left after both may be
   * mail-enabled security groups, which permission rows name by display name or id: they are
   * mapped as listGrants maps them (one GET /groups, RecipientIndex.learnGroups), and only then,
   * so a mailbox or person keeps a name a group also has, as in the bulk read. What none knows
   * stays as given.
   */
  private async pointIndex(mailboxRow: ExoRow, names: readonly string[], ctx: CallContext): Promise<RecipientIndex> {
    const self = new RecipientIndex([mailboxRow], []);
    const unknown = [...new Set(names.map(lower))].filter((n) => n !== "" && !n.includes("@") && !n.includes("\\") && self.trustee(n) === n);
    const rows: ExoRow[] = [mailboxRow];
    const looked: Array<[string, ExoRow]> = [];
    const users: ObservedUser[] = [];
    let unresolved = false;
    if (unknown.length > 0) {
      const found = await this.exchange.batch(unknown.map((n) => ({ name: "Get-Mailbox", parameters: { Identity: n }, select: this.select })), ctx);
      const missing: string[] = [];
      unknown.forEach((n, i) => {
        const row = rowsOrNone(found[i]!)[0];
        if (row) {
          rows.push(row);
          looked.push([n, row]);
        } else missing.push(n);
      });
      if (missing.length > 0) {
        const answers = await this.graph.batch(missing.map((n, i) => ({ id: String(i), method: "GET" as const, url: `/users/${encodeURIComponent(n)}?$select=id,userPrincipalName` })), ctx);
        missing.forEach((n, i) => {
          const a = answers.get(String(i));
          const upn = a?.status === 200 ? str((a.body as { userPrincipalName?: unknown }).userPrincipalName) : "";
          if (upn !== "") users.push({ id: n, userPrincipalName: lower(upn), displayName: "", accountEnabled: true, usageLocation: null, licenses: [], onPremisesSyncEnabled: false, deletedAt: null });
          else if (a !== undefined && a.status !== 404 && a.status !== 400) throw this.graph.itemError(a, ctx);
          else unresolved = true;
        });
      }
    }
    const index = new RecipientIndex(rows, users);
    for (const [name, row] of looked) index.learn(name, row);
    if (unresolved) index.learnGroups(await this.mailGroups(ctx));
    return index;
  }
}

/** A batch result's rows; a mailbox that vanished between two reads has none; any other failure rejects the read. */
function rowsOrNone(result: CmdletResult | ProviderError): readonly ExoRow[] {
  if (!ProviderError.is(result)) return result.rows;
  if (result.kind === "notFound") return [];
  throw result;
}

async function notFoundAsEmpty(p: Promise<CmdletResult>): Promise<CmdletResult> {
  try {
    return await p;
  } catch (e) {
    if (ProviderError.is(e) && e.kind === "notFound") return { rows: [], warnings: [] };
    throw e;
  }
}

function emptyResult(): Promise<CmdletResult> {
  return Promise.resolve({ rows: [], warnings: [] });
}

/** `e` with the operation and object of `ctx` (a read shared by several callers). */
export function rethrow(e: unknown, ctx: CallContext): never {
  if (!ProviderError.is(e)) throw e;
  if (e.operation === ctx.operation && e.target === ctx.target) throw e;
  throw new ProviderError({ kind: e.kind, code: e.code, message: e.message, operation: ctx.operation, target: ctx.target, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) });
}
