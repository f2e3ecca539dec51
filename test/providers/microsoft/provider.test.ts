import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/provider/errors.js";
import { UserError } from "../../../lib/diagnostics/errors.js";
import { observe } from "../../../lib/provider/observe.js";
import { GB } from "../../../lib/model/licensing.js";
import { MicrosoftProvider, type MicrosoftProviderOptions } from "../../../providers/microsoft/provider.js";
import { strongPassword } from "../../../providers/microsoft/secrets.js";
import { E3, fakeService, TENANT, TID, type FakeOptions, type FakeService } from "./fake-service.js";
import { fakeTokens, json, settingsFor, stopAll, virtualClock } from "./support.js";

afterEach(stopAll);

async function subject(options: FakeOptions = {}, extra: Partial<MicrosoftProviderOptions> = {}) {
  const service = await fakeService(options);
  const clock = virtualClock();
  const provider = new MicrosoftProvider({ settings: settingsFor(service.origin, TENANT), tokens: fakeTokens({ tid: TID, roles: ["User.Read.All"] }), clock, random: () => 0.5, ...extra });
  return { service, clock, provider };
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(ProviderError.is(e), String(e)).toBe(true);
  return e as ProviderError;
}

const cmdletNames = (s: FakeService) => s.cmdlets.map((c) => c.name);

describe("microsoft provider: reads", () => {
  it("maps Get-Mailbox rows: types, archive, hold, tag, soft-deletion, quota from licenses, size only for shared mailboxes", async () => {
    const { provider, service } = await subject();
    const mailboxes = await provider.listMailboxes();
    expect(mailboxes.map((m) => [m.address, m.type, m.deletedAt === null ? "live" : "deleted"])).toEqual([
      ["amy@contoso.com", "user", "live"],
      ["bo@contoso.com", "user", "live"],
      ["gone@contoso.com", "user", "deleted"],
      ["team@contoso.com", "shared", "live"],
    ]);
    const team = mailboxes.find((m) => m.address === "team@contoso.com")!;
    expect(team).toEqual({
      address: "team@contoso.com", displayName: "team", alias: "team", type: "shared", userId: "u-team", sizeBytes: 3402, quotaBytes: 50 * GB,
      litigationHold: true, archive: true, readyAt: null, deletedAt: null, managementTag: "exoform:stack=x",
      // settings the row does not carry read as the service's defaults
      hiddenFromAddressLists: false, emailAddresses: [], messageCopyForSentAs: false, messageCopyForSendOnBehalf: false,
    });
    expect(mailboxes.find((m) => m.address === "amy@contoso.com")).toMatchObject({ quotaBytes: 100 * GB, archive: false, managementTag: null, sizeBytes: 0 });
    // bo's Exchange Plan 2 is a disabled plan of the SKU: no 100 GB
    expect(mailboxes.find((m) => m.address === "bo@contoso.com")?.quotaBytes).toBe(50 * GB);
    expect(mailboxes.find((m) => m.address === "gone@contoso.com")?.deletedAt).toBe(new Date(1793005200000).toISOString());
    expect(service.cmdlets.filter((c) => c.name === "Get-MailboxStatistics").map((c) => c.parameters["Identity"])).toEqual(["team@contoso.com"]);
  });

  it("lists live and deleted users sorted by UPN, lower-cased, with license part numbers", async () => {
    const { provider } = await subject();
    const users = await provider.listUsers();
    expect(users.map((u) => [u.userPrincipalName, u.licenses, u.deletedAt])).toEqual([
      ["0f1e2d3cgone@contoso.com", [], "2026-10-25T09:00:00.000Z"],
      ["amy@contoso.com", ["SPE_E3"], null],
      ["bo@contoso.com", ["SPE_E3"], null],
      ["team@contoso.com", [], null],
    ]);
    expect(users.find((u) => u.id === "u-bo")).toMatchObject({ onPremisesSyncEnabled: true, usageLocation: "US" });
    expect(users.find((u) => u.id === "u-team")).toMatchObject({ accountEnabled: false, usageLocation: null, onPremisesSyncEnabled: false });
    expect(await provider.listSkus()).toEqual([{ skuPartNumber: "SPE_E3", skuId: E3, prepaidUnits: 5, consumedUnits: 2, servicePlans: ["EXCHANGE_S_ENTERPRISE", "TEAMS1"] }]);
  });

  it("lists grants without bookkeeping rows, resolves SendOnBehalf ids to UPNs, keeps an unknown trustee, and reads no autoMapping", async () => {
    const { provider } = await subject();
    expect(await provider.listGrants()).toEqual([
      { mailbox: "gone@contoso.com", right: "FullAccess", trustee: "amy@contoso.com" },
      { mailbox: "team@contoso.com", right: "FullAccess", trustee: "amy@contoso.com" },
      { mailbox: "team@contoso.com", right: "FullAccess", trustee: "s-1-5-21-123-orphan" },
      { mailbox: "team@contoso.com", right: "SendAs", trustee: "amy@contoso.com" },
      { mailbox: "team@contoso.com", right: "SendOnBehalf", trustee: "bo@contoso.com" },
      { mailbox: "team@contoso.com", right: "SendOnBehalf", trustee: "s-1-5-21-999-orphan" },
    ]);
  });

  it("reads one mailbox's grants exactly as the bulk read lists them", async () => {
    const { provider } = await subject();
    const all = await provider.listGrants();
    for (const address of ["team@contoso.com", "gone@contoso.com", "amy@contoso.com"]) {
      expect(await provider.getGrants(address)).toEqual(all.filter((g) => g.mailbox === address));
    }
    expect(await provider.getGrants("nobody@contoso.com")).toEqual([]);
  });

  it("reads each shared service object once when observe() runs the bulk reads together", async () => {
    const { provider, service } = await subject();
    const state = await observe(provider);
    expect(state.tenant).toEqual({ id: TID, domains: ["contoso.com", TENANT], hybrid: true });
    expect(cmdletNames(service).filter((n) => n === "Get-Mailbox")).toHaveLength(2); // live and soft-deleted, once each
    expect(service.graph.filter((g) => g.url.startsWith("/v1.0/users?"))).toHaveLength(1);
    expect(provider.cost().exchange.requests).toBeGreaterThan(0);
  });

  it("reads mail-enabled security groups with their user members, leaving out groups without mail and members without a UPN", async () => {
    const { provider, service } = await subject();
    expect(await provider.listGroups()).toEqual([{ id: "g-help", address: "helpdesk@contoso.com", displayName: "Helpdesk", members: ["amy@contoso.com"] }]);
    const list = service.graph.find((g) => g.url.startsWith("/v1.0/groups?"))!;
    expect(decodeURIComponent(list.url)).toContain("$filter=mailEnabled eq true and securityEnabled eq true");
  });

  it("names a group trustee by its address, whatever name the permission row gives it", async () => {
    const byName = (cmd: { name: string; parameters: Record<string, unknown> }) =>
      cmd.name === "Get-MailboxPermission" && cmd.parameters["Identity"] === "team@contoso.com" && cmd.parameters["SoftDeletedMailbox"] === undefined
        ? json(200, { value: [{ Identity: "team", User: "Helpdesk", AccessRights: ["FullAccess"], IsInherited: false, Deny: false }] })
        : undefined;
    const { provider } = await subject({ cmdlet: byName });
    const grants = (await provider.listGrants()).filter((g) => g.mailbox === "team@contoso.com" && g.right === "FullAccess");
    expect(grants.map((g) => g.trustee)).toEqual(["helpdesk@contoso.com"]);
  });

  it("reads FullAccess only for the mailboxes in the grant scope", async () => {
    const { provider, service } = await subject({}, { grantScope: (a) => a === "team@contoso.com" });
    const grants = await provider.listGrants();
    expect(new Set(grants.map((g) => g.mailbox))).toEqual(new Set(["team@contoso.com"]));
    expect(service.cmdlets.filter((c) => c.name === "Get-MailboxPermission").map((c) => c.parameters["Identity"])).toEqual(["team@contoso.com"]);
    provider.setGrantScope(null);
    expect((await provider.listGrants()).some((g) => g.mailbox === "gone@contoso.com")).toBe(true);
  });

  it("point-reads a mailbox live, then soft-deleted, and null when neither exists", async () => {
    const { provider } = await subject();
    expect(await provider.getMailbox("TEAM@contoso.com")).toMatchObject({ address: "team@contoso.com", sizeBytes: 3402, quotaBytes: 50 * GB });
    expect(await provider.getMailbox("gone@contoso.com")).toMatchObject({ deletedAt: new Date(1793005200000).toISOString() });
    expect(await provider.getMailbox("room@contoso.com")).toBeNull();
    expect(await provider.getMailbox("nobody@contoso.com")).toBeNull();
    expect(await provider.getUser("AMY@contoso.com")).toMatchObject({ id: "u-amy", userPrincipalName: "amy@contoso.com", licenses: ["SPE_E3"] });
    expect(await provider.getUser("nobody@contoso.com")).toBeNull();
  });

  it("names the missing application permission when Graph refuses", async () => {
    const { provider } = await subject({ graph: () => json(403, { error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } }) });
    const error = await rejection(provider.listUsers());
    expect(error.kind).toBe("forbidden");
    expect(error.message).toContain("Organization.Read.All");
    expect(error.message).toContain("its token for Microsoft Graph carries User.Read.All");
  });
});

describe("microsoft provider: writes", () => {
  it("waits on its clock until a mailbox still being provisioned accepts changes, then writes once", async () => {
    let refusals = 0;
    const readyAt = Date.parse("2026-11-01T09:04:00.000Z");
    const { provider, service, clock } = await subject({
      cmdlet: (cmd) => {
        if (cmd.name !== "Add-MailboxPermission" || clock.ms() >= readyAt) return undefined;
        refusals++;
        return json(400, { error: { code: "BadRequest", details: [{ message: JSON.stringify({ Message: `ops@contoso.com is still being provisioned and accepts changes from ${new Date(readyAt).toISOString()}; retry later`, TypeName: "Microsoft.Exchange.Configuration.Tasks.TaskException" }) }] } });
      },
    });
    await provider.addMailboxPermission("Ops@contoso.com", "Amy@contoso.com", { autoMapping: false });
    expect(refusals).toBe(1);
    expect(clock.sleeps).toEqual([4 * 60_000]);
    const sent = service.cmdlets.filter((c) => c.name === "Add-MailboxPermission");
    expect(sent).toHaveLength(2);
    expect(sent[1]!.parameters).toEqual({ Identity: "ops@contoso.com", User: "amy@contoso.com", AccessRights: ["FullAccess"], InheritanceType: "All", AutoMapping: false, Confirm: false });
    expect(sent[1]!.headers["x-anchormailbox"]).toBe("UPN:ops@contoso.com");
  });

  it("gives up with precondition MailboxNotReady when the mailbox stays unready past the bound", async () => {
    const { provider, clock } = await subject(
      { cmdlet: (cmd) => (cmd.name === "Set-Mailbox" ? json(400, { error: { details: [{ message: JSON.stringify({ Message: "ops is still being provisioned", TypeName: "X.TaskException" }) }] } }) : undefined) },
      { notReadyMaxWaitMs: 5 * 60_000 },
    );
    const error = await rejection(provider.setMailboxType("ops@contoso.com", "shared"));
    expect(error).toMatchObject({ kind: "precondition", code: "MailboxNotReady", operation: "setMailboxType", target: "ops@contoso.com" });
    expect(clock.sleeps.every((ms) => ms === 60_000)).toBe(true);
    expect(clock.sleeps.length).toBeGreaterThanOrEqual(4);
  });

  it("gives up too when the refusal keeps naming a time already past (the service's clock ahead of ours)", async () => {
    const past = JSON.stringify({ Message: "ops is still being provisioned and accepts changes from 2000-01-01T00:00:00Z", TypeName: "X.TaskException" });
    const { provider, clock } = await subject({ cmdlet: (cmd) => (cmd.name === "Remove-Mailbox" ? json(400, { error: { details: [{ message: past }] } }) : undefined) }, { notReadyMaxWaitMs: 60_000 });
    expect(await rejection(provider.removeMailbox("ops@contoso.com"))).toMatchObject({ kind: "precondition", code: "MailboxNotReady" });
    expect(clock.sleeps.every((ms) => ms === 5_000)).toBe(true);
    const waited = clock.sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(60_000);
    expect(waited).toBeLessThanOrEqual(65_000);
  });

  it("sends SendOnBehalf changes as an incremental GenericHashTable and refuses add-and-remove of one trustee", async () => {
    const { provider, service } = await subject();
    await provider.setSendOnBehalf("team@contoso.com", { add: ["Amy@contoso.com"], remove: ["bo@contoso.com"] });
    expect(service.cmdlets.at(-1)?.parameters).toEqual({ Identity: "team@contoso.com", GrantSendOnBehalfTo: { "@odata.type": "#Exchange.GenericHashTable", add: ["amy@contoso.com"], remove: ["bo@contoso.com"] } });
    await rejection(provider.setSendOnBehalf("team@contoso.com", { add: ["bo@contoso.com"], remove: ["bo@contoso.com"] }));
  });

  it("tells an unknown trustee (precondition) from an unknown mailbox (notFound), which Exchange words alike", async () => {
    const notFound = (name: string) => json(404, { error: { details: [{ message: JSON.stringify({ Message: `The operation couldn't be performed because object '${name}' couldn't be found.`, TypeName: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException" }) }] } });
    const { provider } = await subject({ cmdlet: (cmd) => (cmd.name.startsWith("Get-") ? undefined : notFound(String(cmd.parameters["Identity"] === "nobox@contoso.com" ? "nobox@contoso.com" : cmd.parameters["User"] ?? cmd.parameters["Trustee"]))) });
    expect(await rejection(provider.addMailboxPermission("team@contoso.com", "Nobody@contoso.com", { autoMapping: true }))).toMatchObject({ kind: "precondition", code: "TrusteeNotFound" });
    expect(await rejection(provider.addRecipientPermission("nobox@contoso.com", "amy@contoso.com"))).toMatchObject({ kind: "notFound", code: "ManagementObjectNotFound" });
    expect(await rejection(provider.removeRecipientPermission("team@contoso.com", "nobody@contoso.com"))).toMatchObject({ kind: "notFound" });
  });

  it("answers conflict when the service warns that a grant was already there", async () => {
    const { provider } = await subject({ cmdlet: (cmd) => (cmd.name === "Add-RecipientPermission" ? json(200, { value: [], "@adminapi.warnings": ["The appropriate access control entry is already present on the object."] }) : undefined) });
    expect(await rejection(provider.addRecipientPermission("team@contoso.com", "amy@contoso.com"))).toMatchObject({ kind: "conflict", code: "ACEAlreadyExists" });
  });

  it("updates Set-Mailbox fields and the archive in two calls, and reads the mailbox back with the written fields", async () => {
    const { provider, service } = await subject();
    const updated = await provider.updateMailbox("team@contoso.com", { displayName: "Team Inbox", managementTag: null, archive: false });
    const writes = service.cmdlets.filter((c) => !c.name.startsWith("Get-"));
    expect(writes.map((c) => [c.name, c.parameters])).toEqual([
      ["Set-Mailbox", { Identity: "team@contoso.com", DisplayName: "Team Inbox", CustomAttribute15: null }],
      ["Disable-Mailbox", { Identity: "team@contoso.com", Archive: true, Confirm: false }],
    ]);
    expect(updated).toMatchObject({ address: "team@contoso.com", displayName: "Team Inbox", managementTag: null, archive: false, litigationHold: true });
  });

  it("sends the mailbox settings in the one Set-Mailbox, extra addresses as an add/remove hashtable (never the full list)", async () => {
    const { provider, service } = await subject();
    await provider.updateMailbox("team@contoso.com", {
      hiddenFromAddressLists: true,
      messageCopyForSentAs: true,
      messageCopyForSendOnBehalf: false,
      emailAddresses: { add: ["Help@contoso.com"], remove: ["old@contoso.com"] },
    });
    const writes = service.cmdlets.filter((c) => !c.name.startsWith("Get-"));
    expect(writes.map((c) => [c.name, c.parameters])).toEqual([
      [
        "Set-Mailbox",
        {
          Identity: "team@contoso.com",
          HiddenFromAddressListsEnabled: true,
          MessageCopyForSentAsEnabled: true,
          MessageCopyForSendOnBehalfEnabled: false,
          EmailAddresses: { "@odata.type": "#Exchange.GenericHashTable", add: ["smtp:help@contoso.com"], remove: ["smtp:old@contoso.com"] },
        },
      ],
    ]);
  });

  it("renames with Set-Mailbox -WindowsEmailAddress, the sign-in name with PATCH, and revokes sessions with Graph's action", async () => {
    const { provider, service } = await subject();
    await provider.setPrimaryAddress("team@contoso.com", "Inbox@contoso.com").catch(() => undefined);
    expect(service.cmdlets.filter((c) => c.name === "Set-Mailbox").map((c) => c.parameters)).toEqual([{ Identity: "team@contoso.com", WindowsEmailAddress: "inbox@contoso.com" }]);
    await provider.setUserPrincipalName("team@contoso.com", "Inbox@contoso.com").catch(() => undefined);
    await provider.revokeSignInSessions("u-team").catch(() => undefined);
    expect(service.graph.filter((g) => g.method !== "GET").map((g) => [g.method, g.url, g.body])).toEqual([
      ["PATCH", "/v1.0/users/team%40contoso.com", { userPrincipalName: "inbox@contoso.com" }],
      ["POST", "/v1.0/users/u-team/revokeSignInSessions", undefined],
    ]);
  });

  it("reads and writes the management tag in the attribute it is given, and in no other", async () => {
    const { provider, service } = await subject({}, { managementAttribute: "CustomAttribute9" });
    // the fake tenant's tag is in CustomAttribute15, which this provider does not look at
    expect((await provider.listMailboxes()).find((m) => m.address === "team@contoso.com")?.managementTag).toBeNull();
    await provider.updateMailbox("team@contoso.com", { managementTag: "exoform:stack=x;removal=delete" });
    expect(service.cmdlets.filter((c) => c.name === "Set-Mailbox").map((c) => c.parameters)).toEqual([{ Identity: "team@contoso.com", CustomAttribute9: "exoform:stack=x;removal=delete" }]);
    provider.setManagementAttribute(null);
    expect((await provider.listMailboxes()).find((m) => m.address === "team@contoso.com")?.managementTag).toBe("exoform:stack=x");
  });

  it("assigns licenses by skuId and refuses an unknown SKU without calling the service", async () => {
    const { provider, service } = await subject();
    const user = await provider.assignLicense("team@contoso.com", { add: ["SPE_E3"], remove: [] });
    expect(service.graph.find((g) => g.url.endsWith("/assignLicense"))?.body).toEqual({ addLicenses: [{ skuId: E3, disabledPlans: [] }], removeLicenses: [] });
    expect(user.licenses).toEqual(["SPE_E3"]);
    const before = service.graph.length;
    expect(await rejection(provider.assignLicense("team@contoso.com", { add: ["NOPE"], remove: [] }))).toMatchObject({ kind: "notFound", code: "SkuNotFound" });
    expect(service.graph.slice(before).some((g) => g.url.endsWith("/assignLicense"))).toBe(false);
  });

  it("resets a password to a strong random one that never appears in an error", async () => {
    const { provider, service } = await subject({
      graph: (method, _url, body) => {
        if (method !== "PATCH") return undefined;
        const password = (body as { passwordProfile: { password: string } }).passwordProfile.password;
        return json(400, { error: { code: "Request_BadRequest", message: `The specified password ${password} does not comply with password complexity requirements.` } });
      },
    });
    const error = await rejection(provider.resetPassword("amy@contoso.com"));
    const sent = (service.graph.find((g) => g.method === "PATCH")!.body as { passwordProfile: { password: string } }).passwordProfile.password;
    expect(sent).toHaveLength(32);
    expect(error.message).not.toContain(sent);
    expect(error.message).toContain("[redacted]");
    const p = strongPassword();
    expect([/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].every((re) => re.test(p))).toBe(true);
    expect(strongPassword()).not.toBe(p);
  });

  it("refuses a desired state for another tenant, naming both", async () => {
    const { provider } = await subject();
    await provider.assertTenant(TID);
    await provider.assertTenant("Contoso.com");
    const error = await provider.assertTenant("fabrikam.com").then(() => null, (e: unknown) => e);
    expect(UserError.is(error)).toBe(true);
    expect((error as Error).message).toContain('"fabrikam.com"');
    expect((error as Error).message).toContain(TID);
  });
});
