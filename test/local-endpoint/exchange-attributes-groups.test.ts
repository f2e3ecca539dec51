/**
 * The local endpoint's Exchange admin API for custom attributes and group
 * trustees (providers/local-endpoint/exchange-cmdlets.ts, exchange-lookup.ts):
 * Get-Mailbox shows CustomAttribute1..15 as the mailbox's own attributes and
 * Set-Mailbox writes the one it names; permission rows name a group trustee
 * by its display name, as Exchange does, and a group's name works as -User.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { EndpointContext } from "../../providers/local-endpoint/context.js";
import { handleExchange } from "../../providers/local-endpoint/exchange.js";
import type { WireRequest, WireResponse } from "../../providers/local-endpoint/wire.js";
import { loadFixture, type SimulatedTenant } from "../../providers/simulated/index.js";
import { applyCaller, directContext, tempTenant } from "./direct-context.js";

const ANCHOR = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso";
const view = { backend: 0 };
const apply = applyCaller("contoso");
const support = "support@contoso.com";

const opened: SimulatedTenant[] = [];
afterEach(() => {
  for (const t of opened.splice(0)) t.close();
});

/** Contoso with a Helpdesk group (Ann) holding FullAccess and SendAs on support@, and a department code in its CustomAttribute3. */
function world(): { tenant: SimulatedTenant; ctx: EndpointContext } {
  const tenant = tempTenant();
  opened.push(tenant);
  const f = loadFixture("contoso");
  tenant.seed({
    ...f,
    mailboxes: f.mailboxes.map((m) => (m.address === support ? { ...m, customAttributes: { CustomAttribute3: "DEPT-42" } } : m)),
    groups: [{ id: "g-help", address: "helpdesk@contoso.com", displayName: "Help Desk", members: ["u-0001"] }],
  });
  tenant.adminAddGrant(support, "FullAccess", "helpdesk@contoso.com", { autoMapping: false });
  tenant.adminAddGrant(support, "SendAs", "helpdesk@contoso.com");
  tenant.adminAddGrant(support, "SendOnBehalf", "helpdesk@contoso.com");
  return { tenant, ctx: directContext(tenant) };
}

function cmdlet(name: string, parameters: Record<string, unknown>): WireRequest {
  return {
    method: "POST",
    path: "/adminapi/beta/contoso/InvokeCommand",
    query: new URLSearchParams(),
    headers: { "content-type": "application/json", "x-anchormailbox": ANCHOR },
    body: { CmdletInput: { CmdletName: name, Parameters: parameters } },
    requestId: "req-1",
  };
}

type Obj = Record<string, unknown>;
async function run(ctx: EndpointContext, name: string, parameters: Record<string, unknown>): Promise<Obj[]> {
  const res: WireResponse = await handleExchange(cmdlet(name, parameters), apply, view, ctx);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { value?: Obj[] } | undefined)?.value ?? [];
}

describe("Exchange admin API: custom attributes", () => {
  it("shows every custom attribute a mailbox holds, one at a time and in the bulk listing", async () => {
    const { ctx } = world();
    const [one] = await run(ctx, "Get-Mailbox", { Identity: support });
    expect(one).toMatchObject({ CustomAttribute3: "DEPT-42", CustomAttribute15: "", CustomAttribute1: "" });
    const all = await run(ctx, "Get-Mailbox", { ResultSize: "Unlimited" });
    expect(all.find((m) => m["PrimarySmtpAddress"] === support)).toMatchObject({ CustomAttribute3: "DEPT-42" });
    expect(all.find((m) => m["PrimarySmtpAddress"] === "events-2025@contoso.com")).toMatchObject({ CustomAttribute3: "", CustomAttribute15: "exoform:stack=contoso;removal=delete" });
  });

  it("writes the attribute Set-Mailbox names, whatever attribute holds a tag, and clears one given null or empty", async () => {
    const { tenant, ctx } = world();
    await run(ctx, "Set-Mailbox", { Identity: support, CustomAttribute9: "exoform:stack=x;removal=delete", CustomAttribute3: null });
    expect(await tenant.getCustomAttributes(support)).toEqual({ CustomAttribute9: "exoform:stack=x;removal=delete" });
    expect((await tenant.getMailbox(support))?.managementTag).toBeNull(); // the tenant reads the tag from CustomAttribute15 unless told
    await run(ctx, "Set-Mailbox", { Identity: support, CustomAttribute9: "" });
    expect(await tenant.getCustomAttributes(support)).toEqual({});
  });
});

describe("Exchange admin API: group trustees", () => {
  it("names a group trustee by its display name in Get-MailboxPermission and Get-RecipientPermission, and by its id in GrantSendOnBehalfTo", async () => {
    const { ctx } = world();
    const fullAccess = await run(ctx, "Get-MailboxPermission", { Identity: support });
    expect(fullAccess.map((r) => r["User"])).toContain("Help Desk");
    expect(fullAccess.map((r) => r["User"])).not.toContain("helpdesk@contoso.com");
    const sendAs = await run(ctx, "Get-RecipientPermission", { Identity: support });
    expect(sendAs.map((r) => r["Trustee"])).toContain("Help Desk");
    const [mailbox] = await run(ctx, "Get-Mailbox", { Identity: support });
    expect(mailbox!["GrantSendOnBehalfTo"]).toContain("g-help");
  });

  it("takes a group's display name, address or id as -User and -Trustee, to filter and to remove", async () => {
    const { tenant, ctx } = world();
    expect((await run(ctx, "Get-MailboxPermission", { Identity: support, User: "helpdesk@contoso.com" })).map((r) => r["User"])).toEqual(["Help Desk"]);
    expect((await run(ctx, "Get-RecipientPermission", { Identity: support, Trustee: "g-help" })).map((r) => r["Trustee"])).toEqual(["Help Desk"]);
    await run(ctx, "Remove-MailboxPermission", { Identity: support, User: "Help Desk", AccessRights: ["FullAccess"] });
    await run(ctx, "Remove-RecipientPermission", { Identity: support, Trustee: "helpdesk", AccessRights: ["SendAs"] });
    expect((await tenant.getGrants(support)).filter((g) => g.trustee === "helpdesk@contoso.com").map((g) => g.right)).toEqual(["SendOnBehalf"]);
  });
});
