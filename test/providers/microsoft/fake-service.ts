/**
 * A scripted Graph + Exchange service on one local http server, for the
 * provider's mapping tests: fixed objects in the services' own shapes
 * (Graph users and SKUs, Get-Mailbox and permission rows with the service's
 * bookkeeping entries), every request recorded, and hooks to refuse or
 * answer a cmdlet differently. Not an emulator: no rules, no state changes.
 */
import type { ExoRow } from "../../../providers/microsoft/exchange.js";
import { json, startServer, type Received, type Reply, type TestServer } from "./support.js";
import { valueText } from "../../../lib/private/text.js";

export const TENANT = "contoso.onmicrosoft.com";
export const TID = "9b1b5b2a-0000-4000-8000-000000000001";
export const E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";
export const PLAN2 = "efb87545-963c-4e0d-99df-69c6916d9eb0";

export const SKUS = [
  { skuId: E3, skuPartNumber: "SPE_E3", consumedUnits: 2, prepaidUnits: { enabled: 5 }, servicePlans: [{ servicePlanId: PLAN2, servicePlanName: "EXCHANGE_S_ENTERPRISE" }, { servicePlanId: "x", servicePlanName: "TEAMS1" }] },
];

export const USERS = [
  { id: "u-team", userPrincipalName: "team@contoso.com", displayName: "Team", accountEnabled: false, assignedLicenses: [], usageLocation: null, onPremisesSyncEnabled: null },
  { id: "u-amy", userPrincipalName: "Amy@Contoso.com", displayName: "Amy", accountEnabled: true, assignedLicenses: [{ skuId: E3, disabledPlans: [] }], usageLocation: "NL", onPremisesSyncEnabled: null },
  { id: "u-bo", userPrincipalName: "bo@contoso.com", displayName: "Bo", accountEnabled: true, assignedLicenses: [{ skuId: E3, disabledPlans: [PLAN2] }], usageLocation: "US", onPremisesSyncEnabled: true },
];
export const DELETED_USERS = [
  { id: "u-gone", userPrincipalName: "0f1e2d3cgone@contoso.com", displayName: "Gone", accountEnabled: false, assignedLicenses: [], usageLocation: null, deletedDateTime: "2026-10-25T09:00:00Z" },
];

const ZERO = "00000000-0000-0000-0000-000000000000";
const mailbox = (id: string, address: string, type: string, extra: Record<string, unknown> = {}): ExoRow => ({
  Identity: id, Id: id, Name: id, Guid: `guid-${id}`, ExternalDirectoryObjectId: id, UserPrincipalName: address.toLowerCase(), PrimarySmtpAddress: address,
  DisplayName: id.replace("u-", ""), Alias: id.replace("u-", ""), RecipientTypeDetails: type, GrantSendOnBehalfTo: [], LitigationHoldEnabled: false,
  ArchiveStatus: "None", ArchiveGuid: ZERO, CustomAttribute15: "", ...extra,
});

export const MAILBOXES: ExoRow[] = [
  mailbox("u-team", "Team@Contoso.com", "SharedMailbox", { GrantSendOnBehalfTo: ["u-bo", "S-1-5-21-999-orphan"], LitigationHoldEnabled: true, ArchiveGuid: "1b2c3d4e-0000-4000-8000-000000000009", CustomAttribute15: "exoform:stack=x" }),
  mailbox("u-amy", "amy@contoso.com", "UserMailbox"),
  mailbox("u-bo", "bo@contoso.com", "UserMailbox"),
  mailbox("u-room", "room@contoso.com", "RoomMailbox"),
];
export const SOFT_DELETED: ExoRow[] = [mailbox("u-gone", "gone@contoso.com", "UserMailbox", { WhenSoftDeleted: "/Date(1793005200000)/" })];

const SELF_FULL = { User: "NT AUTHORITY\\SELF", AccessRights: ["FullAccess, ReadPermission"], IsInherited: false, Deny: false };
export const MAILBOX_PERMISSIONS: Record<string, ExoRow[]> = {
  "team@contoso.com": [
    { Identity: "u-team", ...SELF_FULL },
    { Identity: "u-team", User: "Amy@contoso.com", AccessRights: ["FullAccess"], IsInherited: false, Deny: false },
    { Identity: "u-team", User: "CONTOSO\\Organization Management", AccessRights: ["FullAccess"], IsInherited: true, Deny: false },
    { Identity: "u-team", User: "bo@contoso.com", AccessRights: ["FullAccess"], IsInherited: false, Deny: true },
    { Identity: "u-team", User: "S-1-5-21-123-ORPHAN", AccessRights: ["FullAccess"], IsInherited: false, Deny: false },
  ],
  "amy@contoso.com": [{ Identity: "u-amy", ...SELF_FULL }, { Identity: "u-amy", User: "u-bo", AccessRights: ["ReadPermission"], IsInherited: false, Deny: false }],
  "bo@contoso.com": [{ Identity: "u-bo", ...SELF_FULL }],
  "gone@contoso.com": [{ Identity: "u-gone", User: "amy@contoso.com", AccessRights: ["FullAccess"], IsInherited: false, Deny: false }],
};
export const RECIPIENT_PERMISSIONS: ExoRow[] = [
  { Identity: "u-team", Trustee: "NT AUTHORITY\\SELF", AccessControlType: "Allow", AccessRights: ["SendAs"], IsInherited: false },
  { Identity: "u-team", Trustee: "Amy@contoso.com", AccessControlType: "Allow", AccessRights: ["SendAs"], IsInherited: false },
  { Identity: "u-team", Trustee: "bo@contoso.com", AccessControlType: "Deny", AccessRights: ["SendAs"], IsInherited: false },
  { Identity: "u-room", Trustee: "amy@contoso.com", AccessControlType: "Allow", AccessRights: ["SendAs"], IsInherited: false },
];

export interface Cmd {
  readonly name: string;
  readonly parameters: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface FakeService {
  readonly server: TestServer;
  readonly origin: string;
  /** Every cmdlet run (top-level and inside $batch). */
  readonly cmdlets: Cmd[];
  /** Graph requests other than $batch, and the items of Graph batches. */
  readonly graph: Array<{ method: string; url: string; body: unknown }>;
}

export interface FakeOptions {
  /** Answer a cmdlet instead of the default (return undefined for the default). */
  readonly cmdlet?: (cmd: Cmd) => Reply | undefined;
  /** Answer a Graph request instead of the default. */
  readonly graph?: (method: string, url: string, body: unknown) => Reply | undefined;
}

const lower = (v: unknown) => valueText(v).toLowerCase();

function runCmdlet(cmd: Cmd): Reply {
  const p = cmd.parameters;
  const identity = lower(p["Identity"]);
  const rowFor = (rows: ExoRow[]) => rows.filter((r) => [r["PrimarySmtpAddress"], r["Identity"], r["Name"], r["ExternalDirectoryObjectId"]].map(lower).includes(identity));
  const notFound = () => json(404, { error: { code: "NotFound", message: "Error executing cmdlet", details: [{ message: JSON.stringify({ Message: `The operation couldn't be performed because object '${identity}' couldn't be found.`, TypeName: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException" }) }] } });
  switch (cmd.name) {
    case "Get-Mailbox": {
      const source = p["SoftDeletedMailbox"] === true ? SOFT_DELETED : MAILBOXES;
      if (identity === "") return json(200, { value: source });
      const rows = rowFor(source);
      return rows.length > 0 ? json(200, { value: rows }) : notFound();
    }
    case "Get-MailboxPermission": {
      const deleted = p["SoftDeletedMailbox"] === true;
      const rows = (deleted ? SOFT_DELETED : MAILBOXES).some((m) => lower(m["PrimarySmtpAddress"]) === identity) ? MAILBOX_PERMISSIONS[identity] : undefined;
      return rows ? json(200, { value: rows }) : notFound();
    }
    case "Get-RecipientPermission": {
      if (identity === "") return json(200, { value: RECIPIENT_PERMISSIONS });
      const m = rowFor(MAILBOXES)[0];
      return m ? json(200, { value: RECIPIENT_PERMISSIONS.filter((r) => r["Identity"] === m["Identity"]) }) : notFound();
    }
    case "Get-MailboxStatistics":
      return identity === "team@contoso.com" ? json(200, { value: [{ TotalItemSize: "3.322 KB (3,402 bytes)" }] }) : json(200, { value: [{ TotalItemSize: "0 B (0 bytes)" }] });
    default:
      return json(200, {});
  }
}

/** One mail-enabled security group with a user member and a member that is no user; one group without mail (not a trustee). */
const GROUPS = [
  { id: "g-help", displayName: "Helpdesk", mail: "Helpdesk@contoso.com" },
  { id: "g-nomail", displayName: "No mail", mail: null },
];

function runGraph(method: string, url: string): Reply {
  const path = url.split("?")[0]!;
  if (path === "/v1.0/subscribedSkus" || path === "/subscribedSkus") return json(200, { value: SKUS });
  if (path === "/v1.0/users" || path === "/users") {
    if (url.includes("$filter=onPremisesSyncEnabled")) return json(200, { value: USERS.filter((u) => u.onPremisesSyncEnabled === true).map((u) => ({ id: u.id })) });
    return json(200, { value: USERS });
  }
  if (path === "/v1.0/directory/deletedItems/microsoft.graph.user") return json(200, { value: DELETED_USERS });
  if (path === "/v1.0/groups") return json(200, { value: GROUPS });
  const members = /^\/v1\.0\/groups\/([^/]+)\/members$/.exec(path)?.[1];
  if (members !== undefined) return json(200, { value: members === "g-help" ? [{ id: "u-amy", userPrincipalName: "Amy@contoso.com" }, { id: "dev-1" }] : [] });
  if (path === "/organization" || path === "/v1.0/organization") {
    return json(200, { value: [{ id: TID, verifiedDomains: [{ name: "Contoso.com" }, { name: TENANT }], onPremisesSyncEnabled: null }] });
  }
  const user = /^(?:\/v1\.0)?\/users\/([^/]+)$/.exec(path)?.[1];
  if (user !== undefined) {
    const found = USERS.find((u) => u.id === decodeURIComponent(user) || lower(u.userPrincipalName) === lower(decodeURIComponent(user)));
    if (method === "PATCH") return found ? { status: 204 } : json(404, { error: { code: "Request_ResourceNotFound", message: `Resource '${user}' does not exist` } });
    return found ? json(200, found) : json(404, { error: { code: "Request_ResourceNotFound", message: `Resource '${user}' does not exist` } });
  }
  const deleted = /^\/v1\.0\/directory\/deletedItems\/([^/]+)$/.exec(path)?.[1];
  if (deleted !== undefined) {
    const found = DELETED_USERS.find((u) => u.id === deleted);
    return found ? json(200, found) : json(404, { error: { code: "Request_ResourceNotFound", message: "gone" } });
  }
  if (/\/assignLicense$/.test(path)) return json(200, {});
  return json(404, { error: { code: "BadRequest", message: `no route ${method} ${url}` } });
}

export async function fakeService(options: FakeOptions = {}): Promise<FakeService> {
  const cmdlets: Cmd[] = [];
  const graph: FakeService["graph"] = [];
  const cmdlet = (name: string, parameters: Record<string, unknown>, headers: Record<string, string>): Reply => {
    const cmd = { name, parameters, headers };
    cmdlets.push(cmd);
    return options.cmdlet?.(cmd) ?? runCmdlet(cmd);
  };
  const graphCall = (method: string, url: string, body: unknown): Reply => {
    graph.push({ method, url, body });
    return options.graph?.(method, url, body) ?? runGraph(method, url);
  };
  const server = await startServer((req: Received) => {
    const input = (b: unknown) => (b as { CmdletInput: { CmdletName: string; Parameters: Record<string, unknown> } }).CmdletInput;
    if (req.path === `/adminapi/beta/${TENANT}/InvokeCommand`) {
      const i = input(req.body);
      return cmdlet(i.CmdletName, i.Parameters, req.headers);
    }
    if (req.path === `/adminapi/beta/${TENANT}/$batch`) {
      const requests = (req.body as { requests: Array<{ id: string; headers: Record<string, string>; body: unknown }> }).requests;
      return json(200, {
        responses: requests.map((r) => {
          const i = input(r.body);
          const reply = cmdlet(i.CmdletName, i.Parameters, Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])));
          return typeof reply === "string" ? { id: r.id, status: 500 } : { id: r.id, status: reply.status, headers: reply.headers ?? {}, body: reply.body };
        }),
      });
    }
    if (req.path === "/v1.0/$batch") {
      const requests = (req.body as { requests: Array<{ id: string; method: string; url: string; body?: unknown }> }).requests;
      return json(200, {
        responses: requests.map((r) => {
          const reply = graphCall(r.method, r.url, r.body);
          return typeof reply === "string" ? { id: r.id, status: 500 } : { id: r.id, status: reply.status, headers: reply.headers ?? {}, body: reply.body };
        }),
      });
    }
    return graphCall(req.method, req.url, req.body);
  });
  return { server, origin: server.origin, cmdlets, graph };
}
