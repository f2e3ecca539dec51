/**
 * MicrosoftProvider: the ITenantProvider contract over Microsoft Graph v1.0
 * (users, licenses, sign-in, restore) and the Exchange Online admin API
 * (mailboxes and grants), unchanged against Microsoft's endpoints and the
 * local endpoint (`exoform tenant serve`). Reads are in reads.ts; this file
 * has the writes, one service call per contract method (updateMailbox makes
 * two only when it changes both Set-Mailbox fields and the archive).
 *
 * - A write the service refuses because the mailbox "is still being
 *   provisioned and accepts changes from <time>" is tried again at that time
 *   (60 s later when it names none), on the provider's clock, for at most
 *   45 minutes of tenant time; then it is a precondition MailboxNotReady.
 *   createSharedMailbox answers readyAt null: the service has no readable
 *   readiness, so the first grant waits instead.
 * - A write that returns an object reads it back with one point read. The
 *   service's reads may lag its writes; the fields just written are laid over
 *   what the read shows, since the write succeeded. Settling a write whose
 *   outcome is unknown is the caller's job (lib/apply reads before re-running).
 * - FullAccess grants read back carry no autoMapping: the service cannot say.
 */
import { setTimeout as sleepWall } from "node:timers/promises";
import type { CreateSharedMailboxInput, ITenantProvider, TenantClock, UpdateMailboxInput } from "../../lib/provider/provider.js";
import type { ObservedGrant, ObservedGroup, ObservedMailbox, ObservedSku, ObservedTenantInfo, ObservedUser } from "../../lib/provider/observed.js";
import { ProviderError } from "../../lib/provider/errors.js";
import { UNLICENSED_SHARED_QUOTA } from "../../lib/model/licensing.js";
import type { ManagementAttribute } from "../../lib/model/management-tag.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import { MsalTokenSource, type TokenClaims, type TokenSource } from "./auth.js";
import { readSettings, type MicrosoftSettings } from "./config.js";
import { ExchangeClient, notReadyUntil, type Cmdlet, type CmdletResult } from "./exchange.js";
import { GraphClient, type CallContext } from "./graph.js";
import { HttpClient, type Cost } from "./http.js";
import { explainMissing, needOf } from "./permissions.js";
import { TenantReads } from "./reads.js";
import { toObservedMailbox, toObservedUser, type GraphUser } from "./rows.js";
import { forgetSecret, redact, registerSecret, strongPassword } from "./secrets.js";
import { valueText } from "../../lib/private/text.js";

export interface MicrosoftProviderOptions {
  readonly settings: MicrosoftSettings;
  /** Default: msal-node client credentials from `settings`. */
  readonly tokens?: TokenSource;
  /** Default: wall time. The CLI passes the local endpoint's clock (endpoint-clock.ts). */
  readonly clock?: TenantClock;
  /** Default: Node's global fetch. */
  readonly fetch?: typeof fetch;
  /** Backoff jitter in [0, 1); default Math.random. */
  readonly random?: () => number;
  /** Per HTTP request; default 100 s. */
  readonly timeoutMs?: number;
  /** Retries of one request by the HTTP layer; default 5. */
  readonly maxRetries?: number;
  /** Mailboxes whose grants listGrants reads; all when absent (see setGrantScope). */
  readonly grantScope?: (address: string, managementTag: string | null) => boolean;
  /** Live mailboxes whose size is read; default: shared mailboxes. */
  readonly sizeScope?: (address: string, type: "user" | "shared") => boolean;
  /** The custom attribute holding exoform's management tag (tenant.managementAttribute); default CustomAttribute15. */
  readonly managementAttribute?: ManagementAttribute;
  /** Exchange $batch calls in flight at once (all reads together); default 3. */
  readonly exchangeConcurrency?: number;
  /**
   * Cmdlets per Exchange $batch, 1 to 20; default 20. The service's limit is undocumented (CIPP
   * sends 10); a $batch it refuses with 400 is split into tens (docs/decisions/0009).
   */
  readonly exchangeBatchSize?: number;
  /** How long a write waits for a mailbox still being provisioned; default 45 min of tenant time. */
  readonly notReadyMaxWaitMs?: number;
  /** The contract's `instance`; default the tenant id from the settings, lower-cased. */
  readonly instance?: string;
}

const NOT_READY_DEFAULT_WAIT_MS = 60_000;
/** A refusal naming a time already past (the service's clock ahead of ours) is tried again after this. */
const NOT_READY_MIN_WAIT_MS = 5_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const lower = (s: string): string => s.trim().toLowerCase();

/** Wall time: Date.now and setTimeout. */
export const wallClock: TenantClock = {
  now: async () => new Date(),
  sleep: async (ms) => {
    if (ms > 0) await sleepWall(ms);
  },
};

export class MicrosoftProvider implements ITenantProvider {
  readonly name: string;
  readonly clock: TenantClock;
  /** Reads lag writes (the service is read-your-writes consistent only within one backend session): apply polls before concluding. */
  readonly consistency = "eventual" as const;
  private instanceId: string;
  private readonly http: HttpClient;
  private readonly tokens: TokenSource;
  private readonly graph: GraphClient;
  private readonly exchange: ExchangeClient;
  private readonly reads: TenantReads;
  private readonly notReadyMaxWaitMs: number;

  constructor(options: MicrosoftProviderOptions) {
    const settings = options.settings;
    this.name = `microsoft:${settings.tenantId}`;
    this.instanceId = options.instance ?? lower(settings.tenantId);
    this.clock = options.clock ?? wallClock;
    this.http = new HttpClient({
      sleep: (ms) => this.clock.sleep(ms),
      now: async () => (await this.clock.now()).getTime(),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      explainForbidden: async (service, operation) => {
        const claims = await this.tokens.claims(service).catch(() => null);
        return explainMissing(service, needOf(service, operation), claims);
      },
    });
    this.tokens =
      options.tokens ??
      new MsalTokenSource(settings, { ...(options.fetch ? { fetch: options.fetch } : {}), onRequest: () => this.http.count("identity", "requests") });
    this.graph = new GraphClient(this.http, this.tokens, settings.graphUrl);
    this.exchange = new ExchangeClient(this.http, this.tokens, settings.exchangeUrl, settings.tenantId, {
      ...(options.exchangeConcurrency !== undefined ? { concurrency: options.exchangeConcurrency } : {}),
      ...(options.exchangeBatchSize !== undefined ? { batchSize: options.exchangeBatchSize } : {}),
    });
    this.reads = new TenantReads(this.graph, this.exchange, this.tokens, { grantScope: options.grantScope, sizeScope: options.sizeScope, managementAttribute: options.managementAttribute });
    this.notReadyMaxWaitMs = options.notReadyMaxWaitMs ?? 45 * 60_000;
  }

  /** The tenant's directory id (AZURE_TENANT_ID as given until resolveInstance has run). */
  get instance(): string {
    return this.instanceId;
  }

  /** Take the instance from the token's tenant id (one sign-in): for an AZURE_TENANT_ID given as a domain. */
  async resolveInstance(): Promise<string> {
    const tid = (await this.tokens.claims("graph")).tid;
    if (tid !== "") this.instanceId = lower(tid);
    return this.instanceId;
  }

  /** Limit listGrants to some mailboxes (plan and drift of part of a tenant); null reads them all. */
  setGrantScope(scope: ((address: string, managementTag: string | null) => boolean) | null): void {
    this.reads.scopes.grantScope = scope ?? undefined;
  }

  /**
   * Read and write the management tag in `attribute` (the desired state's tenant.managementAttribute,
   * known once it is loaded, as the grant scope is); null goes back to CustomAttribute15.
   */
  setManagementAttribute(attribute: ManagementAttribute | null): void {
    this.reads.scopes.managementAttribute = attribute ?? undefined;
  }

  /** Requests, throttled answers and retries per service so far: the plan and apply cost report. */
  cost(): Cost {
    return this.http.cost();
  }

  /** The claims of the app's token for a service (tenant, app, permissions, roles). */
  claims(resource: "graph" | "exchange"): Promise<TokenClaims> {
    return this.tokens.claims(resource);
  }

  /**
   * Refuse to act on another tenant than the desired state's: its tenant.id must be the token's
   * tenant id or one of the tenant's verified domains.
   */
  async assertTenant(desiredTenantId: string): Promise<void> {
    const want = lower(desiredTenantId);
    const claims = await this.tokens.claims("graph");
    if (lower(claims.tid) === want) return;
    const info = await this.readTenant();
    if (info.domains.includes(want)) return;
    throw new UserError(
      [{
        severity: "error",
        code: "tenant_mismatch",
        target: "",
        message: `the desired state is for tenant "${desiredTenantId}", but the credentials sign in to tenant ${claims.tid} (domains: ${info.domains.join(", ") || "none"}); set AZURE_TENANT_ID and the app for that tenant, or fix tenant.id in the code`,
      }],
    );
  }

  // ---------------------------------------------------------------- reads

  readTenant(): Promise<ObservedTenantInfo> {
    return this.reads.readTenant();
  }
  listSkus(): Promise<ObservedSku[]> {
    return this.reads.listSkus();
  }
  listUsers(): Promise<ObservedUser[]> {
    return this.reads.listUsers();
  }
  listMailboxes(): Promise<ObservedMailbox[]> {
    return this.reads.listMailboxes();
  }
  listGroups(): Promise<ObservedGroup[]> {
    return this.reads.listGroups();
  }

  listGrants(): Promise<ObservedGrant[]> {
    return this.reads.listGrants();
  }
  getMailbox(address: string): Promise<ObservedMailbox | null> {
    return this.reads.getMailbox(address);
  }
  getUser(userPrincipalName: string): Promise<ObservedUser | null> {
    return this.reads.getUser(userPrincipalName);
  }
  getGrants(address: string): Promise<ObservedGrant[]> {
    return this.reads.getGrants(address);
  }

  // ---------------------------------------------------------------- mailbox writes (Exchange)

  async createSharedMailbox(input: CreateSharedMailboxInput): Promise<ObservedMailbox> {
    const address = lower(input.address);
    const alias = input.alias ?? address.slice(0, address.indexOf("@"));
    const ctx = { operation: "createSharedMailbox", target: address };
    // -Name must be unique and at most 64 characters; the contract names it after the display name
    const parameters = { Shared: true, Name: input.displayName.slice(0, 64), DisplayName: input.displayName, PrimarySmtpAddress: address, Alias: alias };
    const result = await this.exchange.invoke({ name: "New-Mailbox", parameters, select: this.reads.select }, ctx);
    const row = result.rows.find((r) => lower(valueText(r["PrimarySmtpAddress"])) === address) ?? result.rows[0];
    if (row !== undefined) {
      return { ...toObservedMailbox(row, "shared", { quotaBytes: UNLICENSED_SHARED_QUOTA, sizeBytes: 0, softDeleted: false, managementAttribute: this.reads.attribute }), address };
    }
    return this.mailboxAfterWrite(ctx, { type: "shared", displayName: input.displayName, alias });
  }

  async setMailboxType(address: string, type: "shared" | "regular"): Promise<ObservedMailbox> {
    const ctx = { operation: "setMailboxType", target: lower(address) };
    const result = await this.exchangeWrite({ name: "Set-Mailbox", parameters: { Identity: ctx.target, Type: type === "shared" ? "Shared" : "Regular" }, mailbox: ctx.target }, ctx);
    refuseNoOp(result, ctx, "conflict", "AlreadyOfType");
    return this.mailboxAfterWrite(ctx, { type: type === "shared" ? "shared" : "user" });
  }

  async updateMailbox(address: string, input: UpdateMailboxInput): Promise<ObservedMailbox> {
    const ctx = { operation: "updateMailbox", target: lower(address) };
    const set: Record<string, unknown> = {};
    if (input.displayName !== undefined) set["DisplayName"] = input.displayName;
    if (input.alias !== undefined) set["Alias"] = input.alias;
    if (input.litigationHold !== undefined) set["LitigationHoldEnabled"] = input.litigationHold;
    if (input.managementTag !== undefined) set[this.reads.attribute] = input.managementTag;
    if (input.hiddenFromAddressLists !== undefined) set["HiddenFromAddressListsEnabled"] = input.hiddenFromAddressLists;
    if (input.messageCopyForSentAs !== undefined) set["MessageCopyForSentAsEnabled"] = input.messageCopyForSentAs;
    if (input.messageCopyForSendOnBehalf !== undefined) set["MessageCopyForSendOnBehalfEnabled"] = input.messageCopyForSendOnBehalf;
    if (input.emailAddresses !== undefined) {
      // the delta form (E9): the full-list form would drop the proxy addresses exoform does not manage
      const smtp = (list: readonly string[]) => list.map((a) => `smtp:${lower(a)}`);
      set["EmailAddresses"] = { "@odata.type": "#Exchange.GenericHashTable", add: smtp(input.emailAddresses.add), remove: smtp(input.emailAddresses.remove) };
    }
    if (Object.keys(set).length > 0) await this.exchangeWrite({ name: "Set-Mailbox", parameters: { Identity: ctx.target, ...set }, mailbox: ctx.target }, ctx);
    if (input.archive !== undefined) {
      const parameters = input.archive ? { Identity: ctx.target, Archive: true } : { Identity: ctx.target, Archive: true, Confirm: false };
      await this.exchangeWrite({ name: input.archive ? "Enable-Mailbox" : "Disable-Mailbox", parameters, mailbox: ctx.target }, ctx);
    }
    const overlay: Partial<ObservedMailbox> = {};
    if (input.displayName !== undefined) Object.assign(overlay, { displayName: input.displayName });
    if (input.alias !== undefined) Object.assign(overlay, { alias: input.alias });
    if (input.litigationHold !== undefined) Object.assign(overlay, { litigationHold: input.litigationHold });
    if (input.archive !== undefined) Object.assign(overlay, { archive: input.archive });
    if (input.managementTag !== undefined) Object.assign(overlay, { managementTag: input.managementTag === "" ? null : input.managementTag });
    for (const key of ["hiddenFromAddressLists", "messageCopyForSentAs", "messageCopyForSendOnBehalf"] as const) {
      if (input[key] !== undefined) Object.assign(overlay, { [key]: input[key] });
    }
    const read = await this.mailboxAfterWrite(ctx, overlay);
    if (input.emailAddresses === undefined) return read;
    const { add, remove } = input.emailAddresses;
    const kept = (read.emailAddresses ?? []).filter((a) => !remove.map(lower).includes(a));
    return { ...read, emailAddresses: [...new Set([...kept, ...add.map(lower)])].sort(compareStrings) };
  }

  async setPrimaryAddress(address: string, newAddress: string): Promise<ObservedMailbox> {
    const ctx = { operation: "setPrimaryAddress", target: lower(address) };
    const next = lower(newAddress);
    // -WindowsEmailAddress makes it the primary SMTP address and keeps the old one as an "smtp:" proxy (decision 0010)
    const result = await this.exchangeWrite({ name: "Set-Mailbox", parameters: { Identity: ctx.target, WindowsEmailAddress: next }, mailbox: ctx.target }, ctx);
    refuseNoOp(result, ctx, "conflict", "AlreadyPrimary");
    const read = await this.reads.getMailbox(next, ctx.operation);
    const extras = [...new Set([...(read?.emailAddresses ?? []), ctx.target])].filter((a) => a !== next).sort(compareStrings);
    return { ...(read ?? (await this.mailboxAfterWrite(ctx, {}))), address: next, emailAddresses: extras };
  }

  async removeMailbox(address: string): Promise<void> {
    const ctx = { operation: "removeMailbox", target: lower(address) };
    await this.exchangeWrite({ name: "Remove-Mailbox", parameters: { Identity: ctx.target, Confirm: false }, mailbox: ctx.target }, ctx);
  }

  // ---------------------------------------------------------------- grant writes (Exchange)

  async addMailboxPermission(address: string, trustee: string, options: { readonly autoMapping: boolean }): Promise<void> {
    const ctx = { operation: "addMailboxPermission", target: lower(address) };
    const parameters = { Identity: ctx.target, User: lower(trustee), AccessRights: ["FullAccess"], InheritanceType: "All", AutoMapping: options.autoMapping, Confirm: false };
    refuseNoOp(await this.exchangeWrite({ name: "Add-MailboxPermission", parameters, mailbox: ctx.target }, ctx, [parameters.User]), ctx, "conflict", "ACEAlreadyExists");
  }

  async removeMailboxPermission(address: string, trustee: string): Promise<void> {
    const ctx = { operation: "removeMailboxPermission", target: lower(address) };
    const parameters = { Identity: ctx.target, User: lower(trustee), AccessRights: ["FullAccess"], InheritanceType: "All", Confirm: false };
    refuseNoOp(await this.exchangeWrite({ name: "Remove-MailboxPermission", parameters, mailbox: ctx.target }, ctx), ctx, "notFound", "ACENotFound");
  }

  async addRecipientPermission(address: string, trustee: string): Promise<void> {
    const ctx = { operation: "addRecipientPermission", target: lower(address) };
    const parameters = { Identity: ctx.target, Trustee: lower(trustee), AccessRights: ["SendAs"], Confirm: false };
    refuseNoOp(await this.exchangeWrite({ name: "Add-RecipientPermission", parameters, mailbox: ctx.target }, ctx, [parameters.Trustee]), ctx, "conflict", "ACEAlreadyExists");
  }

  async removeRecipientPermission(address: string, trustee: string): Promise<void> {
    const ctx = { operation: "removeRecipientPermission", target: lower(address) };
    const parameters = { Identity: ctx.target, Trustee: lower(trustee), AccessRights: ["SendAs"], Confirm: false };
    refuseNoOp(await this.exchangeWrite({ name: "Remove-RecipientPermission", parameters, mailbox: ctx.target }, ctx), ctx, "notFound", "ACENotFound");
  }

  async setSendOnBehalf(address: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<void> {
    const ctx = { operation: "setSendOnBehalf", target: lower(address) };
    const add = [...new Set(change.add.map(lower))];
    const remove = [...new Set(change.remove.map(lower))];
    const both = add.filter((t) => remove.includes(t));
    if (both.length > 0) {
      throw new ProviderError({ kind: "precondition", code: "InvalidArgument", message: `${both.join(", ")} is both added to and removed from the send-on-behalf list of ${ctx.target}; pick one`, ...ctx });
    }
    if (add.length === 0 && remove.length === 0) return;
    // the incremental form, never the full list (which breaks on orphaned entries, R3.1)
    const delta = { "@odata.type": "#Exchange.GenericHashTable", ...(add.length > 0 ? { add } : {}), ...(remove.length > 0 ? { remove } : {}) };
    const result = await this.exchangeWrite({ name: "Set-Mailbox", parameters: { Identity: ctx.target, GrantSendOnBehalfTo: delta }, mailbox: ctx.target }, ctx, add);
    refuseNoOp(result, ctx, add.length > 0 ? "conflict" : "notFound", add.length > 0 ? "ACEAlreadyExists" : "ACENotFound");
  }

  // ---------------------------------------------------------------- user writes (Graph)

  async assignLicense(userPrincipalName: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<ObservedUser> {
    const ctx = { operation: "assignLicense", target: lower(userPrincipalName) };
    let catalogue = await this.reads.skuCatalogue(ctx);
    // a SKU bought since the catalogue was read: read it again before calling the name unknown
    if ([...change.add, ...change.remove].some((p) => catalogue.idOf(p) === undefined)) catalogue = await this.reads.skuCatalogue(ctx, [], true);
    const idOf = (part: string): string => {
      const id = catalogue.idOf(part);
      if (id === undefined) throw new ProviderError({ kind: "notFound", code: "SkuNotFound", message: `License ${part} does not correspond to a valid company License; the tenant's SKUs are listed by GET /subscribedSkus`, ...ctx });
      return id;
    };
    const body = { addLicenses: change.add.map((p) => ({ skuId: idOf(p), disabledPlans: [] })), removeLicenses: change.remove.map(idOf) };
    await this.graph.request("POST", `/v1.0/users/${encodeURIComponent(ctx.target)}/assignLicense`, ctx, body);
    return this.userAfterWrite(ctx, (u) => ({ licenses: [...new Set([...u.licenses.filter((l) => !change.remove.includes(l)), ...change.add])].sort(compareStrings) }));
  }

  async setAccountEnabled(userPrincipalName: string, enabled: boolean): Promise<ObservedUser> {
    const ctx = { operation: "setAccountEnabled", target: lower(userPrincipalName) };
    await this.graph.request("PATCH", `/v1.0/users/${encodeURIComponent(ctx.target)}`, ctx, { accountEnabled: enabled });
    return this.userAfterWrite(ctx, () => ({ accountEnabled: enabled }));
  }

  async setUsageLocation(userPrincipalName: string, usageLocation: string): Promise<ObservedUser> {
    const ctx = { operation: "setUsageLocation", target: lower(userPrincipalName) };
    await this.graph.request("PATCH", `/v1.0/users/${encodeURIComponent(ctx.target)}`, ctx, { usageLocation });
    return this.userAfterWrite(ctx, () => ({ usageLocation }));
  }

  async resetPassword(userPrincipalName: string): Promise<void> {
    const ctx = { operation: "resetPassword", target: lower(userPrincipalName) };
    const password = strongPassword();
    registerSecret(password);
    try {
      await this.graph.request("PATCH", `/v1.0/users/${encodeURIComponent(ctx.target)}`, ctx, { passwordProfile: { password, forceChangePasswordNextSignIn: true } });
    } finally {
      forgetSecret(password);
    }
  }

  async setUserPrincipalName(userPrincipalName: string, newUserPrincipalName: string): Promise<ObservedUser> {
    const ctx = { operation: "setUserPrincipalName", target: lower(userPrincipalName) };
    const next = lower(newUserPrincipalName);
    await this.graph.request("PATCH", `/v1.0/users/${encodeURIComponent(ctx.target)}`, ctx, { userPrincipalName: next });
    // the user is found by its new name from now on
    return this.userAfterWrite({ ...ctx, target: next }, () => ({ userPrincipalName: next }));
  }

  async revokeSignInSessions(userId: string): Promise<void> {
    const ctx = { operation: "revokeSignInSessions", target: userId };
    await this.graph.request("POST", `/v1.0/users/${encodeURIComponent(userId)}/revokeSignInSessions`, ctx);
  }

  async restoreUser(userId: string): Promise<ObservedUser> {
    const ctx = { operation: "restoreUser", target: userId };
    const restored = await this.graph.request<GraphUser>("POST", `/v1.0/directory/deletedItems/${encodeURIComponent(userId)}/restore`, ctx);
    const read = await this.reads.getUserById(userId, ctx);
    if (read !== null) return read;
    const catalogue = await this.reads.skuCatalogue(ctx);
    return toObservedUser({ ...(restored ?? {}), id: userId }, catalogue, false);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * An Exchange write, tried again while the mailbox is still being provisioned (see the module
   * comment). `trustees` are the ones the write grants to: Exchange says "couldn't be found" alike
   * for an unknown mailbox and an unknown trustee, and the contract calls the latter a precondition.
   */
  private async exchangeWrite(cmd: Cmdlet, ctx: CallContext, trustees: readonly string[] = []): Promise<CmdletResult> {
    const start = (await this.clock.now()).getTime();
    for (;;) {
      try {
        return await this.exchange.invoke(cmd, ctx);
      } catch (e) {
        if (ProviderError.is(e) && e.kind === "notFound" && trustees.length > 0) {
          const text = e.message.toLowerCase();
          const who = trustees.find((t) => text.includes(t));
          if (who !== undefined && !text.includes(ctx.target)) {
            throw new ProviderError({ kind: "precondition", code: "TrusteeNotFound", message: e.message, ...ctx });
          }
        }
        const until = ProviderError.is(e) && e.kind === "precondition" ? notReadyUntil(e.message) : undefined;
        if (until === undefined || !ProviderError.is(e)) throw e;
        const now = (await this.clock.now()).getTime();
        const at = until ?? now + NOT_READY_DEFAULT_WAIT_MS;
        // bounded by the later of the time named and now: a time already past (clock skew) must not loop for ever
        if (Math.max(at, now) - start > this.notReadyMaxWaitMs) {
          throw new ProviderError({ kind: "precondition", code: "MailboxNotReady", message: `${e.message} (exoform waited ${Math.round((now - start) / 60_000)} min, at most ${Math.round(this.notReadyMaxWaitMs / 60_000)})`, ...ctx });
        }
        await this.clock.sleep(Math.max(NOT_READY_MIN_WAIT_MS, at - now));
      }
    }
  }

  /** The mailbox read back after a write, with the written fields laid over a read that may lag. */
  private async mailboxAfterWrite(ctx: CallContext, overlay: Partial<ObservedMailbox>): Promise<ObservedMailbox> {
    const read = await this.reads.getMailbox(ctx.target, ctx.operation);
    const base: ObservedMailbox = read ?? {
      address: ctx.target, displayName: "", alias: "", type: "shared", userId: "", sizeBytes: 0, quotaBytes: UNLICENSED_SHARED_QUOTA,
      litigationHold: false, archive: false, readyAt: null, deletedAt: null, managementTag: null,
    };
    return { ...base, ...overlay };
  }

  /** The user read back after a write, with the written fields laid over a read that may lag. */
  private async userAfterWrite(ctx: CallContext, overlay: (u: ObservedUser) => Partial<ObservedUser>): Promise<ObservedUser> {
    const read = await this.reads.getUser(ctx.target, ctx.operation);
    const base: ObservedUser = read ?? { id: "", userPrincipalName: ctx.target, displayName: "", accountEnabled: true, usageLocation: null, licenses: [], onPremisesSyncEnabled: false, deletedAt: null };
    return { ...base, ...overlay(base) };
  }
}

/**
 * A write the service answered with a WARNING that it changed nothing (granting what is
 * granted, removing what is absent: R3.10) is refused as the contract says: conflict or notFound.
 */
function refuseNoOp(result: CmdletResult, ctx: CallContext, kind: "conflict" | "notFound", code: string): void {
  const pattern = kind === "conflict" ? /already|no settings .* (been|were) modified|haven't been modified/i : /doesn't exist|does not exist|couldn't be found|not found|no settings .* (been|were) modified|haven't been modified/i;
  const warning = result.warnings.find((w) => pattern.test(w));
  if (warning !== undefined) throw new ProviderError({ kind, code, message: redact(warning), ...ctx });
}

/**
 * The provider for the tenant the environment names (config.ts). When AZURE_TENANT_ID is a
 * domain, the instance is the directory id from a first token (one sign-in, now).
 */
export async function openMicrosoftProvider(env: Readonly<Record<string, string | undefined>> = process.env, options: Omit<MicrosoftProviderOptions, "settings"> = {}): Promise<MicrosoftProvider> {
  const settings = readSettings(env);
  const provider = new MicrosoftProvider({ ...options, settings });
  if (options.instance === undefined && !GUID.test(settings.tenantId)) await provider.resolveInstance();
  return provider;
}
