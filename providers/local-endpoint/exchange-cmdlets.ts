/**
 * The cmdlets the local endpoint's InvokeCommand runs: what each binds, and
 * how it becomes simulated-tenant calls. Every rule (licences, readiness,
 * trustees, collisions...) is the tenant's; a cmdlet here only resolves
 * identities, translates parameters, and names the objects a write touches.
 *
 * Writes answer with no rows (the dispatcher sends 200 with an empty body),
 * except New-Mailbox, which returns the new mailbox as the service does.
 *
 * Set-Mailbox with several concerns makes one tenant call per concern, in
 * this fixed order, stopping at the first refusal (what ran before stays):
 *   1. Type                     -> setMailboxType
 *   1b. WindowsEmailAddress or PrimarySmtpAddress -> setPrimaryAddress (a rename; later steps use the new address)
 *   2. DisplayName, Alias, LitigationHoldEnabled, CustomAttribute1..15, HiddenFromAddressListsEnabled,
 *      MessageCopyForSentAsEnabled, MessageCopyForSendOnBehalfEnabled, EmailAddresses -> updateMailbox (one call)
 *   3. GrantSendOnBehalfTo      -> setSendOnBehalf
 * All parameters are bound and resolved before the first call.
 */
import type { ManagementAttribute } from "../../lib/model/management-tag.js";
import { attributeName, CUSTOM_ATTRIBUTES, type MailboxUpdate } from "../simulated/index.js";
import type { ObservedMailbox } from "../../lib/provider/observed.js";
import type { EndpointContext, ObjectKey, ReadView } from "./context.js";
import { objectNotFound, parameterInvalid, parameterMissing, unsupported } from "./exchange-errors.js";
import { Lookup, requiredString, type BoundParams, type IdentityUse, type ParamKind } from "./exchange-lookup.js";
import {
  MAILBOX_PROPERTIES,
  mailboxObject,
  mailboxPermissionRows,
  parseFilter,
  recipientPermissionRows,
  SELF_TRUSTEE,
  statisticsObject,
  userObject,
  type ExoObject,
} from "./exchange-objects.js";

/** One object of a cmdlet's output, with the key its pages continue after (rows are sorted by key). */
export interface Row {
  readonly key: string;
  readonly object: ExoObject;
}

export interface CmdletOutcome {
  /** The cmdlet's objects; undefined for a write that answers with an empty body. */
  readonly rows?: readonly Row[];
  /** -ResultSize: at most this many rows over all pages; `explicit` when the caller gave it. */
  readonly resultSize?: { readonly limit: number; readonly explicit: boolean };
  /** @adminapi.warnings */
  readonly warnings?: readonly string[];
}

export interface CmdletCall {
  readonly params: BoundParams;
  readonly ctx: EndpointContext;
  readonly view: ReadView;
  readonly look: Lookup;
}

export interface CmdletSpec {
  readonly name: string;
  /** Changes the tenant: needs a writing role, and costs a write in throttling. */
  readonly write: boolean;
  readonly identity: IdentityUse;
  readonly params: Readonly<Record<string, ParamKind>>;
  readonly run: (call: CmdletCall) => Promise<CmdletOutcome>;
}

/** The default -ResultSize of list cmdlets. */
export const DEFAULT_RESULT_SIZE = 1000;

const DONE: CmdletOutcome = {};

function resultSizeOf(params: BoundParams): NonNullable<CmdletOutcome["resultSize"]> {
  const given = params.get("ResultSize") as number | undefined;
  return given === undefined ? { limit: DEFAULT_RESULT_SIZE, explicit: false } : { limit: given, explicit: true };
}

const identityOf = (params: BoundParams): string | undefined => params.get("Identity") as string | undefined;
const scopeOf = (params: BoundParams): "live" | "softDeleted" => (params.get("SoftDeletedMailbox") === true ? "softDeleted" : "live");
const grantKeys = (m: ObservedMailbox): ObjectKey[] => [`grants:${m.address}`];
/** Permission rows: the SELF row first, then the trustees. */
const permissionKey = (m: ObservedMailbox, trustee: string | null): string => `${m.address}\u0000${trustee === null ? "0" : `1${trustee}`}`;

/** The live mailbox a writing cmdlet's Identity names. */
function target(call: CmdletCall): Promise<ObservedMailbox> {
  return call.look.mailbox(identityOf(call.params)!, "live");
}

/** The only access right a permission cmdlet models; anything else is refused. */
function checkAccessRights(cmdlet: string, params: BoundParams, right: "FullAccess" | "SendAs", mandatory: boolean): void {
  const rights = params.get("AccessRights") as string[] | undefined;
  if (rights === undefined) {
    if (mandatory) parameterMissing(cmdlet, "AccessRights");
    return;
  }
  if (rights.length === 0 || rights.some((r) => r.trim().toLowerCase() !== right.toLowerCase())) {
    parameterInvalid("AccessRights", `${cmdlet} here models the access right ${right} only; got ${JSON.stringify(rights)}.`);
  }
}

function checkInheritance(params: BoundParams): void {
  const value = params.get("InheritanceType") as string | undefined;
  if (value !== undefined && value.trim().toLowerCase() !== "all") {
    parameterInvalid("InheritanceType", `exoform grants FullAccess with InheritanceType All only; got "${value}".`);
  }
}

// ------------------------------------------------------------------ reads

async function mailboxObjects(look: Lookup, mailboxes: readonly ObservedMailbox[]): Promise<ExoObject[]> {
  return Promise.all(
    mailboxes.map(async (m) => {
      const onBehalf = (await look.grantsOf(m.address)).filter((g) => g.right === "SendOnBehalf");
      const sendOnBehalf = await Promise.all(onBehalf.map((g) => look.sendOnBehalfIdentity(g.trustee)));
      return mailboxObject({ mailbox: m, customAttributes: await look.customAttributesOf(m), user: await look.userOf(m), sendOnBehalf });
    }),
  );
}

async function getMailbox({ params, look }: CmdletCall): Promise<CmdletOutcome> {
  const identity = identityOf(params);
  const scope = scopeOf(params);
  let mailboxes: ObservedMailbox[];
  if (identity !== undefined) {
    mailboxes = [await look.mailbox(identity, scope)];
  } else {
    await look.loadAll();
    mailboxes = (await look.mailboxes()).filter((m) => (m.deletedAt === null) === (scope === "live"));
  }
  const filter = params.has("Filter") ? parseFilter(params.get("Filter") as string, MAILBOX_PROPERTIES) : () => true;
  const types = (params.get("RecipientTypeDetails") as string[] | undefined)?.map((t) => t.toLowerCase());
  const objects = (await mailboxObjects(look, mailboxes)).filter((o) => filter(o) && (types === undefined || types.includes(String(o["RecipientTypeDetails"]).toLowerCase())));
  return { rows: objects.map((o) => ({ key: String(o["PrimarySmtpAddress"]), object: o })), resultSize: resultSizeOf(params) };
}

async function getMailboxStatistics(call: CmdletCall): Promise<CmdletOutcome> {
  const m = await target(call);
  return { rows: [{ key: m.address, object: statisticsObject(m) }] };
}

async function getMailboxPermission({ params, look }: CmdletCall): Promise<CmdletOutcome> {
  const m = await look.mailbox(identityOf(params)!, scopeOf(params));
  const user = params.has("User") ? await look.trusteeUpn(params.get("User") as string) : undefined;
  const rows = mailboxPermissionRows(m, await look.grantsOf(m.address), await look.permissionNames())
    .filter((r) => user === undefined || (r.trustee ?? SELF_TRUSTEE.toLowerCase()) === user)
    .map((r) => ({ key: permissionKey(m, r.trustee), object: r.object }));
  return { rows, resultSize: resultSizeOf(params) };
}

async function getRecipientPermission({ params, look }: CmdletCall): Promise<CmdletOutcome> {
  checkAccessRights("Get-RecipientPermission", params, "SendAs", false);
  const identity = identityOf(params);
  let mailboxes: ObservedMailbox[];
  if (identity !== undefined) {
    mailboxes = [await look.mailbox(identity, "live")];
  } else {
    await look.loadAll();
    mailboxes = (await look.mailboxes()).filter((m) => m.deletedAt === null);
  }
  const trustee = params.has("Trustee") ? await look.trusteeUpn(params.get("Trustee") as string) : undefined;
  const name = await look.permissionNames();
  const rows: Row[] = [];
  for (const m of mailboxes) {
    for (const r of recipientPermissionRows(m, await look.grantsOf(m.address), name)) {
      if (trustee === undefined || (r.trustee ?? SELF_TRUSTEE.toLowerCase()) === trustee) rows.push({ key: permissionKey(m, r.trustee), object: r.object });
    }
  }
  return { rows, resultSize: resultSizeOf(params) };
}

async function getUser({ params, look }: CmdletCall): Promise<CmdletOutcome> {
  const identity = identityOf(params);
  const { byId, byUpn, live } = await look.users();
  let users = live;
  if (identity !== undefined) {
    const id = identity.trim().toLowerCase();
    const user = byUpn.get(id) ?? byId.get(id);
    if (user === undefined || user.deletedAt !== null) objectNotFound(identity);
    users = [user];
  }
  const mailboxOfUser = new Map((await look.mailboxes()).filter((m) => m.deletedAt === null).map((m) => [m.userId, m]));
  const rows = users.map((u) => ({ key: `${u.userPrincipalName}\u0000${u.id}`, object: userObject(u, mailboxOfUser.get(u.id)) }));
  return { rows, resultSize: resultSizeOf(params) };
}

// ------------------------------------------------------------------ mailbox writes

function defaultDomain(ctx: EndpointContext): string {
  return ctx.domains.find((d) => !d.endsWith(".onmicrosoft.com")) ?? ctx.domains[0] ?? "";
}

async function newMailbox({ params, ctx, view, look }: CmdletCall): Promise<CmdletOutcome> {
  if (params.get("Shared") !== true) {
    unsupported("exoform never creates user mailboxes: the local endpoint's New-Mailbox creates shared mailboxes only; pass Shared: true.");
  }
  const name = requiredString("New-Mailbox", params, "Name");
  const alias = params.get("Alias") as string | undefined;
  const address = ((params.get("PrimarySmtpAddress") as string | undefined) ?? `${alias ?? name}@${defaultDomain(ctx)}`).trim().toLowerCase();
  const input = { address, displayName: (params.get("DisplayName") as string | undefined) ?? name, ...(alias === undefined ? {} : { alias }) };
  const created = await ctx.write(view, [`mailbox:${address}`, `user:${address}`, `grants:${address}`], (t) => t.createSharedMailbox(input));
  const [object] = await mailboxObjects(look, [created]);
  return { rows: [{ key: created.address, object: object! }] };
}

function mailboxType(value: string): "shared" | "regular" {
  const t = value.trim().toLowerCase();
  if (t === "shared" || t === "regular") return t;
  return parameterInvalid("Type", `The local endpoint models the mailbox types Shared and Regular only; got "${value}".`);
}

interface Delta {
  readonly add: string[];
  readonly remove: string[];
}

/**
 * The add/remove change a multi-valued Set-Mailbox parameter asks for: the
 * two hashtable encodings (microsoft-apis.md E9), or a list that replaces the
 * current values. `resolve` turns each given value into the stored one.
 */
async function deltaChange(param: string, value: unknown, resolve: (v: string) => string | Promise<string>, current: () => Promise<readonly string[]>): Promise<Delta> {
  const list = async (v: unknown, key: string): Promise<string[]> => {
    const raw = typeof v === "string" ? [v] : v === null || v === undefined ? [] : Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
    if (raw === undefined) return parameterInvalid(param, `The "${key}" entry must be a string or an array of strings.`);
    return Promise.all(raw.map(async (v) => resolve(v)));
  };
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const { "@odata.type": type, ...entries } = value as Record<string, unknown>;
    if (type !== "#Exchange.GenericHashTable" && type !== "#Exchange.StringFieldDeltaUpdateData") {
      parameterInvalid(param, `An add/remove change must be annotated "@odata.type": "#Exchange.GenericHashTable" (keys add, remove) or "#Exchange.StringFieldDeltaUpdateData" (keys Add, Remove); got ${JSON.stringify(type ?? null)}.`);
    }
    const change = { add: [] as string[], remove: [] as string[] };
    for (const [key, v] of Object.entries(entries)) {
      const which = key.toLowerCase();
      if (which !== "add" && which !== "remove") parameterInvalid(param, `"${key}" is not add or remove.`);
      change[which as "add" | "remove"] = await list(v, key);
    }
    return change;
  }
  const wanted = new Set(await list(value, param));
  const now = await current();
  return { add: [...wanted].filter((t) => !now.includes(t)), remove: now.filter((t) => !wanted.has(t)) };
}

/** GrantSendOnBehalfTo: trustees by any of their names, stored as UPNs. */
function sendOnBehalfChange(look: Lookup, m: ObservedMailbox, value: unknown): Promise<Delta> {
  return deltaChange("GrantSendOnBehalfTo", value, (id) => look.trusteeUpn(id), async () =>
    (await look.grantsOf(m.address)).filter((g) => g.right === "SendOnBehalf").map((g) => g.trustee),
  );
}

/**
 * EmailAddresses: "smtp:" entries are extra addresses (a bare address too);
 * the "SMTP:" primary may be listed (the full-list form repeats it) but not
 * changed here, and other proxy types (X500:, SIP:) are not modelled.
 */
async function emailAddressesChange(m: ObservedMailbox, value: unknown): Promise<Delta> {
  const resolve = (raw: string): string => {
    const colon = raw.indexOf(":");
    const prefix = colon < 0 ? "smtp" : raw.slice(0, colon);
    const address = (colon < 0 ? raw : raw.slice(colon + 1)).trim().toLowerCase();
    if (prefix.toLowerCase() !== "smtp") return parameterInvalid("EmailAddresses", `The local endpoint models SMTP addresses only; got "${raw}".`);
    if (prefix === "SMTP" && address !== m.address) return unsupported(`Changing the primary SMTP address of '${m.userId}' through EmailAddresses is not supported by the local endpoint.`);
    return address;
  };
  const change = await deltaChange("EmailAddresses", value, resolve, async () => [m.address, ...(m.emailAddresses ?? [])]);
  // the primary is part of the full list, never an extra address to add or remove
  return { add: change.add.filter((a) => a !== m.address), remove: change.remove.filter((a) => a !== m.address) };
}

async function setMailbox(call: CmdletCall): Promise<CmdletOutcome> {
  const { params, ctx, view, look } = call;
  const m = await target(call);
  const type = params.has("Type") ? mailboxType(params.get("Type") as string) : undefined;
  const update: { -readonly [K in keyof MailboxUpdate]: MailboxUpdate[K] } = {};
  if (params.has("DisplayName")) update.displayName = params.get("DisplayName") as string;
  if (params.has("Alias")) update.alias = params.get("Alias") as string;
  if (params.has("LitigationHoldEnabled")) update.litigationHold = params.get("LitigationHoldEnabled") as boolean;
  const attributes = customAttributesChange(params, ctx.tenant.managementAttribute);
  if (attributes.managementTag !== undefined) update.managementTag = attributes.managementTag;
  if (attributes.customAttributes !== undefined) update.customAttributes = attributes.customAttributes;
  if (params.has("HiddenFromAddressListsEnabled")) update.hiddenFromAddressLists = params.get("HiddenFromAddressListsEnabled") as boolean;
  if (params.has("MessageCopyForSentAsEnabled")) update.messageCopyForSentAs = params.get("MessageCopyForSentAsEnabled") as boolean;
  if (params.has("MessageCopyForSendOnBehalfEnabled")) update.messageCopyForSendOnBehalf = params.get("MessageCopyForSendOnBehalfEnabled") as boolean;
  if (params.has("EmailAddresses")) {
    const change = await emailAddressesChange(m, params.get("EmailAddresses"));
    if (change.add.length + change.remove.length > 0) update.emailAddresses = change;
  }
  const onBehalf = params.has("GrantSendOnBehalfTo") ? await sendOnBehalfChange(look, m, params.get("GrantSendOnBehalfTo")) : undefined;
  const primary = primaryAddressParam(params);
  let address = m.address;
  let changed = false;
  if (type !== undefined) {
    await ctx.write(view, [`mailbox:${address}`], (t) => t.setMailboxType(address, type));
    changed = true;
  }
  if (primary !== undefined && primary !== address) {
    const from = address;
    await ctx.write(view, [`mailbox:${from}`, `mailbox:${primary}`, `grants:${from}`, `grants:${primary}`], (t) => t.setPrimaryAddress(from, primary));
    address = primary;
    changed = true;
  }
  if (Object.keys(update).length > 0) {
    await ctx.write(view, [`mailbox:${address}`], (t) => t.updateMailbox(address, update));
    changed = true;
  }
  if (onBehalf !== undefined && onBehalf.add.length + onBehalf.remove.length > 0) {
    await ctx.write(view, grantKeys({ ...m, address }), (t) => t.setSendOnBehalf(address, onBehalf));
    changed = true;
  }
  return changed ? DONE : { warnings: [`The command completed successfully but no settings of '${m.userId}' have been modified.`] };
}

/**
 * -CustomAttribute1..15: each names the attribute itself, and the tenant keeps all fifteen. The
 * one the serving tenant keeps its management tag in (CustomAttribute15 unless it was told
 * otherwise) goes as the tag, so the tenant's operation log reads as an in-process apply's.
 */
function customAttributesChange(params: BoundParams, tagAttribute: ManagementAttribute): Pick<MailboxUpdate, "managementTag" | "customAttributes"> {
  const given = CUSTOM_ATTRIBUTE_NAMES.filter((name) => params.has(name)).map((name) => [name, (params.get(name) as string | null) || null] as const);
  const tag = given.find(([name]) => name === tagAttribute);
  const others = given.filter(([name]) => name !== tagAttribute);
  return { ...(tag !== undefined ? { managementTag: tag[1] } : {}), ...(others.length > 0 ? { customAttributes: Object.fromEntries(others) } : {}) };
}

/** -WindowsEmailAddress or -PrimarySmtpAddress (the service takes either to rename a cloud mailbox; both must agree). */
function primaryAddressParam(params: BoundParams): string | undefined {
  const given = ["WindowsEmailAddress", "PrimarySmtpAddress"].filter((p) => params.has(p)).map((p) => String(params.get(p)).trim().toLowerCase());
  if (given.length === 2 && given[0] !== given[1]) parameterInvalid("PrimarySmtpAddress", "WindowsEmailAddress and PrimarySmtpAddress name different addresses; give one.");
  return given[0];
}

async function removeMailbox(call: CmdletCall): Promise<CmdletOutcome> {
  const m = await target(call);
  const upn = (await call.look.userOf(m))?.userPrincipalName ?? m.address;
  await call.ctx.write(call.view, [`mailbox:${m.address}`, `user:${upn}`], (t) => t.removeMailbox(m.address));
  return DONE;
}

/** Enable-Mailbox -Archive / Disable-Mailbox -Archive: the archive is all exoform enables or disables. */
function archiveSwitch(cmdlet: "Enable-Mailbox" | "Disable-Mailbox", archive: boolean) {
  return async (call: CmdletCall): Promise<CmdletOutcome> => {
    if (call.params.get("Archive") !== true) {
      unsupported(`${cmdlet} here ${archive ? "enables" : "disables"} archives only (exoform never mail-enables or disables users); pass Archive: true.`);
    }
    const m = await target(call);
    await call.ctx.write(call.view, [`mailbox:${m.address}`], (t) => t.updateMailbox(m.address, { archive }));
    return DONE;
  };
}

// ------------------------------------------------------------------ grant writes

function permissionWrite(cmdlet: string, right: "FullAccess" | "SendAs", trusteeParam: "User" | "Trustee", add: boolean) {
  return async (call: CmdletCall): Promise<CmdletOutcome> => {
    checkAccessRights(cmdlet, call.params, right, true);
    if (right === "FullAccess") checkInheritance(call.params);
    const m = await target(call);
    const trustee = await call.look.trusteeUpn(requiredString(cmdlet, call.params, trusteeParam));
    const autoMapping = (call.params.get("AutoMapping") as boolean | undefined) ?? true;
    await call.ctx.write(call.view, grantKeys(m), (t) => {
      if (right === "FullAccess") return add ? t.addMailboxPermission(m.address, trustee, { autoMapping }) : t.removeMailboxPermission(m.address, trustee);
      return add ? t.addRecipientPermission(m.address, trustee) : t.removeRecipientPermission(m.address, trustee);
    });
    return DONE;
  };
}

// ------------------------------------------------------------------ the catalogue

/** Set-Mailbox -CustomAttribute1 .. -CustomAttribute15. */
const CUSTOM_ATTRIBUTE_NAMES = Array.from({ length: CUSTOM_ATTRIBUTES }, (_, i) => attributeName(i + 1));

const MAILBOX_PERMISSION_PARAMS: Readonly<Record<string, ParamKind>> = { User: "string", AccessRights: "strings", InheritanceType: "string" };
const RECIPIENT_PERMISSION_PARAMS: Readonly<Record<string, ParamKind>> = { Trustee: "string", AccessRights: "strings" };

export const CMDLETS: readonly CmdletSpec[] = [
  {
    name: "Get-Mailbox",
    write: false,
    identity: "optional",
    params: { ResultSize: "resultSize", SoftDeletedMailbox: "bool", Filter: "string", RecipientTypeDetails: "strings" },
    run: getMailbox,
  },
  { name: "Get-MailboxStatistics", write: false, identity: "required", params: {}, run: getMailboxStatistics },
  { name: "Get-MailboxPermission", write: false, identity: "required", params: { User: "string", SoftDeletedMailbox: "bool", ResultSize: "resultSize" }, run: getMailboxPermission },
  { name: "Get-RecipientPermission", write: false, identity: "optional", params: { Trustee: "string", AccessRights: "strings", ResultSize: "resultSize" }, run: getRecipientPermission },
  { name: "Get-User", write: false, identity: "optional", params: { ResultSize: "resultSize" }, run: getUser },
  {
    name: "New-Mailbox",
    write: true,
    identity: "none",
    params: { Shared: "bool", Name: "string", DisplayName: "string", PrimarySmtpAddress: "string", Alias: "string" },
    run: newMailbox,
  },
  {
    name: "Set-Mailbox",
    write: true,
    identity: "required",
    params: {
      Type: "string",
      DisplayName: "string",
      Alias: "string",
      LitigationHoldEnabled: "bool",
      ...Object.fromEntries(CUSTOM_ATTRIBUTE_NAMES.map((name) => [name, "nullableString"])),
      GrantSendOnBehalfTo: "any",
      HiddenFromAddressListsEnabled: "bool",
      MessageCopyForSentAsEnabled: "bool",
      MessageCopyForSendOnBehalfEnabled: "bool",
      EmailAddresses: "any",
      WindowsEmailAddress: "string",
      PrimarySmtpAddress: "string",
    },
    run: setMailbox,
  },
  { name: "Remove-Mailbox", write: true, identity: "required", params: {}, run: removeMailbox },
  { name: "Enable-Mailbox", write: true, identity: "required", params: { Archive: "bool" }, run: archiveSwitch("Enable-Mailbox", true) },
  { name: "Disable-Mailbox", write: true, identity: "required", params: { Archive: "bool" }, run: archiveSwitch("Disable-Mailbox", false) },
  {
    name: "Add-MailboxPermission",
    write: true,
    identity: "required",
    params: { ...MAILBOX_PERMISSION_PARAMS, AutoMapping: "bool" },
    run: permissionWrite("Add-MailboxPermission", "FullAccess", "User", true),
  },
  { name: "Remove-MailboxPermission", write: true, identity: "required", params: MAILBOX_PERMISSION_PARAMS, run: permissionWrite("Remove-MailboxPermission", "FullAccess", "User", false) },
  { name: "Add-RecipientPermission", write: true, identity: "required", params: RECIPIENT_PERMISSION_PARAMS, run: permissionWrite("Add-RecipientPermission", "SendAs", "Trustee", true) },
  { name: "Remove-RecipientPermission", write: true, identity: "required", params: RECIPIENT_PERMISSION_PARAMS, run: permissionWrite("Remove-RecipientPermission", "SendAs", "Trustee", false) },
];

/** A cmdlet by name (case-insensitive, as PowerShell), or undefined. */
export function cmdletNamed(name: string): CmdletSpec | undefined {
  const wanted = name.trim().toLowerCase();
  return CMDLETS.find((c) => c.name.toLowerCase() === wanted);
}
