/**
 * The served tenant over the wire, with Node's own fetch: what a client sees
 * of the tenant, throttling and Retry-After on the tenant's clock, each
 * injected wire fault, the read lag, the request log, and loopback only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { control, graph, invoke, serve, token, type Served } from "./serve.js";

let served: Served | null = null;
afterEach(async () => {
  await served?.stop();
  served = null;
});

interface GraphUser { id: string; userPrincipalName: string; accountEnabled?: boolean; assignedLicenses?: Array<{ skuId: string }> }

async function allPages<T>(s: Served, bearer: string, first: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let url: string | undefined = first;
  let pages = 0;
  while (url) {
    const res = await graph(s, bearer, "GET", url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: T[]; "@odata.nextLink"?: string };
    items.push(...body.value);
    url = body["@odata.nextLink"];
    pages++;
  }
  return { items, pages };
}

describe("the served tenant", () => {
  it("listens on 127.0.0.1 and nothing else", async () => {
    served = await serve();
    expect(new URL(served.origin).hostname).toBe("127.0.0.1");
    expect(served.endpoint.env.EXOFORM_GRAPH_URL).toBe(served.origin);
  });

  it("shows through Graph and Exchange exactly the users, mailboxes and grants the tenant holds", async () => {
    served = await serve();
    const g = await token(served, "graph");
    const x = await token(served, "exchange");
    const fixture = served.tenant.exportFixture();
    const { items, pages } = await allPages<GraphUser>(served, g, "/users?$select=id,userPrincipalName,accountEnabled,assignedLicenses&$top=5");
    expect(pages).toBeGreaterThanOrEqual(3);
    const live = fixture.users.filter((u) => !u.deletedAt);
    expect(items.map((u) => u.userPrincipalName).sort()).toEqual(live.map((u) => u.userPrincipalName).sort());
    for (const u of live) expect(items.find((i) => i.id === u.id)?.accountEnabled).toBe(u.accountEnabled ?? true);
    const mailboxes = (await (await invoke(served, x, "Get-Mailbox", { ResultSize: "Unlimited" }, { select: "PrimarySmtpAddress,RecipientTypeDetails" })).json()) as { value: Array<{ PrimarySmtpAddress: string; RecipientTypeDetails: string }> };
    const liveMailboxes = fixture.mailboxes.filter((m) => !m.deletedAt);
    expect(mailboxes.value.map((m) => m.PrimarySmtpAddress).sort()).toEqual(liveMailboxes.map((m) => m.address).sort());
    for (const m of liveMailboxes) {
      expect(mailboxes.value.find((v) => v.PrimarySmtpAddress === m.address)?.RecipientTypeDetails).toBe(m.type === "shared" ? "SharedMailbox" : "UserMailbox");
    }
    const sendAs = (await (await invoke(served, x, "Get-RecipientPermission", { AccessRights: "SendAs", ResultSize: "Unlimited" })).json()) as { value: Array<{ Trustee: string }> };
    const trustees = sendAs.value.map((r) => r.Trustee).filter((t) => t !== "NT AUTHORITY\\SELF").sort();
    expect(trustees).toEqual(fixture.grants.filter((gr) => gr.right === "SendAs").map((gr) => gr.trustee).sort());
  });

  it("makes a write through the wire once, and logs it once in the tenant's log and the request log", async () => {
    served = await serve();
    const x = await token(served, "exchange");
    const before = served.tenant.readLog().length;
    const res = await invoke(served, x, "Add-RecipientPermission", { Identity: "support@contoso.com", Trustee: "kim.nguyen@contoso.com", AccessRights: ["SendAs"], Confirm: false });
    expect(res.status).toBe(200);
    const log = served.tenant.readLog().slice(before);
    expect(log.map((e) => [e.operation, e.outcome])).toEqual([["addRecipientPermission", "ok"]]);
    const requests = served.tenant.readRequests().filter((r) => r.cmdlet === "Add-RecipientPermission");
    expect(requests).toMatchObject([{ service: "exchange", method: "POST", status: 200, throttled: false, fault: null }]);
  });
});

describe("throttling over the wire", () => {
  it("answers 429 with Retry-After once the Graph write budget is spent, and admits the call after that wait on the tenant clock", async () => {
    served = await serve();
    served.tenant.setFaults({ graphWritesPer150s: 2 });
    const g = await token(served, "graph");
    const patch = () => graph(served!, g, "PATCH", "/users/ann.lee@contoso.com", { usageLocation: "NL" });
    expect((await patch()).status).toBe(204);
    expect((await patch()).status).toBe(204);
    const refused = await patch();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-ms-throttle-information")).toBe("WriteLimitExceeded");
    const wait = Number(refused.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("TooManyRequests");
    await control(served, "POST", "/clock/advance", { ms: Math.ceil(wait * 1000) });
    expect((await patch()).status).toBe(204);
    expect(served.tenant.readRequests().filter((r) => r.throttled)).toHaveLength(1);
  });

  it("throttles Exchange cmdlets per tenant and says so in Rate-Limit headers", async () => {
    served = await serve();
    served.tenant.setFaults({ exchangeCmdletsPer5s: 3 });
    const x = await token(served, "exchange");
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await invoke(served, x, "Get-Mailbox", { Identity: "support@contoso.com" })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    await control(served, "POST", "/clock/advance", { ms: 5_000 });
    const ok = await invoke(served, x, "Get-Mailbox", { Identity: "support@contoso.com" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("rate-limit-limit")).toBe("3");
  });
});

describe("faults over the wire", () => {
  it("answers 503 or 504 without running the request", async () => {
    served = await serve();
    served.tenant.setFaults({ wireErrorRate: 1, wireThrottling: false });
    const x = await token(served, "exchange");
    const res = await invoke(served, x, "Add-RecipientPermission", { Identity: "support@contoso.com", Trustee: "kim.nguyen@contoso.com", AccessRights: ["SendAs"], Confirm: false });
    expect([503, 504]).toContain(res.status);
    expect(served.tenant.readLog({ operation: "addRecipientPermission" })).toEqual([]);
  });

  it("commits a write whose response is lost: the client sees the connection close, the tenant has the change", async () => {
    served = await serve();
    served.tenant.setFaults({ wireLostResponseRate: 1, wireThrottling: false });
    const x = await token(served, "exchange");
    await expect(invoke(served, x, "Add-RecipientPermission", { Identity: "support@contoso.com", Trustee: "kim.nguyen@contoso.com", AccessRights: ["SendAs"], Confirm: false })).rejects.toThrow();
    expect(served.tenant.readLog({ operation: "addRecipientPermission" }).map((e) => e.outcome)).toEqual(["ok"]);
    expect(await served.tenant.getGrants("support@contoso.com")).toContainEqual({ mailbox: "support@contoso.com", right: "SendAs", trustee: "kim.nguyen@contoso.com" });
    // a read's answer is never lost
    expect((await invoke(served, x, "Get-Mailbox", { Identity: "support@contoso.com" })).status).toBe(200);
  });

  it("resets the connection in the middle of a response", async () => {
    served = await serve();
    served.tenant.setFaults({ wireResetRate: 1, wireThrottling: false });
    const g = await token(served, "graph");
    await expect(graph(served, g, "GET", "/users").then((r) => r.json())).rejects.toThrow();
    expect(served.tenant.readRequests().at(-1)).toMatchObject({ fault: "reset" });
  });

  it("holds a slow response back for the wall time set", async () => {
    served = await serve();
    served.tenant.setFaults({ wireSlowRate: 1, wireSlowMs: 300, wireThrottling: false });
    const g = await token(served, "graph");
    await expect(graph(served, g, "GET", "/users", undefined, {}).then(() => "done")).resolves.toBe("done");
    const aborted = fetch(`${served.origin}/v1.0/users`, { headers: { authorization: `Bearer ${g}` }, signal: AbortSignal.timeout(50) });
    await expect(aborted).rejects.toThrow();
  });

  it("shows a write at once on its own backend and, with a read lag, possibly not yet on another", async () => {
    served = await serve();
    served.tenant.setFaults({ readLagMs: 60_000, wireThrottling: false });
    const x = await token(served, "exchange");
    const add = await invoke(served, x, "Add-RecipientPermission", { Identity: "support@contoso.com", Trustee: "kim.nguyen@contoso.com", AccessRights: ["SendAs"], Confirm: false });
    expect(add.status).toBe(200);
    const seen: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      const body = (await (await invoke(served, x, "Get-RecipientPermission", { Identity: "support@contoso.com" })).json()) as { value: Array<{ Trustee: string }> };
      seen.push(body.value.some((r) => r.Trustee === "kim.nguyen@contoso.com"));
    }
    expect(seen).toContain(true);
    expect(seen).toContain(false);
    await control(served, "POST", "/clock/advance", { ms: 60_001 });
    const after = (await (await invoke(served, x, "Get-RecipientPermission", { Identity: "support@contoso.com" })).json()) as { value: Array<{ Trustee: string }> };
    expect(after.value.some((r) => r.Trustee === "kim.nguyen@contoso.com")).toBe(true);
  });
});

describe("the control API", () => {
  it("reads and moves the tenant clock, never backwards", async () => {
    served = await serve();
    const now = Date.parse(((await (await control(served, "GET", "/clock")).json()) as { now: string }).now);
    const moved = (await (await control(served, "POST", "/clock/until", { at: new Date(now + 90_000).toISOString() })).json()) as { now: string };
    expect(Date.parse(moved.now)).toBe(now + 90_000);
    const same = (await (await control(served, "POST", "/clock/until", { at: new Date(now).toISOString() })).json()) as { now: string };
    expect(Date.parse(same.now)).toBe(now + 90_000);
    expect((await control(served, "POST", "/clock/advance", { ms: -1 })).status).toBe(400);
  });
});
