/**
 * The local endpoint's Graph v1.0 (providers/local-endpoint/graph.ts), called
 * directly with a server-less context over a real simulated tenant (contoso):
 * routes and shapes, $select/$filter/$top/$count/$skiptoken, PATCH and
 * assignLicense, the recycle bin, permissions, the tenant's refusals in
 * Graph's error shape, and $batch.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { EndpointContext, ObjectKey, ReadView } from "../../providers/local-endpoint/context.js";
import { handleGraph } from "../../providers/local-endpoint/graph.js";
import { servicePlanId } from "../../providers/local-endpoint/graph-directory.js";
import { PERMISSION, ROLE } from "../../providers/local-endpoint/permissions.js";
import type { Caller, WireRequest, WireResponse } from "../../providers/local-endpoint/wire.js";
import type { SimulatedTenant, TenantFixture } from "../../providers/simulated/index.js";
import { applyCaller, directContext, readOnlyCaller, tempTenant } from "./direct-context.js";

const VIEW: ReadView = { backend: 0 };
const ORIGIN = "https://127.0.0.1:1";
const SKU = {
  EXCHANGESTANDARD: "4b9405b0-7788-4568-add1-99614e613b69",
  SPB: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
  SPE_E3: "05e9a617-0261-4cee-bb44-138d3ef5d965",
};
/** contoso's live users, as /users sorts them (by UPN). jack.hale is soft-deleted. */
const LIVE_UPNS = [
  "ann.lee@contoso.com", "ben.ortiz@contoso.com", "carla.diaz@contoso.com", "dev.patel@contoso.com", "erin.kim@contoso.com",
  "events-2025@contoso.com", "frank.moss@contoso.com", "gina.rossi@contoso.com", "harry.wells@contoso.com", "ivy.chen@contoso.com",
  "kim.nguyen@contoso.com", "legal@contoso.com", "old-projects@contoso.com", "support@contoso.com",
];

const opened: SimulatedTenant[] = [];
afterEach(() => {
  for (const t of opened.splice(0)) t.close();
});

interface World {
  readonly tenant: SimulatedTenant;
  readonly ctx: EndpointContext;
  readonly apply: Caller;
  readonly readOnly: Caller;
}

function world(edit?: (fixture: TenantFixture) => TenantFixture): World {
  const tenant = tempTenant();
  opened.push(tenant);
  if (edit) tenant.seed(edit(tenant.exportFixture()));
  const ctx = directContext(tenant, ORIGIN);
  return { tenant, ctx, apply: applyCaller(ctx.tenantId), readOnly: readOnlyCaller(ctx.tenantId) };
}

/** A caller holding exactly these permissions and roles. */
function callerWith(w: World, roles: readonly string[], wids: readonly string[] = []): Caller {
  return { appId: "custom-app", tenantId: w.ctx.tenantId, roles: new Set(roles), wids: new Set(wids) };
}

interface Init {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly requestId?: string;
}

/** A request for a URL relative to the origin ("/v1.0/users?$top=5") or absolute under it (a nextLink). */
function request(method: string, url: string, init: Init = {}): WireRequest {
  const relative = url.startsWith(ORIGIN) ? url.slice(ORIGIN.length) : url;
  const q = relative.indexOf("?");
  return {
    method,
    path: q < 0 ? relative : relative.slice(0, q),
    query: new URLSearchParams(q < 0 ? "" : relative.slice(q + 1)),
    headers: init.headers ?? {},
    body: init.body,
    requestId: init.requestId ?? "req-1",
  };
}

function send(w: World, caller: Caller, method: string, url: string, init: Init = {}, ctx: EndpointContext = w.ctx): Promise<WireResponse> {
  return handleGraph(request(method, url, init), caller, VIEW, ctx);
}

type Json = Record<string, unknown>;
const bodyOf = (res: WireResponse): Json => res.body as Json;
const errorOf = (res: WireResponse): { code: string; message: string; details?: Json[]; innerError: Json } =>
  bodyOf(res)["error"] as { code: string; message: string; details?: Json[]; innerError: Json };
const valuesOf = (res: WireResponse): Json[] => bodyOf(res)["value"] as Json[];
const upnsOf = (res: WireResponse): string[] => valuesOf(res).map((u) => u["userPrincipalName"] as string);

/** Follow nextLinks from `url`; every page's UPNs. */
async function allPages(w: World, url: string): Promise<string[][]> {
  const pages: string[][] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    const res = await send(w, w.apply, "GET", next);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(upnsOf(res));
    next = bodyOf(res)["@odata.nextLink"] as string | undefined;
    expect(pages.length).toBeLessThan(50);
  }
  return pages;
}

/** contoso plus `n` more live users (user-000@ ... ), for paging past the default page size. */
function withUsers(n: number): (f: TenantFixture) => TenantFixture {
  return (f) => ({
    ...f,
    users: [
      ...f.users,
      ...Array.from({ length: n }, (_, i) => ({ id: `x-${String(i).padStart(4, "0")}`, userPrincipalName: `user-${String(i).padStart(3, "0")}@contoso.com`, displayName: `User ${i}` })),
    ],
  });
}

// ==================================================================== GET /users

describe("GET /v1.0/users", () => {
  it("lists the live users with exactly Graph's default properties, soft-deleted ones left out", async () => {
    const w = world();
    const res = await send(w, w.readOnly, "GET", "/v1.0/users");
    expect(res.status).toBe(200);
    expect(bodyOf(res)["@odata.context"]).toBe(`${ORIGIN}/v1.0/$metadata#users`);
    expect(upnsOf(res)).toEqual(LIVE_UPNS);
    const ann = valuesOf(res)[0]!;
    expect(Object.keys(ann).sort()).toEqual(
      ["businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName"].sort(),
    );
    expect(ann).toMatchObject({ id: "u-0001", displayName: "Ann Lee", mail: "ann.lee@contoso.com", businessPhones: [] });
    expect(valuesOf(res).find((u) => u["userPrincipalName"] === "gina.rossi@contoso.com")!["mail"]).toBeNull(); // no mailbox
    expect(res.headers?.["client-request-id"]).toBe("req-1");
  });

  it("projects $select, with licences as skuIds and onPremisesSyncEnabled true for synced users and null otherwise", async () => {
    const w = world();
    const res = await send(w, w.readOnly, "GET", "/v1.0/users?$select=id,userPrincipalName,accountEnabled,assignedLicenses,usageLocation,onPremisesSyncEnabled");
    expect(bodyOf(res)["@odata.context"]).toBe(`${ORIGIN}/v1.0/$metadata#users(id,userPrincipalName,accountEnabled,assignedLicenses,usageLocation,onPremisesSyncEnabled)`);
    const byUpn = new Map(valuesOf(res).map((u) => [u["userPrincipalName"], u]));
    expect(byUpn.get("ann.lee@contoso.com")).toEqual({
      id: "u-0001", userPrincipalName: "ann.lee@contoso.com", accountEnabled: true,
      assignedLicenses: [{ disabledPlans: [], skuId: SKU.SPE_E3 }], usageLocation: "US", onPremisesSyncEnabled: null,
    });
    expect(byUpn.get("frank.moss@contoso.com")!["onPremisesSyncEnabled"]).toBe(true);
    expect(byUpn.get("gina.rossi@contoso.com")).toMatchObject({ usageLocation: null, assignedLicenses: [] });
  });

  it("refuses $select of a property users do not have", async () => {
    const w = world();
    const res = await send(w, w.readOnly, "GET", "/v1.0/users?$select=id,shoeSize");
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: "BadRequest", message: "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'." });
  });

  it("pages through every live user once with $top and absolute nextLinks carrying an opaque $skiptoken", async () => {
    const w = world();
    const first = await send(w, w.apply, "GET", "/v1.0/users?$select=userPrincipalName&$top=5");
    const link = bodyOf(first)["@odata.nextLink"] as string;
    expect(link.startsWith(`${ORIGIN}/v1.0/users?`)).toBe(true);
    expect(link).toContain("$select=userPrincipalName");
    expect(link).toContain("$top=5");
    const token = new URL(link).searchParams.get("$skiptoken")!;
    expect(token).not.toMatch(/^\d+$/); // not an offset
    const pages = await allPages(w, "/v1.0/users?$select=userPrincipalName&$top=5");
    expect(pages.map((p) => p.length)).toEqual([5, 5, 4]);
    expect(pages.flat()).toEqual(LIVE_UPNS);
  });

  it("keeps paging by position: a user added before the cursor between pages neither repeats nor skips anyone", async () => {
    const w = world();
    const first = await send(w, w.apply, "GET", "/v1.0/users?$select=userPrincipalName&$top=5");
    expect(upnsOf(first)).toEqual(LIVE_UPNS.slice(0, 5));
    await w.tenant.createSharedMailbox({ address: "aaa-new@contoso.com", displayName: "Sorts First" });
    const second = await send(w, w.apply, "GET", bodyOf(first)["@odata.nextLink"] as string);
    expect(upnsOf(second)).toEqual(LIVE_UPNS.slice(5, 10));
  });

  it("refuses a forged, altered or foreign $skiptoken with 400", async () => {
    const w = world();
    const first = await send(w, w.apply, "GET", "/v1.0/users?$top=5");
    const token = new URL(bodyOf(first)["@odata.nextLink"] as string).searchParams.get("$skiptoken")!;
    const [payload] = token.split(".");
    const forged = `${Buffer.from(JSON.stringify(["users", "zzz@contoso.com", "u-9"])).toString("base64url")}.${token.split(".")[1]}`;
    for (const bad of [forged, `${payload}.AAAA`, "5", "not-a-token"]) {
      const res = await send(w, w.apply, "GET", `/v1.0/users?$top=5&$skiptoken=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(errorOf(res).code).toBe("Request_BadRequest");
    }
    // a users token does not page the recycle bin
    const foreign = await send(w, w.apply, "GET", `/v1.0/directory/deletedItems/microsoft.graph.user?$skiptoken=${encodeURIComponent(token)}`);
    expect(foreign.status).toBe(400);
  });

  it("serves 100 users a page by default and up to 999 with $top", async () => {
    const w = world(withUsers(120));
    const byDefault = await send(w, w.apply, "GET", "/v1.0/users?$select=id");
    expect(valuesOf(byDefault)).toHaveLength(100);
    expect(bodyOf(byDefault)["@odata.nextLink"]).toBeDefined();
    const all = await send(w, w.apply, "GET", "/v1.0/users?$select=id&$top=999");
    expect(valuesOf(all)).toHaveLength(134);
    expect(bodyOf(all)["@odata.nextLink"]).toBeUndefined();
  });

  it("refuses $top outside 1..999 with Graph's message", async () => {
    const w = world();
    for (const top of ["1000", "0", "abc"]) {
      const res = await send(w, w.apply, "GET", `/v1.0/users?$top=${top}`);
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: "Request_BadRequest", message: `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.` });
    }
  });

  it("filters with eq on id, userPrincipalName (any case), mail, accountEnabled and onPremisesSyncEnabled", async () => {
    const w = world();
    const filter = async (f: string): Promise<string[]> => {
      const res = await send(w, w.apply, "GET", `/v1.0/users?$filter=${encodeURIComponent(f)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return upnsOf(res);
    };
    expect(await filter("id eq 'u-0002'")).toEqual(["ben.ortiz@contoso.com"]);
    expect(await filter("userPrincipalName eq 'Ann.Lee@Contoso.com'")).toEqual(["ann.lee@contoso.com"]);
    expect(await filter("mail eq 'support@contoso.com'")).toEqual(["support@contoso.com"]);
    expect(await filter("accountEnabled eq false")).toEqual(["events-2025@contoso.com", "ivy.chen@contoso.com", "kim.nguyen@contoso.com", "legal@contoso.com", "old-projects@contoso.com"]);
    expect(await filter("onPremisesSyncEnabled eq true")).toEqual(["frank.moss@contoso.com"]);
    expect(await filter("onPremisesSyncEnabled eq false")).toEqual([]); // cloud-only users have null, as in Graph
  });

  it("filters with in, startswith, and/or and parentheses", async () => {
    const w = world();
    const filter = async (f: string): Promise<string[]> => upnsOf(await send(w, w.apply, "GET", `/v1.0/users?$filter=${encodeURIComponent(f)}`));
    expect(await filter("id in ('u-0001','u-0011','u-0010')")).toEqual(["ann.lee@contoso.com", "support@contoso.com"]); // u-0010 is deleted
    expect(await filter("userPrincipalName in ('legal@contoso.com', 'nobody@contoso.com')")).toEqual(["legal@contoso.com"]);
    expect(await filter("startswith(userPrincipalName,'E')")).toEqual(["erin.kim@contoso.com", "events-2025@contoso.com"]);
    expect(await filter("startswith(userPrincipalName,'e') and accountEnabled eq true")).toEqual(["erin.kim@contoso.com"]);
    expect(await filter("id eq 'u-0001' or id eq 'u-0003' and accountEnabled eq false")).toEqual(["ann.lee@contoso.com"]); // and binds tighter
    expect(await filter("(id eq 'u-0001' or id eq 'u-0009') and accountEnabled eq false")).toEqual(["ivy.chen@contoso.com"]);
  });

  it("refuses filters Graph would not run with its own codes and messages", async () => {
    const w = world();
    const refusal = async (f: string) => {
      const res = await send(w, w.apply, "GET", `/v1.0/users?$filter=${encodeURIComponent(f)}`);
      expect(res.status, f).toBe(400);
      return errorOf(res);
    };
    expect(await refusal("displayName eq 'Ann Lee'")).toMatchObject({
      code: "Request_UnsupportedQuery", message: "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.",
    });
    expect(await refusal("accountEnabled ne true")).toMatchObject({ code: "Request_UnsupportedQuery", message: "Unsupported property filter clause operator 'NotEqualsMatch'." });
    expect((await refusal("endswith(mail,'@contoso.com')")).code).toBe("Request_UnsupportedQuery");
    expect((await refusal("startswith(mail,'a')")).code).toBe("Request_UnsupportedQuery");
    expect((await refusal("mail in ('a@contoso.com')")).code).toBe("Request_UnsupportedQuery");
    expect((await refusal("onPremisesSyncEnabled eq null")).code).toBe("Request_UnsupportedQuery"); // null needs an advanced query
    expect(await refusal("accountEnabled eq 'true'")).toMatchObject({ code: "BadRequest", message: "Invalid filter clause" });
    expect(await refusal("id eq 'u-0001' and")).toMatchObject({ code: "BadRequest", message: "Invalid filter clause" });
    expect((await refusal("shoeSize eq 'x'")).message).toBe("Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
  });

  it("counts with $count=true only under ConsistencyLevel: eventual, over all matches rather than the page", async () => {
    const w = world();
    const refused = await send(w, w.apply, "GET", "/v1.0/users?$count=true");
    expect(refused.status).toBe(400);
    expect(errorOf(refused)).toMatchObject({ code: "Request_BadRequest", message: "$count is not currently supported." });
    const counted = await send(w, w.apply, "GET", "/v1.0/users?$count=true&$top=2&$filter=accountEnabled%20eq%20false", { headers: { consistencylevel: "eventual" } });
    expect(counted.status).toBe(200);
    expect(bodyOf(counted)["@odata.count"]).toBe(5);
    expect(valuesOf(counted)).toHaveLength(2);
    const advanced = await send(w, w.apply, "GET", "/v1.0/users?$count=true&$filter=onPremisesSyncEnabled%20eq%20null", { headers: { consistencylevel: "eventual" } });
    expect(bodyOf(advanced)["@odata.count"]).toBe(13);
  });
});

// ==================================================================== GET /users/{id}

describe("GET /v1.0/users/{id|upn}", () => {
  it("gets a user by id or by UPN in any case or percent-encoded, with $select", async () => {
    const w = world();
    const byId = await send(w, w.readOnly, "GET", "/v1.0/users/u-0008");
    expect(bodyOf(byId)).toMatchObject({ "@odata.context": `${ORIGIN}/v1.0/$metadata#users/$entity`, userPrincipalName: "harry.wells@contoso.com", mail: "harry.wells@contoso.com" });
    const byUpn = await send(w, w.readOnly, "GET", "/v1.0/users/Harry.Wells%40contoso.com?$select=id,accountEnabled");
    expect(bodyOf(byUpn)).toEqual({ "@odata.context": `${ORIGIN}/v1.0/$metadata#users(id,accountEnabled)/$entity`, id: "u-0008", accountEnabled: true });
  });

  it("answers 404 Request_ResourceNotFound with Graph's message for an unknown or soft-deleted user", async () => {
    const w = world();
    for (const who of ["u-9999", "jack.hale@contoso.com", "u-0010"]) {
      const res = await send(w, w.readOnly, "GET", `/v1.0/users/${who}`);
      expect(res.status, who).toBe(404);
      expect(errorOf(res)).toMatchObject({ code: "Request_ResourceNotFound", message: `Resource '${who}' does not exist or one of its queried reference-property objects are not present.` });
    }
  });
});

// ==================================================================== PATCH /users/{id}

describe("PATCH /v1.0/users/{id|upn}", () => {
  it("blocks sign-in with accountEnabled false and answers 204", async () => {
    const w = world();
    const res = await send(w, w.apply, "PATCH", "/v1.0/users/support@contoso.com", { body: { accountEnabled: false } });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await w.tenant.getUser("support@contoso.com"))!.accountEnabled).toBe(false);
  });

  it("sets usageLocation, and an invalid one is the tenant's refusal as 400 with its code in details", async () => {
    const w = world();
    expect((await send(w, w.apply, "PATCH", "/v1.0/users/u-0007", { body: { usageLocation: "NL" } })).status).toBe(204);
    expect((await w.tenant.getUser("gina.rossi@contoso.com"))!.usageLocation).toBe("NL");
    const bad = await send(w, w.apply, "PATCH", "/v1.0/users/u-0007", { body: { usageLocation: "Netherlands" } });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe("Request_BadRequest");
    expect(errorOf(bad).details![0]).toMatchObject({ code: "Request_BadRequest", target: "gina.rossi@contoso.com" });
    expect(errorOf(bad).message).toContain("usageLocation");
  });

  it("resets the password through passwordProfile without the password reaching the tenant's log or state", async () => {
    const w = world();
    const secret = "Correct-Horse-Battery-9!";
    const res = await send(w, w.apply, "PATCH", "/v1.0/users/ann.lee@contoso.com", { body: { passwordProfile: { password: secret, forceChangePasswordNextSignIn: true } } });
    expect(res.status).toBe(204);
    expect(w.tenant.readLog({ operation: "resetPassword" })).toHaveLength(1);
    expect(JSON.stringify(w.tenant.readLog())).not.toContain(secret);
    expect(JSON.stringify(w.tenant.exportFixture())).not.toContain(secret);
    expect(w.tenant.exportFixture().users.find((u) => u.id === "u-0001")!.passwordResetAt).not.toBeNull();
  });

  it("refuses sign-in changes of a directory-synced user as 400 Request_BadRequest, as Graph does for mastered properties", async () => {
    const w = world();
    const res = await send(w, w.apply, "PATCH", "/v1.0/users/frank.moss@contoso.com", { body: { accountEnabled: false } });
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe("Request_BadRequest");
    expect(errorOf(res).message).toContain("on-premises mastered Directory Sync objects");
    expect((await w.tenant.getUser("frank.moss@contoso.com"))!.accountEnabled).toBe(true);
  });

  it("refuses unknown and read-only properties with 400 naming the property, before writing anything", async () => {
    const w = world();
    const unknown = await send(w, w.apply, "PATCH", "/v1.0/users/u-0001", { body: { accountEnabled: false, shoeSize: 44 } });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown)).toMatchObject({ code: "Request_BadRequest" });
    expect(errorOf(unknown).message).toContain("'shoeSize'");
    const readOnly = await send(w, w.apply, "PATCH", "/v1.0/users/u-0001", { body: { onPremisesSyncEnabled: true } });
    expect(errorOf(readOnly).message).toBe("Property 'onPremisesSyncEnabled' is read-only and cannot be set.");
    const unmodelled = await send(w, w.apply, "PATCH", "/v1.0/users/u-0001", { body: { displayName: "Ann" } });
    expect(unmodelled.status).toBe(400);
    expect(errorOf(unmodelled).message).toContain("'displayName'");
    expect((await w.tenant.getUser("ann.lee@contoso.com"))!.accountEnabled).toBe(true);
    expect(w.tenant.readLog({ operation: "setAccountEnabled" })).toHaveLength(0);
  });

  it("refuses values of the wrong type, an empty password, and a missing body with 400", async () => {
    const w = world();
    for (const body of [{ accountEnabled: "false" }, { usageLocation: 31 }, { passwordProfile: { password: "" } }, { passwordProfile: "x" }, undefined, [1]]) {
      const res = await send(w, w.apply, "PATCH", "/v1.0/users/u-0001", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).code).toBe("Request_BadRequest");
    }
    expect(w.tenant.readLog({ operation: "resetPassword" })).toHaveLength(0);
  });

  it("applies properties in order and, when a later one is refused, says which earlier ones stay applied", async () => {
    const w = world();
    const res = await send(w, w.apply, "PATCH", "/v1.0/users/u-0001", { body: { accountEnabled: false, usageLocation: "xx" } });
    expect(res.status).toBe(400);
    const details = errorOf(res).details!;
    expect(details[0]).toMatchObject({ code: "Request_BadRequest" });
    expect(details[1]).toMatchObject({ code: "PartiallyApplied", target: "accountEnabled" });
    expect((await w.tenant.getUser("ann.lee@contoso.com"))!.accountEnabled).toBe(false);
  });

  it("answers 404 for a user that does not exist", async () => {
    const w = world();
    const res = await send(w, w.apply, "PATCH", "/v1.0/users/nobody@contoso.com", { body: { accountEnabled: false } });
    expect(res.status).toBe(404);
    expect(errorOf(res).code).toBe("Request_ResourceNotFound");
  });
});

// ==================================================================== permissions

describe("Graph permissions", () => {
  const denied = (res: WireResponse): void => {
    expect(res.status).toBe(403);
    expect(errorOf(res)).toMatchObject({ code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." });
  };

  it("lets the read-only app read users, SKUs and the recycle bin but refuses its PATCH, assignLicense and restore", async () => {
    const w = world();
    for (const url of ["/v1.0/users", "/v1.0/users/u-0001", "/v1.0/subscribedSkus", "/v1.0/directory/deletedItems/microsoft.graph.user", "/v1.0/organization"]) {
      expect((await send(w, w.readOnly, "GET", url)).status, url).toBe(200);
    }
    denied(await send(w, w.readOnly, "PATCH", "/v1.0/users/u-0001", { body: { accountEnabled: false } }));
    denied(await send(w, w.readOnly, "POST", "/v1.0/users/u-0009/assignLicense", { body: { addLicenses: [{ skuId: SKU.EXCHANGESTANDARD }], removeLicenses: [] } }));
    denied(await send(w, w.readOnly, "POST", "/v1.0/directory/deletedItems/u-0010/restore"));
    expect(w.tenant.readLog().filter((e) => !e.operation.startsWith("admin."))).toHaveLength(0);
  });

  it("refuses reads to an app without a user-reading permission", async () => {
    const w = world();
    const licensesOnly = callerWith(w, [PERMISSION.licenseAssignment]);
    denied(await send(w, licensesOnly, "GET", "/v1.0/users"));
    denied(await send(w, licensesOnly, "GET", "/v1.0/directory/deletedItems/microsoft.graph.user"));
    expect((await send(w, licensesOnly, "GET", "/v1.0/subscribedSkus")).status).toBe(200);
    denied(await send(w, callerWith(w, [PERMISSION.userReadAll]), "GET", "/v1.0/subscribedSkus"));
  });

  it("resets passwords only for an app with User-PasswordProfile.ReadWrite.All and the User Administrator role", async () => {
    const w = world();
    const body = { passwordProfile: { password: "Secret-123!" } };
    denied(await send(w, callerWith(w, [PERMISSION.userReadWriteAll], [ROLE.userAdministrator]), "PATCH", "/v1.0/users/u-0001", { body }));
    denied(await send(w, callerWith(w, [PERMISSION.userPasswordProfile], [ROLE.exchangeAdministrator]), "PATCH", "/v1.0/users/u-0001", { body }));
    expect((await send(w, callerWith(w, [PERMISSION.userPasswordProfile], [ROLE.userAdministrator]), "PATCH", "/v1.0/users/u-0001", { body })).status).toBe(204);
    expect((await send(w, callerWith(w, [PERMISSION.userPasswordProfile], [ROLE.privilegedAuthenticationAdministrator]), "PATCH", "/v1.0/users/u-0001", { body })).status).toBe(204);
  });

  it("lets User.EnableDisableAccount.All change sign-in but not usageLocation, and refuses the whole PATCH when one property is not permitted", async () => {
    const w = world();
    const enableOnly = callerWith(w, [PERMISSION.userEnableDisable]);
    expect((await send(w, enableOnly, "PATCH", "/v1.0/users/u-0002", { body: { accountEnabled: false } })).status).toBe(204);
    denied(await send(w, enableOnly, "PATCH", "/v1.0/users/u-0003", { body: { accountEnabled: false, usageLocation: "NL" } }));
    expect((await w.tenant.getUser("carla.diaz@contoso.com"))!.accountEnabled).toBe(true);
  });
});

// ==================================================================== assignLicense

describe("POST /v1.0/users/{id}/assignLicense", () => {
  it("assigns and removes by skuId and answers 200 with the user", async () => {
    const w = world();
    const res = await send(w, w.apply, "POST", "/v1.0/users/ivy.chen@contoso.com/assignLicense", {
      body: { addLicenses: [{ skuId: SKU.EXCHANGESTANDARD, disabledPlans: [] }], removeLicenses: [] },
    });
    expect(res.status).toBe(200);
    expect(bodyOf(res)).toMatchObject({ "@odata.context": `${ORIGIN}/v1.0/$metadata#users/$entity`, id: "u-0009", userPrincipalName: "ivy.chen@contoso.com" });
    expect((await w.tenant.getUser("ivy.chen@contoso.com"))!.licenses).toEqual(["EXCHANGESTANDARD"]);
    const removed = await send(w, w.apply, "POST", "/v1.0/users/u-0009/assignLicense", { body: { addLicenses: [], removeLicenses: [SKU.EXCHANGESTANDARD.toUpperCase()] } });
    expect(removed.status).toBe(200);
    expect((await w.tenant.getUser("ivy.chen@contoso.com"))!.licenses).toEqual([]);
  });

  it("requires both arrays, in Graph's wording", async () => {
    const w = world();
    const res = await send(w, w.apply, "POST", "/v1.0/users/u-0009/assignLicense", { body: { removeLicenses: [SKU.SPE_E3] } });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({
      code: "Request_BadRequest",
      message: "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: addLicenses.",
    });
    const neither = await send(w, w.apply, "POST", "/v1.0/users/u-0009/assignLicense", { body: {} });
    expect(errorOf(neither).message).toContain("addLicenses, removeLicenses");
  });

  it("refuses a skuId the tenant does not subscribe to", async () => {
    const w = world();
    const unknown = "11111111-2222-3333-4444-555555555555";
    const res = await send(w, w.apply, "POST", "/v1.0/users/u-0009/assignLicense", { body: { addLicenses: [{ skuId: unknown }], removeLicenses: [] } });
    expect(res.status).toBe(400);
    expect(errorOf(res).message).toBe(`License ${unknown} does not correspond to a valid company License.`);
  });

  it("answers 400 with details code CountViolation when the SKU has no free seat", async () => {
    const w = world();
    const add = { addLicenses: [{ skuId: SKU.SPB, disabledPlans: [] }], removeLicenses: [] };
    expect((await send(w, w.apply, "POST", "/v1.0/users/u-0009/assignLicense", { body: add })).status).toBe(200);
    const res = await send(w, w.apply, "POST", "/v1.0/users/u-0013/assignLicense", { body: add });
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe("Request_BadRequest");
    expect(errorOf(res).details![0]).toMatchObject({ code: "CountViolation", target: "kim.nguyen@contoso.com" });
  });

  it("answers 400 with details code InvalidUsageLocation for a user without usage location", async () => {
    const w = world();
    const res = await send(w, w.apply, "POST", "/v1.0/users/gina.rossi@contoso.com/assignLicense", { body: { addLicenses: [{ skuId: SKU.EXCHANGESTANDARD }], removeLicenses: [] } });
    expect(res.status).toBe(400);
    expect(errorOf(res).details![0]!["code"]).toBe("InvalidUsageLocation");
    expect(errorOf(res).message).toContain("License assignment cannot be done for user with invalid usage location");
  });

  it("answers 400, not 404, when removing a licence the user does not hold", async () => {
    const w = world();
    const res = await send(w, w.apply, "POST", "/v1.0/users/u-0009/assignLicense", { body: { addLicenses: [], removeLicenses: [SKU.SPE_E3] } });
    expect(res.status).toBe(400);
    expect(errorOf(res).details![0]!["code"]).toBe("LicenseNotAssigned");
  });

  it("tells the read-lag model that a licence change touches the user and its mailbox", async () => {
    const w = world();
    const touched: ObjectKey[][] = [];
    const ctx: EndpointContext = { ...w.ctx, write: (view, keys, run) => (touched.push([...keys]), w.ctx.write(view, keys, run)) };
    await send(w, w.apply, "POST", "/v1.0/users/u-0009/assignLicense", { body: { addLicenses: [{ skuId: SKU.EXCHANGESTANDARD }], removeLicenses: [] } }, ctx);
    await send(w, w.apply, "PATCH", "/v1.0/users/u-0002", { body: { accountEnabled: false } }, ctx);
    expect(touched).toEqual([["user:ivy.chen@contoso.com", "mailbox:ivy.chen@contoso.com"], ["user:ben.ortiz@contoso.com"]]);
  });
});

// ==================================================================== subscribedSkus, organization

describe("GET /v1.0/subscribedSkus and /v1.0/organization", () => {
  it("lists SKUs with seats used and bought, and service plans under R7.5's GUIDs", async () => {
    const w = world();
    const res = await send(w, w.readOnly, "GET", "/v1.0/subscribedSkus");
    expect(bodyOf(res)["@odata.context"]).toBe(`${ORIGIN}/v1.0/$metadata#subscribedSkus`);
    const standard = valuesOf(res).find((s) => s["skuPartNumber"] === "EXCHANGESTANDARD")!;
    expect(standard).toEqual({
      capabilityStatus: "Enabled",
      consumedUnits: 3,
      id: `contoso_${SKU.EXCHANGESTANDARD}`,
      prepaidUnits: { enabled: 6, suspended: 0, warning: 0, lockedOut: 0 },
      servicePlans: [{ servicePlanId: "9aaf7827-d63c-4b61-89c3-182f06f82e5c", servicePlanName: "EXCHANGE_S_STANDARD", provisioningStatus: "Success", appliesTo: "User" }],
      skuId: SKU.EXCHANGESTANDARD,
      skuPartNumber: "EXCHANGESTANDARD",
      appliesTo: "User",
    });
    const spb = valuesOf(res).find((s) => s["skuPartNumber"] === "SPB")!;
    expect((spb["servicePlans"] as Json[]).map((p) => p["servicePlanId"])).toEqual(["176a09a6-7ec5-4039-ac02-b2791c6ba793", "9aaf7827-d63c-4b61-89c3-182f06f82e5c"]);
  });

  it("gives service plans without a known GUID a stable name-based one", () => {
    expect(servicePlanId("TEAMS1")).toBe(servicePlanId("TEAMS1"));
    expect(servicePlanId("TEAMS1")).not.toBe(servicePlanId("TEAMS2"));
    expect(servicePlanId("TEAMS1")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("describes the organization with its verified domains, the onmicrosoft.com one initial", async () => {
    const w = world();
    const res = await send(w, w.readOnly, "GET", "/v1.0/organization");
    expect(valuesOf(res)).toEqual([
      {
        id: "contoso",
        displayName: "contoso",
        onPremisesSyncEnabled: true,
        verifiedDomains: [
          { isDefault: true, isInitial: false, name: "contoso.com", type: "Managed" },
          { isDefault: false, isInitial: true, name: "contoso.onmicrosoft.com", type: "Managed" },
        ],
      },
    ]);
  });
});

// ==================================================================== recycle bin

describe("deleted users", () => {
  it("lists soft-deleted users with their deletedDateTime", async () => {
    const w = world();
    const res = await send(w, w.readOnly, "GET", "/v1.0/directory/deletedItems/microsoft.graph.user");
    expect(bodyOf(res)["@odata.context"]).toBe(`${ORIGIN}/v1.0/$metadata#directory/deletedItems/microsoft.graph.user`);
    expect(valuesOf(res)).toHaveLength(1);
    expect(valuesOf(res)[0]).toMatchObject({ id: "u-0010", userPrincipalName: "jack.hale@contoso.com", deletedDateTime: "2026-10-22T09:00:00.000Z", mail: "jack.hale@contoso.com" });
    const one = await send(w, w.readOnly, "GET", "/v1.0/directory/deletedItems/u-0010?$select=id,deletedDateTime");
    expect(bodyOf(one)).toMatchObject({ "@odata.type": "#microsoft.graph.user", id: "u-0010", deletedDateTime: "2026-10-22T09:00:00.000Z" });
    expect((await send(w, w.readOnly, "GET", "/v1.0/directory/deletedItems/u-0001")).status).toBe(404);
  });

  it("restores a deleted user: 200 with the user as a directoryObject, then live again and out of the bin", async () => {
    const w = world();
    const res = await send(w, w.apply, "POST", "/v1.0/directory/deletedItems/u-0010/restore");
    expect(res.status).toBe(200);
    expect(bodyOf(res)).toMatchObject({ "@odata.context": `${ORIGIN}/v1.0/$metadata#directoryObjects/$entity`, "@odata.type": "#microsoft.graph.user", id: "u-0010", userPrincipalName: "jack.hale@contoso.com" });
    expect((await send(w, w.apply, "GET", "/v1.0/users/u-0010")).status).toBe(200);
    expect(valuesOf(await send(w, w.apply, "GET", "/v1.0/directory/deletedItems/microsoft.graph.user"))).toEqual([]);
  });

  it("answers 404 for an id not in the bin and 400 with details ObjectConflict when a live user holds the UPN", async () => {
    const w = world((f) => ({ ...f, users: [...f.users, { id: "u-0100", userPrincipalName: "jack.hale@contoso.com", displayName: "New Jack" }] }));
    const missing = await send(w, w.apply, "POST", "/v1.0/directory/deletedItems/u-0001/restore");
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe("Request_ResourceNotFound");
    const conflict = await send(w, w.apply, "POST", "/v1.0/directory/deletedItems/u-0010/restore");
    expect(conflict.status).toBe(400);
    expect(errorOf(conflict).code).toBe("Request_BadRequest");
    expect(errorOf(conflict).details![0]).toMatchObject({ code: "ObjectConflict", target: "jack.hale@contoso.com" });
  });
});

// ==================================================================== mailboxSettings

describe("GET /v1.0/users/{id}/mailboxSettings/userPurpose", () => {
  it("says shared or user from the mailbox type, needs MailboxSettings.Read, and is 404 MailboxNotEnabledForRESTAPI without a mailbox", async () => {
    const w = world();
    const outlook = callerWith(w, ["MailboxSettings.Read"]);
    const shared = await send(w, outlook, "GET", "/v1.0/users/support@contoso.com/mailboxSettings/userPurpose");
    expect(bodyOf(shared)).toEqual({ "@odata.context": `${ORIGIN}/v1.0/$metadata#users('u-0011')/mailboxSettings/userPurpose`, value: "shared" });
    expect(bodyOf(await send(w, outlook, "GET", "/v1.0/users/u-0001/mailboxSettings/userPurpose"))["value"]).toBe("user");
    expect(bodyOf(await send(w, outlook, "GET", "/v1.0/users/u-0011/mailboxSettings?$select=userPurpose"))["userPurpose"]).toBe("shared");
    const none = await send(w, outlook, "GET", "/v1.0/users/gina.rossi@contoso.com/mailboxSettings/userPurpose");
    expect(none.status).toBe(404);
    expect(errorOf(none).code).toBe("MailboxNotEnabledForRESTAPI");
    expect((await send(w, w.apply, "GET", "/v1.0/users/u-0011/mailboxSettings/userPurpose")).status).toBe(403);
  });
});

// ==================================================================== routing and errors

describe("Graph routing and error mapping", () => {
  it("answers an unknown segment with Graph's 400 naming it, and a known path with a wrong method with 405", async () => {
    const w = world();
    const unknown = await send(w, w.apply, "GET", "/v1.0/devices");
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown)).toMatchObject({ code: "BadRequest", message: "Resource not found for the segment 'devices'." });
    const deep = await send(w, w.apply, "GET", "/v1.0/users/u-0001/manager");
    expect(errorOf(deep).message).toBe("Resource not found for the segment 'manager'.");
    const method = await send(w, w.apply, "DELETE", "/v1.0/users/u-0001");
    expect(method.status).toBe(405);
    expect(method.headers?.["allow"]).toBe("GET, PATCH");
  });

  it("answers a throttled tenant write with 429 TooManyRequests and Retry-After in seconds", async () => {
    const w = world();
    w.tenant.setFaults({ writesPerSecond: 0.5, burst: 1 });
    expect((await send(w, w.apply, "PATCH", "/v1.0/users/u-0001", { body: { accountEnabled: false } })).status).toBe(204);
    const res = await send(w, w.apply, "PATCH", "/v1.0/users/u-0002", { body: { accountEnabled: false } });
    expect(res.status).toBe(429);
    expect(errorOf(res).code).toBe("TooManyRequests");
    expect(res.headers?.["retry-after"]).toBe("2");
  });

  it("answers a transient tenant failure with 503 serviceNotAvailable", async () => {
    const w = world();
    w.tenant.setFaults({ failReads: 1 });
    const res = await send(w, w.apply, "GET", "/v1.0/users");
    expect(res.status).toBe(503);
    expect(errorOf(res).code).toBe("serviceNotAvailable");
    expect((await send(w, w.apply, "GET", "/v1.0/users")).status).toBe(200);
  });

  it("stamps error bodies with the tenant's clock and echoes client-request-id", async () => {
    const w = world();
    const res = await send(w, w.apply, "GET", "/v1.0/users/u-9999", { requestId: "c0ffee-42" });
    expect(errorOf(res).innerError).toEqual({ date: "2026-11-01T09:00:00", "request-id": "c0ffee-42", "client-request-id": "c0ffee-42" });
    expect(res.headers?.["client-request-id"]).toBe("c0ffee-42");
  });
});

// ==================================================================== $batch

describe("POST /v1.0/$batch", () => {
  const batch = (w: World, requests: unknown, ctx?: EndpointContext, caller?: Caller): Promise<WireResponse> =>
    send(w, caller ?? w.apply, "POST", "/v1.0/$batch", { body: { requests } }, ctx);
  const responsesOf = (res: WireResponse): Json[] => bodyOf(res)["responses"] as Json[];
  const statusById = (res: WireResponse): Record<string, number> => Object.fromEntries(responsesOf(res).map((r) => [r["id"], r["status"]]));

  it("answers 200 with each item's own status and body, in request order", async () => {
    const w = world();
    const res = await batch(w, [
      { id: "1", method: "GET", url: "/users/ann.lee@contoso.com?$select=id" },
      { id: "2", method: "GET", url: "users/u-9999" },
      { id: "3", method: "PATCH", url: "/users/u-0009", headers: { "Content-Type": "application/json" }, body: { accountEnabled: true } },
    ]);
    expect(res.status).toBe(200);
    expect(responsesOf(res).map((r) => r["id"])).toEqual(["1", "2", "3"]);
    expect(statusById(res)).toEqual({ "1": 200, "2": 404, "3": 204 });
    expect(responsesOf(res)[0]!["body"]).toMatchObject({ id: "u-0001" });
    expect((responsesOf(res)[1]!["body"] as Json)["error"]).toMatchObject({ code: "Request_ResourceNotFound" });
    expect((await w.tenant.getUser("ivy.chen@contoso.com"))!.accountEnabled).toBe(true);
  });

  it("answers 424 Failed Dependency for an item whose dependency failed, without running it", async () => {
    const w = world();
    const res = await batch(w, [
      { id: "a", method: "PATCH", url: "/users/nobody@contoso.com", body: { accountEnabled: false } },
      { id: "b", method: "PATCH", url: "/users/u-0001", body: { accountEnabled: false }, dependsOn: ["a"] },
    ]);
    expect(statusById(res)).toEqual({ a: 404, b: 424 });
    expect((responsesOf(res)[1]!["body"] as Json)["error"]).toMatchObject({ code: "FailedDependency", message: "Failed Dependency" });
    expect((await w.tenant.getUser("ann.lee@contoso.com"))!.accountEnabled).toBe(true);
  });

  it("runs an item after the items it depends on even when listed before them", async () => {
    const w = world();
    const res = await batch(w, [
      { id: "read", method: "GET", url: "/users/u-0009?$select=assignedLicenses", dependsOn: ["license"] },
      { id: "license", method: "POST", url: "/users/u-0009/assignLicense", body: { addLicenses: [{ skuId: SKU.EXCHANGESTANDARD }], removeLicenses: [] } },
    ]);
    expect(statusById(res)).toEqual({ read: 200, license: 200 });
    expect(responsesOf(res)[0]!["body"]).toMatchObject({ assignedLicenses: [{ skuId: SKU.EXCHANGESTANDARD, disabledPlans: [] }] });
  });

  it("refuses the whole batch with 400 for more than 20 items, a missing or repeated id, an unknown dependsOn, or a cycle", async () => {
    const w = world();
    const get = (id: string, extra: Json = {}): Json => ({ id, method: "GET", url: "/users/u-0001", ...extra });
    const cases: unknown[] = [
      Array.from({ length: 21 }, (_, i) => get(String(i))),
      [get("1"), get("1")],
      [get("x"), get("X")],
      [get("1"), { method: "GET", url: "/users" }],
      [get("1", { dependsOn: ["7"] })],
      [get("1", { dependsOn: ["2"] }), get("2", { dependsOn: ["1"] })],
      "not-an-array",
    ];
    for (const requests of cases) {
      const res = await batch(w, requests);
      expect(res.status, JSON.stringify(requests).slice(0, 80)).toBe(400);
      expect(errorOf(res).code).toBe("BadRequest");
    }
    expect((await batch(w, Array.from({ length: 20 }, (_, i) => get(String(i))))).status).toBe(200);
  });

  it("admits each item on its own and answers a throttled one with its 429 and Retry-After inside the 200", async () => {
    const w = world();
    const admitted: Array<{ path: string; write: boolean }> = [];
    const ctx: EndpointContext = {
      ...w.ctx,
      admit: (_service, req, _caller, write) => {
        admitted.push({ path: req.path, write });
        return admitted.length === 2 ? { status: 429, headers: { "retry-after": "3", "x-ms-throttle-information": "WriteLimitExceeded" }, body: { error: { code: "TooManyRequests" } } } : null;
      },
    };
    const res = await batch(w, [
      { id: "1", method: "GET", url: "/users/u-0001" },
      { id: "2", method: "PATCH", url: "/users/u-0002", body: { accountEnabled: false } },
      { id: "3", method: "PATCH", url: "/users/u-0003", body: { accountEnabled: false } },
    ], ctx);
    expect(res.status).toBe(200);
    expect(statusById(res)).toEqual({ "1": 200, "2": 429, "3": 204 });
    expect(responsesOf(res)[1]!["headers"]).toMatchObject({ "retry-after": "3" });
    expect(admitted).toEqual([{ path: "/v1.0/users/u-0001", write: false }, { path: "/v1.0/users/u-0002", write: true }, { path: "/v1.0/users/u-0003", write: true }]);
    expect((await w.tenant.getUser("ben.ortiz@contoso.com"))!.accountEnabled).toBe(true);
  });

  it("checks each item's permissions for the caller of the batch", async () => {
    const w = world();
    const res = await batch(w, [
      { id: "1", method: "GET", url: "/users/u-0001" },
      { id: "2", method: "PATCH", url: "/users/u-0002", body: { accountEnabled: false } },
    ], undefined, w.readOnly);
    expect(statusById(res)).toEqual({ "1": 200, "2": 403 });
  });

  it("refuses an item that is itself a $batch", async () => {
    const w = world();
    const res = await batch(w, [{ id: "1", method: "POST", url: "/$batch", body: { requests: [] } }]);
    expect(res.status).toBe(200);
    expect(statusById(res)).toEqual({ "1": 400 });
  });

  it("pages inside a batch with nextLinks under the endpoint's origin", async () => {
    const w = world();
    const res = await batch(w, [{ id: "1", method: "GET", url: "/users?$top=5&$select=userPrincipalName" }]);
    const link = (responsesOf(res)[0]!["body"] as Json)["@odata.nextLink"] as string;
    expect(link.startsWith(`${ORIGIN}/v1.0/users?`)).toBe(true);
    expect(upnsOf(await send(w, w.apply, "GET", link))).toEqual(LIVE_UPNS.slice(5, 10));
  });
});

// ==================================================================== issue #13: renames and session revocation

describe("Graph: user renames and sign-in session revocation", () => {
  it("renames a user with PATCH userPrincipalName, and refuses a name a live user has", async () => {
    const w = world();
    expect((await send(w, w.apply, "PATCH", "/v1.0/users/support@contoso.com", { body: { userPrincipalName: "help@contoso.com" } })).status).toBe(204);
    expect((await w.tenant.getUser("help@contoso.com"))?.id).toBe((await w.tenant.listUsers()).find((u) => u.userPrincipalName === "help@contoso.com")?.id);
    expect(await w.tenant.getUser("support@contoso.com")).toBeNull();
    const taken = await send(w, w.apply, "PATCH", "/v1.0/users/help@contoso.com", { body: { userPrincipalName: "ann.lee@contoso.com" } });
    expect(taken.status).toBe(400);
  });

  it("revokes sign-in sessions: 200 value true, recorded on the user and readable as signInSessionsValidFromDateTime", async () => {
    const w = world();
    const res = await send(w, w.apply, "POST", "/v1.0/users/ann.lee@contoso.com/revokeSignInSessions");
    expect(res.status).toBe(200);
    expect(bodyOf(res)["value"]).toBe(true);
    const now = new Date(w.tenant.nowMs()).toISOString();
    expect((await w.tenant.getUser("ann.lee@contoso.com"))?.sessionsRevokedAt).toBe(now);
    const read = await send(w, w.apply, "GET", "/v1.0/users/ann.lee@contoso.com?$select=id,signInSessionsValidFromDateTime");
    expect(bodyOf(read)["signInSessionsValidFromDateTime"]).toBe(now);
  });

  it("refuses to revoke the sessions of a user that does not exist, and a caller without the permission", async () => {
    const w = world();
    expect((await send(w, w.apply, "POST", "/v1.0/users/nobody@contoso.com/revokeSignInSessions")).status).toBe(404);
    expect((await send(w, w.readOnly, "POST", "/v1.0/users/ann.lee@contoso.com/revokeSignInSessions")).status).toBe(403);
  });
});

describe("Graph: mail-enabled security groups", () => {
  const withGroups = (f: TenantFixture): TenantFixture => ({
    ...f,
    groups: [
      { id: "g-help", address: "helpdesk@contoso.com", displayName: "Helpdesk", members: [f.users.find((u) => u.userPrincipalName === "ann.lee@contoso.com")!.id] },
      { id: "g-legal", address: "legal-team@contoso.com", displayName: "Legal team" },
    ],
  });

  it("lists the groups as mail-enabled security groups, filtered and selected as Graph does", async () => {
    const w = world(withGroups);
    const res = await send(w, w.apply, "GET", "/v1.0/groups?$filter=mailEnabled eq true and securityEnabled eq true&$select=id,mail");
    expect(res.status).toBe(200);
    expect(bodyOf(res)["value"]).toEqual([
      { id: "g-help", mail: "helpdesk@contoso.com" },
      { id: "g-legal", mail: "legal-team@contoso.com" },
    ]);
  });

  it("lists a group's user members, and answers 404 for a group that is not there", async () => {
    const w = world(withGroups);
    const res = await send(w, w.apply, "GET", "/v1.0/groups/g-help/members?$select=id,userPrincipalName");
    expect((bodyOf(res)["value"] as Json[]).map((m) => m["userPrincipalName"])).toEqual(["ann.lee@contoso.com"]);
    expect((await send(w, w.apply, "GET", "/v1.0/groups/g-nothing/members")).status).toBe(404);
  });

  it("refuses a caller without a permission to read groups", async () => {
    const w = world(withGroups);
    expect((await send(w, callerWith(w, [PERMISSION.userReadAll]), "GET", "/v1.0/groups")).status).toBe(403);
  });
});
