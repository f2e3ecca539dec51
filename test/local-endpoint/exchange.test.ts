/**
 * The local endpoint's Exchange admin API (providers/local-endpoint/exchange.ts),
 * called directly over a contoso tenant: cmdlets, encodings, paging, $batch,
 * permissions and the error mapping the Microsoft provider's client relies on.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { EndpointContext, ObjectKey } from "../../providers/local-endpoint/context.js";
import { handleExchange, MAX_BATCH_ITEMS } from "../../providers/local-endpoint/exchange.js";
import { EXCHANGE_ERROR_MAP, TYPE_NAME } from "../../providers/local-endpoint/exchange-errors.js";
import { formatByteQuantity, ZERO_GUID } from "../../providers/local-endpoint/exchange-objects.js";
import type { Caller, WireRequest, WireResponse } from "../../providers/local-endpoint/wire.js";
import type { SimulatedTenant } from "../../providers/simulated/index.js";
import { applyCaller, directContext, readOnlyCaller, tempTenant } from "./direct-context.js";

const ORIGIN = "https://127.0.0.1:8443";
const INVOKE = "/adminapi/beta/contoso/InvokeCommand";
const ANCHOR = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso";
const LIVE_MAILBOXES = [
  "ann.lee@contoso.com", "ben.ortiz@contoso.com", "carla.diaz@contoso.com", "dev.patel@contoso.com", "erin.kim@contoso.com",
  "events-2025@contoso.com", "frank.moss@contoso.com", "harry.wells@contoso.com", "ivy.chen@contoso.com", "kim.nguyen@contoso.com",
  "legal@contoso.com", "old-projects@contoso.com", "support@contoso.com",
];

const opened: SimulatedTenant[] = [];
afterEach(() => {
  for (const t of opened.splice(0)) t.close();
});

function world(): { tenant: SimulatedTenant; ctx: EndpointContext; apply: Caller; reader: Caller } {
  const tenant = tempTenant();
  opened.push(tenant);
  return { tenant, ctx: directContext(tenant, ORIGIN), apply: applyCaller("contoso"), reader: readOnlyCaller("contoso") };
}

interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly anchor?: boolean;
  readonly body?: unknown;
}

function request(options: RequestOptions = {}): WireRequest {
  const headers: Record<string, string> = { "content-type": "application/json", ...(options.headers ?? {}) };
  if (options.anchor !== false) headers["x-anchormailbox"] = ANCHOR;
  return { method: options.method ?? "POST", path: options.path ?? INVOKE, query: new URLSearchParams(options.query ?? {}), headers, body: options.body, requestId: "req-1" };
}

function cmdlet(name: string, parameters: Record<string, unknown> = {}, options: RequestOptions = {}): WireRequest {
  return request({ ...options, body: { CmdletInput: { CmdletName: name, Parameters: parameters } } });
}

/** A request built from an @odata.nextLink: GET without a body, or a re-POST of `body`. */
function follow(link: string, body?: unknown, headers: Record<string, string> = {}): WireRequest {
  const url = new URL(link);
  return request({ method: body === undefined ? "GET" : "POST", path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body });
}

type Obj = Record<string, unknown>;
const valueOf = (res: WireResponse): Obj[] => (res.body as { value: Obj[] }).value;
const bodyOf = (res: WireResponse): Obj => res.body as Obj;
/** The .NET exception inside error.details[0].message. */
function exception(res: WireResponse): { Message: string; TypeName: string } {
  const error = (res.body as { error: { details: Array<{ message: string }> } }).error;
  return JSON.parse(error.details[0]!.message) as { Message: string; TypeName: string };
}

async function mailbox(ctx: EndpointContext, caller: Caller, identity: string): Promise<Obj> {
  const res = await handleExchange(cmdlet("Get-Mailbox", { Identity: identity }), caller, { backend: 0 }, ctx);
  expect(res.status).toBe(200);
  return valueOf(res)[0]!;
}

const view = { backend: 0 };

describe("Exchange admin API: routing, anchor and roles", () => {
  it("answers a request without X-AnchorMailbox with a body-less 404, as the service does", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Get-Mailbox", {}, { anchor: false }), apply, view, ctx);
    expect(res.status).toBe(404);
    expect(res.body).toBeUndefined();
    expect(res.headers?.["x-exoform-reason"]).toMatch(/X-AnchorMailbox/);
  });

  it("accepts the tenant id or an accepted domain in the path and answers 404 for another tenant", async () => {
    const { ctx, apply } = world();
    const byDomain = await handleExchange(cmdlet("Get-Mailbox", { Identity: "support" }, { path: "/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand" }), apply, view, ctx);
    expect(byDomain.status).toBe(200);
    const other = await handleExchange(cmdlet("Get-Mailbox", {}, { path: "/adminapi/beta/fabrikam.com/InvokeCommand" }), apply, view, ctx);
    expect(other.status).toBe(404);
    const elsewhere = await handleExchange(cmdlet("Get-Mailbox", {}, { path: "/adminapi/v2.0/contoso/Mailbox" }), apply, view, ctx);
    expect(elsewhere.status).toBe(404);
  });

  it("refuses every cmdlet with a body-less 403 to an app without Exchange.ManageAsApp", async () => {
    const { ctx, apply } = world();
    const noPermission: Caller = { ...apply, roles: new Set() };
    const res = await handleExchange(cmdlet("Get-Mailbox"), noPermission, view, ctx);
    expect(res.status).toBe(403);
    expect(res.body).toBeUndefined();
  });

  it("refuses every cmdlet with 403 to an app that has the permission but no Exchange directory role", async () => {
    const { ctx, apply } = world();
    const noRole: Caller = { ...apply, wids: new Set() };
    expect((await handleExchange(cmdlet("Get-Mailbox"), noRole, view, ctx)).status).toBe(403);
  });

  it("lets a Global Reader app read but answers 403 to its writes and leaves the tenant unchanged", async () => {
    const { ctx, tenant, reader } = world();
    expect((await handleExchange(cmdlet("Get-Mailbox", { Identity: "support@contoso.com" }), reader, view, ctx)).status).toBe(200);
    expect((await handleExchange(cmdlet("Get-MailboxPermission", { Identity: "support@contoso.com" }), reader, view, ctx)).status).toBe(200);
    const write = await handleExchange(cmdlet("Add-MailboxPermission", { Identity: "support@contoso.com", User: "ben.ortiz@contoso.com", AccessRights: ["FullAccess"] }), reader, view, ctx);
    expect(write.status).toBe(403);
    expect(write.body).toBeUndefined();
    expect((await tenant.getGrants("support@contoso.com")).map((g) => g.trustee)).not.toContain("ben.ortiz@contoso.com");
  });

  it("answers an unknown cmdlet with 400 CommandNotFoundException", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Get-DistributionGroup"), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).TypeName).toBe("System.Management.Automation.CommandNotFoundException");
    expect(exception(res).Message).toContain("'Get-DistributionGroup' is not recognized");
  });

  it("answers an unknown parameter of a known cmdlet with 400 ParameterBindingException naming it", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", ModeratedBy: true }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).TypeName).toBe("System.Management.Automation.ParameterBindingException");
    expect(exception(res).Message).toContain("'ModeratedBy'");
  });

  it("answers a parameter of the wrong type with 400 ParameterBindingException", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "legal", LitigationHoldEnabled: "yes" }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).Message).toContain("'LitigationHoldEnabled'");
  });

  it("binds cmdlet and parameter names case-insensitively, as PowerShell does", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("get-mailbox", { identity: "support" }), apply, view, ctx);
    expect(valueOf(res).map((o) => o["PrimarySmtpAddress"])).toEqual(["support@contoso.com"]);
  });

  it.each([
    ["missing", "Set-Mailbox", { DisplayName: "Everyone" }],
    ["null", "Remove-Mailbox", { Identity: null }],
    ["empty", "Add-MailboxPermission", { Identity: " ", User: "ben.ortiz@contoso.com", AccessRights: "FullAccess" }],
    ["missing", "Enable-Mailbox", { Archive: true }],
    ["missing", "Get-MailboxPermission", {}],
    ["missing", "Get-MailboxStatistics", {}],
    ["null", "Get-Mailbox", { Identity: null }],
  ])("refuses a %s Identity on %s with 400 and changes nothing", async (_how, name, parameters) => {
    const { ctx, apply, tenant } = world();
    const before = tenant.readLog().length;
    const res = await handleExchange(cmdlet(name, parameters), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).Message).toMatch(/'Identity' is missing, null or empty/);
    expect(tenant.readLog().length).toBe(before);
  });

  it("refuses a body that is not a CmdletInput with 400", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(request({ body: { Cmdlet: "Get-Mailbox" } }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).Message).toContain("CmdletInput");
  });
});

describe("Get-Mailbox", () => {
  it("returns a mailbox in the cmdlet's PascalCase shape with identities, sizes and flags", async () => {
    const { ctx, apply } = world();
    const legal = await mailbox(ctx, apply, "legal@contoso.com");
    expect(legal).toMatchObject({
      Name: "u-0012",
      ExternalDirectoryObjectId: "u-0012",
      UserPrincipalName: "legal@contoso.com",
      PrimarySmtpAddress: "legal@contoso.com",
      Alias: "legal",
      DisplayName: "Legal Hold",
      RecipientTypeDetails: "SharedMailbox",
      IsDirSynced: false,
      LitigationHoldEnabled: true,
      ArchiveStatus: "None",
      ArchiveGuid: ZERO_GUID,
      GrantSendOnBehalfTo: [],
      CustomAttribute1: "",
      CustomAttribute15: "",
      EmailAddresses: ["SMTP:legal@contoso.com"],
      ProhibitSendReceiveQuota: "100 GB (107,374,182,400 bytes)",
      IsSoftDeletedByRemove: false,
      WhenSoftDeleted: null,
    });
    expect(legal["Guid"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const events = await mailbox(ctx, apply, "events-2025@contoso.com");
    expect(events["CustomAttribute15"]).toBe("exoform:stack=contoso;removal=delete");
    expect(events["ProhibitSendReceiveQuota"]).toBe("50 GB (53,687,091,200 bytes)");
    expect((await mailbox(ctx, apply, "frank.moss@contoso.com"))["IsDirSynced"]).toBe(true);
    expect((await mailbox(ctx, apply, "ann.lee@contoso.com"))["RecipientTypeDetails"]).toBe("UserMailbox");
  });

  it("finds a mailbox by address, alias, ExternalDirectoryObjectId or Guid", async () => {
    const { ctx, apply } = world();
    const byAddress = await mailbox(ctx, apply, "Support@Contoso.com");
    for (const identity of ["support", "u-0011", String(byAddress["Guid"])]) {
      expect((await mailbox(ctx, apply, identity))["PrimarySmtpAddress"]).toBe("support@contoso.com");
    }
  });

  it("answers an unknown Identity with 404 ManagementObjectNotFoundException", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Get-Mailbox", { Identity: "nobody@contoso.com" }), apply, view, ctx);
    expect(res.status).toBe(404);
    expect(exception(res)).toMatchObject({ TypeName: TYPE_NAME.objectNotFound, Message: "The operation couldn't be performed because object 'nobody@contoso.com' couldn't be found." });
  });

  it("lists live mailboxes by default and only soft-deleted ones with SoftDeletedMailbox", async () => {
    const { ctx, apply } = world();
    const live = await handleExchange(cmdlet("Get-Mailbox", { ResultSize: "Unlimited" }), apply, view, ctx);
    expect(valueOf(live).map((o) => o["PrimarySmtpAddress"])).toEqual(LIVE_MAILBOXES);
    const deleted = await handleExchange(cmdlet("Get-Mailbox", { SoftDeletedMailbox: true }), apply, view, ctx);
    expect(valueOf(deleted)).toHaveLength(1);
    expect(valueOf(deleted)[0]).toMatchObject({ PrimarySmtpAddress: "jack.hale@contoso.com", IsSoftDeletedByRemove: true, WhenSoftDeleted: "2026-10-22T09:00:00.000Z" });
    expect((await handleExchange(cmdlet("Get-Mailbox", { Identity: "jack.hale@contoso.com" }), apply, view, ctx)).status).toBe(404);
  });

  it("projects the objects to the properties $select names", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Get-Mailbox", { Identity: "support" }, { query: { $select: "PrimarySmtpAddress,RecipientTypeDetails, GrantSendOnBehalfTo" } }), apply, view, ctx);
    expect(valueOf(res)).toEqual([{ PrimarySmtpAddress: "support@contoso.com", RecipientTypeDetails: "SharedMailbox", GrantSendOnBehalfTo: [] }]);
  });

  it("filters with a minimal -Filter and -RecipientTypeDetails and refuses a filter it cannot read", async () => {
    const { ctx, apply } = world();
    const shared = ["events-2025@contoso.com", "kim.nguyen@contoso.com", "legal@contoso.com", "old-projects@contoso.com", "support@contoso.com"];
    const filtered = await handleExchange(cmdlet("Get-Mailbox", { Filter: "RecipientTypeDetails -eq 'SharedMailbox'", ResultSize: "Unlimited" }), apply, view, ctx);
    expect(valueOf(filtered).map((o) => o["PrimarySmtpAddress"])).toEqual(shared);
    const both = await handleExchange(cmdlet("Get-Mailbox", { Filter: "RecipientTypeDetails -eq 'SharedMailbox' -and LitigationHoldEnabled -eq $true" }), apply, view, ctx);
    expect(valueOf(both).map((o) => o["PrimarySmtpAddress"])).toEqual(["legal@contoso.com"]);
    const byType = await handleExchange(cmdlet("Get-Mailbox", { RecipientTypeDetails: ["SharedMailbox"] }), apply, view, ctx);
    expect(valueOf(byType).map((o) => o["PrimarySmtpAddress"])).toEqual(shared);
    const bad = await handleExchange(cmdlet("Get-Mailbox", { Filter: "Name -contains 'x'" }), apply, view, ctx);
    expect(bad.status).toBe(400);
    expect(exception(bad).Message).toContain("Invalid filter syntax");
  });
});

describe("Paging (Get-Mailbox, Get-RecipientPermission)", () => {
  const prefer = { prefer: "odata.maxpagesize=4" };

  async function allPages(ctx: EndpointContext, caller: Caller, first: WireRequest, next: (link: string) => WireRequest): Promise<{ pages: Obj[][]; links: string[] }> {
    const pages: Obj[][] = [];
    const links: string[] = [];
    let res = await handleExchange(first, caller, view, ctx);
    for (;;) {
      expect(res.status).toBe(200);
      pages.push(valueOf(res));
      const link = bodyOf(res)["@odata.nextLink"] as string | undefined;
      if (link === undefined) return { pages, links };
      links.push(link);
      expect(pages.length).toBeLessThan(20);
      res = await handleExchange(next(link), caller, view, ctx);
    }
  }

  it("pages Get-Mailbox by Prefer: odata.maxpagesize, followed by GET on the nextLink", async () => {
    const { ctx, apply } = world();
    const first = cmdlet("Get-Mailbox", { ResultSize: "Unlimited" }, { headers: prefer });
    const { pages, links } = await allPages(ctx, apply, first, (link) => follow(link));
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 1]);
    expect(pages.flat().map((o) => o["PrimarySmtpAddress"])).toEqual(LIVE_MAILBOXES);
    for (const link of links) expect(link.startsWith(`${ORIGIN}${INVOKE}?`)).toBe(true);
  });

  it("pages Get-Mailbox when the client re-POSTs the same body to the nextLink, keeping $select", async () => {
    const { ctx, apply } = world();
    const first = cmdlet("Get-Mailbox", { ResultSize: "Unlimited" }, { headers: prefer, query: { $select: "PrimarySmtpAddress" } });
    const { pages } = await allPages(ctx, apply, first, (link) => follow(link, first.body, prefer));
    expect(pages.length).toBe(4);
    expect(pages.flat()).toEqual(LIVE_MAILBOXES.map((a) => ({ PrimarySmtpAddress: a })));
  });

  it("echoes the page size it applied and uses 1000 rows a page without Prefer", async () => {
    const { ctx, apply } = world();
    const sized = await handleExchange(cmdlet("Get-Mailbox", {}, { headers: prefer }), apply, view, ctx);
    expect(sized.headers?.["Preference-Applied"]).toBe("odata.maxpagesize=4");
    const plain = await handleExchange(cmdlet("Get-Mailbox"), apply, view, ctx);
    expect(valueOf(plain)).toHaveLength(13);
    expect(bodyOf(plain)["@odata.nextLink"]).toBeUndefined();
  });

  it("refuses a re-POST to a nextLink whose body is another cmdlet input", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Get-Mailbox", { ResultSize: "Unlimited" }, { headers: prefer }), apply, view, ctx);
    const link = bodyOf(res)["@odata.nextLink"] as string;
    const other = await handleExchange(follow(link, { CmdletInput: { CmdletName: "Get-Mailbox", Parameters: { SoftDeletedMailbox: true } } }), apply, view, ctx);
    expect(other.status).toBe(400);
    const forged = await handleExchange(request({ method: "GET", query: { $skiptoken: "not-a-token" } }), apply, view, ctx);
    expect(forged.status).toBe(400);
  });

  it("stops at -ResultSize across pages and warns that more results exist", async () => {
    const { ctx, apply } = world();
    const first = cmdlet("Get-Mailbox", { ResultSize: 6 }, { headers: prefer });
    const { pages } = await allPages(ctx, apply, first, (link) => follow(link));
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    const last = await handleExchange(follow((bodyOf(await handleExchange(first, apply, view, ctx))["@odata.nextLink"]) as string), apply, view, ctx);
    expect(bodyOf(last)["@adminapi.warnings"]).toEqual([expect.stringContaining("increase the value for the ResultSize parameter")]);
  });

  it("neither repeats nor skips rows when a mailbox is created between pages", async () => {
    const { ctx, apply } = world();
    const first = await handleExchange(cmdlet("Get-Mailbox", { ResultSize: "Unlimited" }, { headers: prefer }), apply, view, ctx);
    await handleExchange(cmdlet("New-Mailbox", { Shared: true, Name: "Aaa", PrimarySmtpAddress: "aaa@contoso.com" }), apply, view, ctx);
    const { pages } = await allPages(ctx, apply, follow(bodyOf(first)["@odata.nextLink"] as string), (link) => follow(link));
    expect([...valueOf(first), ...pages.flat()].map((o) => o["PrimarySmtpAddress"])).toEqual(LIVE_MAILBOXES);
  });

  it("lists every SendAs grant of the tenant plus a SELF row per mailbox in one paged Get-RecipientPermission", async () => {
    const { ctx, apply } = world();
    const first = cmdlet("Get-RecipientPermission", { AccessRights: "SendAs", ResultSize: "Unlimited" }, { headers: prefer });
    const byGet = await allPages(ctx, apply, first, (link) => follow(link));
    const byPost = await allPages(ctx, apply, first, (link) => follow(link, first.body, prefer));
    expect(byGet.pages.length).toBe(4);
    expect(byPost.pages).toEqual(byGet.pages);
    const rows = byGet.pages.flat();
    expect(rows.filter((r) => r["Trustee"] === "NT AUTHORITY\\SELF")).toHaveLength(13);
    expect(rows.filter((r) => r["Trustee"] !== "NT AUTHORITY\\SELF")).toEqual([
      { Identity: "u-0012", Trustee: "erin.kim@contoso.com", AccessControlType: "Allow", AccessRights: ["SendAs"], IsInherited: false, InheritanceType: "None" },
      { Identity: "u-0011", Trustee: "ann.lee@contoso.com", AccessControlType: "Allow", AccessRights: ["SendAs"], IsInherited: false, InheritanceType: "None" },
    ]);
  });

  it("limits Get-RecipientPermission to one mailbox when Identity is given and refuses other access rights", async () => {
    const { ctx, apply } = world();
    const one = await handleExchange(cmdlet("Get-RecipientPermission", { Identity: "support@contoso.com" }), apply, view, ctx);
    expect(valueOf(one).map((r) => r["Trustee"])).toEqual(["NT AUTHORITY\\SELF", "ann.lee@contoso.com"]);
    const wrong = await handleExchange(cmdlet("Get-RecipientPermission", { AccessRights: "FullAccess" }), apply, view, ctx);
    expect(wrong.status).toBe(400);
  });
});

describe("Mailbox writes", () => {
  it("creates a shared mailbox with New-Mailbox -Shared and returns it", async () => {
    const { ctx, apply, tenant } = world();
    const res = await handleExchange(cmdlet("New-Mailbox", { Shared: true, Name: "Billing", DisplayName: "Contoso Billing", PrimarySmtpAddress: "Billing@contoso.com", Alias: "billing" }), apply, view, ctx);
    expect(res.status).toBe(200);
    expect(valueOf(res)).toHaveLength(1);
    expect(valueOf(res)[0]).toMatchObject({ PrimarySmtpAddress: "billing@contoso.com", DisplayName: "Contoso Billing", Alias: "billing", RecipientTypeDetails: "SharedMailbox" });
    const created = await tenant.getMailbox("billing@contoso.com");
    expect(created?.type).toBe("shared");
    expect(valueOf(res)[0]!["ExternalDirectoryObjectId"]).toBe(created?.userId);
  });

  it("refuses New-Mailbox without Shared: exoform never creates user mailboxes", async () => {
    const { ctx, apply, tenant } = world();
    const res = await handleExchange(cmdlet("New-Mailbox", { Name: "Billing", PrimarySmtpAddress: "billing@contoso.com" }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).Message).toContain("never creates user mailboxes");
    expect(await tenant.getMailbox("billing@contoso.com")).toBeNull();
  });

  it("answers a write with 200 and an empty body", async () => {
    const { ctx, apply, tenant } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", DisplayName: "Help Desk", Alias: "helpdesk" }), apply, view, ctx);
    expect(res).toEqual({ status: 200 });
    expect(await tenant.getMailbox("support@contoso.com")).toMatchObject({ displayName: "Help Desk", alias: "helpdesk" });
  });

  it("sets and clears the management tag through CustomAttribute15", async () => {
    const { ctx, apply, tenant } = world();
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", CustomAttribute15: "exoform:stack=x" }), apply, view, ctx);
    expect((await tenant.getMailbox("support@contoso.com"))?.managementTag).toBe("exoform:stack=x");
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", CustomAttribute15: "" }), apply, view, ctx);
    expect((await tenant.getMailbox("support@contoso.com"))?.managementTag).toBeNull();
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "events-2025", CustomAttribute15: null }), apply, view, ctx);
    expect((await tenant.getMailbox("events-2025@contoso.com"))?.managementTag).toBeNull();
  });

  it("converts with Set-Mailbox -Type and sets litigation hold, one tenant call per concern in a fixed order", async () => {
    const { ctx, apply, tenant } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { LitigationHoldEnabled: true, Identity: "ann.lee@contoso.com", Type: "Shared", CustomAttribute15: "t" }), apply, view, ctx);
    expect(res.status).toBe(200);
    expect(await tenant.getMailbox("ann.lee@contoso.com")).toMatchObject({ type: "shared", litigationHold: true, managementTag: "t" });
    const ops = tenant.readLog({ limit: 2 }).map((e) => e.operation);
    expect(ops).toEqual(["setMailboxType", "updateMailbox"]);
  });

  it("warns, changing nothing, when Set-Mailbox is given nothing to set", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support" }), apply, view, ctx);
    expect(res.status).toBe(200);
    expect(bodyOf(res)).toMatchObject({ value: [], "@adminapi.warnings": [expect.stringContaining("no settings of 'u-0011' have been modified")] });
  });

  it("soft-deletes with Remove-Mailbox, after which Get-Mailbox finds it only with SoftDeletedMailbox", async () => {
    const { ctx, apply } = world();
    expect((await handleExchange(cmdlet("Remove-Mailbox", { Identity: "old-projects@contoso.com", Confirm: false }), apply, view, ctx)).status).toBe(200);
    expect((await handleExchange(cmdlet("Get-Mailbox", { Identity: "old-projects@contoso.com" }), apply, view, ctx)).status).toBe(404);
    const deleted = await handleExchange(cmdlet("Get-Mailbox", { Identity: "old-projects@contoso.com", SoftDeletedMailbox: true }), apply, view, ctx);
    expect(valueOf(deleted)[0]).toMatchObject({ IsSoftDeletedByRemove: true, WhenSoftDeleted: "2026-11-01T09:00:00.000Z" });
  });

  it("enables and disables the archive with Enable-Mailbox / Disable-Mailbox -Archive", async () => {
    const { ctx, apply } = world();
    expect((await handleExchange(cmdlet("Enable-Mailbox", { Identity: "legal", Archive: true }), apply, view, ctx)).status).toBe(200);
    const on = await mailbox(ctx, apply, "legal");
    expect(on["ArchiveStatus"]).toBe("Active");
    expect(on["ArchiveGuid"]).not.toBe(ZERO_GUID);
    expect((await handleExchange(cmdlet("Disable-Mailbox", { Identity: "legal", Archive: true, Confirm: false }), apply, view, ctx)).status).toBe(200);
    expect(await mailbox(ctx, apply, "legal")).toMatchObject({ ArchiveStatus: "None", ArchiveGuid: ZERO_GUID });
    expect((await handleExchange(cmdlet("Enable-Mailbox", { Identity: "legal" }), apply, view, ctx)).status).toBe(400);
  });

  it("names the objects each write touches for the read-lag model", async () => {
    const { ctx: base, apply } = world();
    const touched: ObjectKey[][] = [];
    const ctx: EndpointContext = { ...base, write: (v, keys, run) => (touched.push([...keys]), base.write(v, keys, run)) };
    await handleExchange(cmdlet("New-Mailbox", { Shared: true, Name: "Billing", PrimarySmtpAddress: "billing@contoso.com" }), apply, view, ctx);
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", DisplayName: "Help", GrantSendOnBehalfTo: ["ben.ortiz@contoso.com"] }), apply, view, ctx);
    await handleExchange(cmdlet("Remove-Mailbox", { Identity: "old-projects" }), apply, view, ctx);
    await handleExchange(cmdlet("Add-RecipientPermission", { Identity: "legal", Trustee: "ann.lee@contoso.com", AccessRights: ["SendAs"] }), apply, view, ctx);
    expect(touched).toEqual([
      ["mailbox:billing@contoso.com", "user:billing@contoso.com", "grants:billing@contoso.com"],
      ["mailbox:support@contoso.com"],
      ["grants:support@contoso.com"],
      ["mailbox:old-projects@contoso.com", "user:old-projects@contoso.com"],
      ["grants:legal@contoso.com"],
    ]);
  });
});

describe("GrantSendOnBehalfTo", () => {
  it("adds with the GenericHashTable encoding and shows trustees by ExternalDirectoryObjectId", async () => {
    const { ctx, apply, tenant } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", GrantSendOnBehalfTo: { "@odata.type": "#Exchange.GenericHashTable", add: "ben.ortiz@contoso.com" } }), apply, view, ctx);
    expect(res.status).toBe(200);
    expect((await tenant.getGrants("support@contoso.com")).filter((g) => g.right === "SendOnBehalf").map((g) => g.trustee)).toEqual(["ben.ortiz@contoso.com"]);
    expect((await mailbox(ctx, apply, "support"))["GrantSendOnBehalfTo"]).toEqual(["u-0002"]);
  });

  it("adds and removes with the StringFieldDeltaUpdateData encoding, trustees given by id or UPN", async () => {
    const { ctx, apply } = world();
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", GrantSendOnBehalfTo: { "@odata.type": "#Exchange.GenericHashTable", add: ["ben.ortiz@contoso.com", "u-0004"] } }), apply, view, ctx);
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", GrantSendOnBehalfTo: { "@odata.type": "#Exchange.StringFieldDeltaUpdateData", Add: ["u-0003"], Remove: ["u-0002"] } }), apply, view, ctx);
    expect(res.status).toBe(200);
    expect((await mailbox(ctx, apply, "support"))["GrantSendOnBehalfTo"]).toEqual(["u-0003", "u-0004"]);
  });

  it("replaces the whole list with the overwrite form (a plain array) by adding and removing the difference", async () => {
    const { ctx, apply, tenant } = world();
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", GrantSendOnBehalfTo: { "@odata.type": "#Exchange.GenericHashTable", add: ["ben.ortiz@contoso.com", "carla.diaz@contoso.com"] } }), apply, view, ctx);
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", GrantSendOnBehalfTo: ["u-0003", "erin.kim@contoso.com"] }), apply, view, ctx);
    expect((await mailbox(ctx, apply, "support"))["GrantSendOnBehalfTo"]).toEqual(["u-0003", "u-0005"]);
    expect(tenant.readLog({ operation: "setSendOnBehalf", limit: 1 })[0]?.args).toEqual({ add: ["erin.kim@contoso.com"], remove: ["ben.ortiz@contoso.com"] });
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", GrantSendOnBehalfTo: null }), apply, view, ctx);
    expect((await mailbox(ctx, apply, "support"))["GrantSendOnBehalfTo"]).toEqual([]);
  });

  it("refuses an add/remove object without one of the two type annotations", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", GrantSendOnBehalfTo: { Add: ["ben.ortiz@contoso.com"] } }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).TypeName).toBe(TYPE_NAME.parameterBinding);
  });

  it("answers removing a trustee who is not on the list with 400 and an ACE-not-found TypeName", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", GrantSendOnBehalfTo: { "@odata.type": "#Exchange.GenericHashTable", remove: "ben.ortiz@contoso.com" } }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).TypeName).toContain("NotFound");
  });
});

describe("Permissions", () => {
  it("lists FullAccess grants by trustee UPN after the SELF bookkeeping row, without AutoMapping", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Get-MailboxPermission", { Identity: "support@contoso.com" }), apply, view, ctx);
    expect(valueOf(res)).toEqual([
      { Identity: "u-0011", User: "NT AUTHORITY\\SELF", AccessRights: ["FullAccess, ReadPermission"], IsInherited: false, Deny: false, InheritanceType: "All" },
      { Identity: "u-0011", User: "ann.lee@contoso.com", AccessRights: ["FullAccess"], IsInherited: false, Deny: false, InheritanceType: "All" },
      { Identity: "u-0011", User: "gina.rossi@contoso.com", AccessRights: ["FullAccess"], IsInherited: false, Deny: false, InheritanceType: "All" },
    ]);
  });

  it("reads a soft-deleted mailbox's permissions only with SoftDeletedMailbox", async () => {
    const { ctx, apply } = world();
    expect((await handleExchange(cmdlet("Get-MailboxPermission", { Identity: "jack.hale@contoso.com" }), apply, view, ctx)).status).toBe(404);
    const res = await handleExchange(cmdlet("Get-MailboxPermission", { Identity: "jack.hale@contoso.com", SoftDeletedMailbox: true }), apply, view, ctx);
    expect(valueOf(res).map((r) => r["User"])).toEqual(["NT AUTHORITY\\SELF"]);
  });

  it("grants and revokes FullAccess with Add-/Remove-MailboxPermission, passing AutoMapping through", async () => {
    const { ctx, apply, tenant } = world();
    const add = await handleExchange(cmdlet("Add-MailboxPermission", { Identity: "support", User: "u-0002", AccessRights: ["FullAccess"], InheritanceType: "All", AutoMapping: false, Confirm: false }), apply, view, ctx);
    expect(add).toEqual({ status: 200 });
    expect(await tenant.getGrants("support@contoso.com")).toContainEqual({ mailbox: "support@contoso.com", right: "FullAccess", trustee: "ben.ortiz@contoso.com", autoMapping: false });
    const remove = await handleExchange(cmdlet("Remove-MailboxPermission", { Identity: "support", User: "ben.ortiz@contoso.com", AccessRights: "FullAccess", Confirm: false }), apply, view, ctx);
    expect(remove.status).toBe(200);
    expect((await tenant.getGrants("support@contoso.com")).map((g) => g.trustee)).not.toContain("ben.ortiz@contoso.com");
  });

  it("defaults AutoMapping to true and refuses access rights other than FullAccess", async () => {
    const { ctx, apply, tenant } = world();
    await handleExchange(cmdlet("Add-MailboxPermission", { Identity: "legal", User: "ben.ortiz@contoso.com", AccessRights: "FullAccess" }), apply, view, ctx);
    expect(await tenant.getGrants("legal@contoso.com")).toContainEqual({ mailbox: "legal@contoso.com", right: "FullAccess", trustee: "ben.ortiz@contoso.com", autoMapping: true });
    const other = await handleExchange(cmdlet("Add-MailboxPermission", { Identity: "legal", User: "ann.lee@contoso.com", AccessRights: ["ReadPermission"] }), apply, view, ctx);
    expect(other.status).toBe(400);
  });

  it("grants and revokes SendAs with Add-/Remove-RecipientPermission", async () => {
    const { ctx, apply, tenant } = world();
    expect((await handleExchange(cmdlet("Add-RecipientPermission", { Identity: "legal", Trustee: "ann.lee@contoso.com", AccessRights: ["SendAs"], Confirm: false }), apply, view, ctx)).status).toBe(200);
    expect(await tenant.getGrants("legal@contoso.com")).toContainEqual({ mailbox: "legal@contoso.com", right: "SendAs", trustee: "ann.lee@contoso.com" });
    expect((await handleExchange(cmdlet("Remove-RecipientPermission", { Identity: "legal", Trustee: "ann.lee@contoso.com", AccessRights: ["SendAs"], Confirm: false }), apply, view, ctx)).status).toBe(200);
    expect(await tenant.getGrants("legal@contoso.com")).not.toContainEqual({ mailbox: "legal@contoso.com", right: "SendAs", trustee: "ann.lee@contoso.com" });
  });
});

describe("Get-MailboxStatistics and Get-User", () => {
  it("formats TotalItemSize as the service does", () => {
    expect(formatByteQuantity(0)).toBe("0 B (0 bytes)");
    expect(formatByteQuantity(512)).toBe("512 B (512 bytes)");
    expect(formatByteQuantity(3402)).toBe("3.322 KB (3,402 bytes)");
    expect(formatByteQuantity(126_353_152)).toBe("120.5 MB (126,353,152 bytes)");
    expect(formatByteQuantity(53_160_000_000)).toBe("49.51 GB (53,160,000,000 bytes)");
    expect(formatByteQuantity(53_687_091_200)).toBe("50 GB (53,687,091,200 bytes)");
  });

  it("returns a mailbox's statistics with the size string", async () => {
    const { ctx, apply, tenant } = world();
    tenant.adminSetMailboxSize("old-projects@contoso.com", 3402);
    const res = await handleExchange(cmdlet("Get-MailboxStatistics", { Identity: "old-projects@contoso.com" }), apply, view, ctx);
    expect(valueOf(res)).toHaveLength(1);
    expect(valueOf(res)[0]).toMatchObject({ DisplayName: "Old Projects", TotalItemSize: "3.322 KB (3,402 bytes)", StorageLimitStatus: "BelowLimit" });
    expect(valueOf(res)[0]!["MailboxGuid"]).toBe((await mailbox(ctx, apply, "old-projects"))["Guid"]);
    expect(typeof valueOf(res)[0]!["ItemCount"]).toBe("number");
  });

  it("returns a user with its mailbox type", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Get-User", { Identity: "kim.nguyen@contoso.com" }), apply, view, ctx);
    expect(valueOf(res)).toEqual([expect.objectContaining({ UserPrincipalName: "kim.nguyen@contoso.com", ExternalDirectoryObjectId: "u-0013", RecipientTypeDetails: "SharedMailbox" })]);
    const gina = await handleExchange(cmdlet("Get-User", { Identity: "u-0007" }), apply, view, ctx);
    expect(valueOf(gina)[0]).toMatchObject({ UserPrincipalName: "gina.rossi@contoso.com", RecipientTypeDetails: "User" });
    expect((await handleExchange(cmdlet("Get-User", { Identity: "jack.hale@contoso.com" }), apply, view, ctx)).status).toBe(404);
  });
});

describe("Error mapping", () => {
  it("answers removing an absent FullAccess grant with 400, a NotFound TypeName and the tenant's message", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Remove-MailboxPermission", { Identity: "support", User: "ben.ortiz@contoso.com", AccessRights: ["FullAccess"] }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).TypeName).toBe(TYPE_NAME.aceNotFound);
    expect(exception(res).Message).toContain("doesn't exist on the object");
  });

  it("answers a grant the trustee already holds with 400 and an AlreadyExists TypeName", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Add-MailboxPermission", { Identity: "support", User: "ann.lee@contoso.com", AccessRights: ["FullAccess"] }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).TypeName).toBe(TYPE_NAME.aceAlreadyExists);
  });

  it("answers a taken address on New-Mailbox with 400 ADObjectAlreadyExistsException and the proxy-address message", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("New-Mailbox", { Shared: true, Name: "Support", PrimarySmtpAddress: "support@contoso.com" }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res)).toMatchObject({ TypeName: "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException", Message: expect.stringContaining('The proxy address "smtp:support@contoso.com" is already being used') });
  });

  it("answers converting a mailbox to its own type with 400 and an AlreadyExists TypeName", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", Type: "Shared" }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).TypeName).toContain("AlreadyExists");
  });

  it("answers converting an unlicensed user mailbox with a 400 precondition carrying the tenant's message", async () => {
    const { ctx, apply, tenant } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "ivy.chen@contoso.com", Type: "Shared" }), apply, view, ctx);
    expect(res.status).toBe(400);
    const e = exception(res);
    expect(e.TypeName).not.toMatch(/NotFound|AlreadyExists/);
    expect(e.Message).toBe(tenant.readLog({ limit: 1 })[0]?.message);
    expect(e.Message).toContain("no Exchange Online license");
  });

  it("keeps the not-ready refusal right after New-Mailbox verbatim, with the time it accepts changes from", async () => {
    const { ctx, apply } = world();
    await handleExchange(cmdlet("New-Mailbox", { Shared: true, Name: "Billing", PrimarySmtpAddress: "billing@contoso.com" }), apply, view, ctx);
    const res = await handleExchange(cmdlet("Add-MailboxPermission", { Identity: "billing@contoso.com", User: "ann.lee@contoso.com", AccessRights: ["FullAccess"] }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).Message).toBe("billing@contoso.com is still being provisioned and accepts changes from 2026-11-01T09:05:00.000Z; retry later");
    expect(exception(res).TypeName).not.toMatch(/NotFound|AlreadyExists/);
  });

  it("answers an unknown trustee as a precondition, never as not found", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Add-RecipientPermission", { Identity: "support", Trustee: "nobody@contoso.com", AccessRights: "SendAs" }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).TypeName).not.toMatch(/NotFound|AlreadyExists/);
  });

  it("answers the tenant's throttling with 429 and Retry-After in whole seconds, rounded up", async () => {
    const { ctx, apply, tenant } = world();
    tenant.setFaults({ writesPerSecond: 0.4, burst: 0 });
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", DisplayName: "Help" }), apply, view, ctx);
    expect(res.status).toBe(429);
    expect(res.headers?.["Retry-After"]).toBe("3");
    expect(exception(res).TypeName).toBe(TYPE_NAME.throttled);
  });

  it("answers the tenant's transient failure with 503", async () => {
    const { ctx, apply, tenant } = world();
    tenant.setFaults({ transientRate: 1 });
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", DisplayName: "Help" }), apply, view, ctx);
    expect(res.status).toBe(503);
  });

  it("never gives a precondition a TypeName the client would read as not found or already exists", () => {
    for (const row of EXCHANGE_ERROR_MAP.filter((r) => r.kind === "precondition")) {
      expect(row.status).toBe(400);
      expect(row.typeName).not.toMatch(/NotFound|AlreadyExists/);
    }
    for (const row of EXCHANGE_ERROR_MAP.filter((r) => r.kind === "conflict")) expect(row.typeName).toContain("AlreadyExists");
    for (const row of EXCHANGE_ERROR_MAP.filter((r) => r.kind === "notFound")) expect(row.status === 404 || row.typeName.includes("NotFound")).toBe(true);
  });
});

describe("$batch", () => {
  const BATCH = "/adminapi/beta/contoso/$batch";
  const item = (id: string, name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id,
    method: "POST",
    url: `${ORIGIN}${INVOKE}`,
    headers: { "Content-Type": "application/json", "X-CmdletName": name },
    body: { CmdletInput: { CmdletName: name, Parameters: parameters } },
    ...extra,
  });

  it("runs each item, answering each with its own status, and a throttled item with the admission's 429", async () => {
    const { ctx: base, apply, tenant } = world();
    let calls = 0;
    const admitted: boolean[] = [];
    const ctx: EndpointContext = {
      ...base,
      admit: (_service, _req, _caller, write) => {
        admitted.push(write);
        return ++calls === 2 ? { status: 429, headers: { "Retry-After": "7" }, body: { error: { code: "TooManyRequests", message: "throttled" } } } : null;
      },
    };
    const res = await handleExchange(
      request({
        path: BATCH,
        body: {
          requests: [
            item("1", "Get-Mailbox", { Identity: "support" }, { url: `${INVOKE}?$select=PrimarySmtpAddress` }),
            item("2", "Add-MailboxPermission", { Identity: "legal", User: "ben.ortiz@contoso.com", AccessRights: ["FullAccess"] }),
            item("3", "Get-Mailbox", { Identity: "nobody@contoso.com" }),
            item("4", "Remove-RecipientPermission", { Identity: "support", Trustee: "ann.lee@contoso.com", AccessRights: ["SendAs"] }),
            item("5", "Get-Nothing", {}),
          ],
        },
      }),
      apply,
      view,
      ctx,
    );
    expect(res.status).toBe(200);
    const responses = (res.body as { responses: Array<{ id: string; status: number; headers: Record<string, string>; body?: unknown }> }).responses;
    expect(responses.map((r) => [r.id, r.status])).toEqual([["1", 200], ["2", 429], ["3", 404], ["4", 200], ["5", 400]]);
    expect((responses[0]!.body as { value: Obj[] }).value).toEqual([{ PrimarySmtpAddress: "support@contoso.com" }]);
    expect(responses[1]!.headers["Retry-After"]).toBe("7");
    expect(responses[3]).not.toHaveProperty("body");
    expect(admitted).toEqual([false, true, false, true, false]);
    expect((await tenant.getGrants("legal@contoso.com")).map((g) => g.trustee)).not.toContain("ben.ortiz@contoso.com");
    expect(await tenant.getGrants("support@contoso.com")).not.toContainEqual({ mailbox: "support@contoso.com", right: "SendAs", trustee: "ann.lee@contoso.com" });
  });

  it("pages an item by its own nextLink, which a later batch item can follow by GET", async () => {
    const { ctx, apply } = world();
    const first = await handleExchange(request({ path: BATCH, body: { requests: [item("a", "Get-Mailbox", { ResultSize: "Unlimited" }, { headers: { Prefer: "odata.maxpagesize=5" } })] } }), apply, view, ctx);
    const page1 = (first.body as { responses: Array<{ body: Obj }> }).responses[0]!.body;
    expect((page1["value"] as Obj[]).length).toBe(5);
    const link = page1["@odata.nextLink"] as string;
    const second = await handleExchange(request({ path: BATCH, body: { requests: [{ id: "b", method: "GET", url: link, headers: { Prefer: "odata.maxpagesize=5" } }] } }), apply, view, ctx);
    const page2 = (second.body as { responses: Array<{ status: number; body: Obj }> }).responses[0]!;
    expect(page2.status).toBe(200);
    expect((page2.body["value"] as Obj[]).map((o) => o["PrimarySmtpAddress"])).toEqual(LIVE_MAILBOXES.slice(5, 10));
  });

  it(`refuses a batch of more than ${MAX_BATCH_ITEMS} items, or with a repeated id, with 400`, async () => {
    const { ctx, apply } = world();
    const many = Array.from({ length: MAX_BATCH_ITEMS + 1 }, (_, i) => item(String(i), "Get-Mailbox", { Identity: "support" }));
    expect((await handleExchange(request({ path: BATCH, body: { requests: many } }), apply, view, ctx)).status).toBe(400);
    const exactly = many.slice(0, MAX_BATCH_ITEMS);
    expect((await handleExchange(request({ path: BATCH, body: { requests: exactly } }), apply, view, ctx)).status).toBe(200);
    const repeated = [item("x", "Get-Mailbox", {}), item("x", "Get-User", {})];
    expect((await handleExchange(request({ path: BATCH, body: { requests: repeated } }), apply, view, ctx)).status).toBe(400);
  });

  it("applies the caller's roles to every item: a read-only app's writes get 403 inside a 200 batch", async () => {
    const { ctx, reader } = world();
    const res = await handleExchange(
      request({ path: BATCH, body: { requests: [item("r", "Get-Mailbox", { Identity: "support" }), item("w", "Remove-Mailbox", { Identity: "support" })] } }),
      reader,
      view,
      ctx,
    );
    expect(res.status).toBe(200);
    expect((res.body as { responses: Array<{ status: number }> }).responses.map((r) => r.status)).toEqual([200, 403]);
  });
});

describe("mailbox settings and renames (issue #13)", () => {
  it("returns the settings with Get-Mailbox: extra addresses as smtp: after the SMTP: primary", async () => {
    const { ctx, apply } = world();
    const before = await mailbox(ctx, apply, "support");
    expect(before).toMatchObject({ HiddenFromAddressListsEnabled: false, MessageCopyForSentAsEnabled: false, MessageCopyForSendOnBehalfEnabled: false, EmailAddresses: ["SMTP:support@contoso.com"] });
    const res = await handleExchange(
      cmdlet("Set-Mailbox", {
        Identity: "support",
        HiddenFromAddressListsEnabled: true,
        MessageCopyForSentAsEnabled: true,
        MessageCopyForSendOnBehalfEnabled: true,
        EmailAddresses: { "@odata.type": "#Exchange.GenericHashTable", add: ["smtp:Help@contoso.com", "helpdesk@contoso.com"] },
      }),
      apply,
      view,
      ctx,
    );
    expect(res.status).toBe(200);
    expect(await mailbox(ctx, apply, "support")).toMatchObject({
      HiddenFromAddressListsEnabled: true,
      MessageCopyForSentAsEnabled: true,
      MessageCopyForSendOnBehalfEnabled: true,
      EmailAddresses: ["SMTP:support@contoso.com", "smtp:help@contoso.com", "smtp:helpdesk@contoso.com"],
    });
  });

  it("makes one tenant write for several settings, as one Set-Mailbox takes them all", async () => {
    const { ctx, apply, tenant } = world();
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", HiddenFromAddressListsEnabled: true, MessageCopyForSentAsEnabled: true }), apply, view, ctx);
    expect(tenant.readLog({ operation: "updateMailbox" }).map((e) => e.args)).toEqual([{ hiddenFromAddressLists: true, messageCopyForSentAs: true }]);
  });

  it("replaces the extra addresses with the full-list form, the primary listed as SMTP:", async () => {
    const { ctx, apply } = world();
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", EmailAddresses: { "@odata.type": "#Exchange.StringFieldDeltaUpdateData", Add: ["smtp:a@contoso.com", "smtp:b@contoso.com"] } }), apply, view, ctx);
    await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", EmailAddresses: ["SMTP:support@contoso.com", "smtp:b@contoso.com", "smtp:c@contoso.com"] }), apply, view, ctx);
    expect((await mailbox(ctx, apply, "support"))["EmailAddresses"]).toEqual(["SMTP:support@contoso.com", "smtp:b@contoso.com", "smtp:c@contoso.com"]);
  });

  it("refuses proxy types it does not model and a change of the primary through EmailAddresses", async () => {
    const { ctx, apply } = world();
    const x500 = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", EmailAddresses: { "@odata.type": "#Exchange.GenericHashTable", add: "X500:/o=contoso" } }), apply, view, ctx);
    expect(x500.status).toBe(400);
    const primary = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", EmailAddresses: ["SMTP:help@contoso.com"] }), apply, view, ctx);
    expect(primary.status).toBe(400);
    expect((await mailbox(ctx, apply, "support"))["EmailAddresses"]).toEqual(["SMTP:support@contoso.com"]);
  });

  it("renames with -WindowsEmailAddress: the old primary stays as an extra address and still finds the mailbox", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support@contoso.com", WindowsEmailAddress: "help@contoso.com", HiddenFromAddressListsEnabled: true }), apply, view, ctx);
    expect(res.status).toBe(200);
    const renamed = await mailbox(ctx, apply, "support@contoso.com");
    expect(renamed).toMatchObject({ PrimarySmtpAddress: "help@contoso.com", EmailAddresses: ["SMTP:help@contoso.com", "smtp:support@contoso.com"], HiddenFromAddressListsEnabled: true });
  });

  it("refuses -WindowsEmailAddress and -PrimarySmtpAddress naming different addresses", async () => {
    const { ctx, apply } = world();
    const res = await handleExchange(cmdlet("Set-Mailbox", { Identity: "support", WindowsEmailAddress: "a@contoso.com", PrimarySmtpAddress: "b@contoso.com" }), apply, view, ctx);
    expect(res.status).toBe(400);
    expect(exception(res).Message).toContain("name different addresses");
  });
});
