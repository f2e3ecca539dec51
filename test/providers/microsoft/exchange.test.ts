import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/provider/errors.js";
import { ExchangeClient, notReadyUntil, parseExchangeError, type CmdletResult } from "../../../providers/microsoft/exchange.js";
import { HttpClient } from "../../../providers/microsoft/http.js";
import { fakeTokens, json, startServer, stopAll, virtualClock, type Received } from "./support.js";

afterEach(stopAll);

const TENANT = "contoso.onmicrosoft.com";
const ORG_ANCHOR = `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${TENANT}`;
const ctx = { operation: "listGrants", target: "" };

function exchangeOn(origin: string, clock = virtualClock()): { exo: ExchangeClient; http: HttpClient } {
  const http = new HttpClient({ sleep: (ms) => clock.sleep(ms), random: () => 0.5 });
  return { exo: new ExchangeClient(http, fakeTokens(), origin, TENANT), http };
}

const detailsError = (status: number, typeName: string, message: string) =>
  json(status, { error: { code: status === 404 ? "NotFound" : "BadRequest", message: "Error executing cmdlet", details: [{ code: "Context", target: "", message: JSON.stringify({ Message: message, TypeName: typeName, StackTrace: null }) }] } });

describe("InvokeCommand", () => {
  it("follows nextLink by re-POSTing the same body, with the anchor, page size and cmdlet headers", async () => {
    const server = await startServer((req, self) =>
      req.query.get("$skiptoken") === null
        ? json(200, { value: [{ Name: "a" }], "@odata.nextLink": `${self.origin}/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=p2` })
        : req.query.get("$skiptoken") === "p2"
          ? json(200, { value: [{ Name: "b" }], "@odata.nextLink": `${self.origin}/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=p3`, "@adminapi.warnings": ["micro delay applied"] })
          : json(200, { value: [{ Name: "c" }] }),
    );
    const { exo } = exchangeOn(server.origin);
    const result = await exo.invoke({ name: "Get-Mailbox", parameters: { ResultSize: "Unlimited" }, select: ["Name", "Alias"] }, ctx);
    expect(result).toEqual({ rows: [{ Name: "a" }, { Name: "b" }, { Name: "c" }], warnings: ["micro delay applied"] });
    expect(server.received.map((r) => [r.method, r.url])).toEqual([
      ["POST", `/adminapi/beta/${TENANT}/InvokeCommand?$select=Name,Alias`],
      ["POST", `/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=p2`],
      ["POST", `/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=p3`],
    ]);
    for (const r of server.received) {
      expect(r.body).toEqual({ CmdletInput: { CmdletName: "Get-Mailbox", Parameters: { ResultSize: "Unlimited" } } });
      expect(r.headers).toMatchObject({ "x-anchormailbox": ORG_ANCHOR, prefer: "odata.maxpagesize=1000", "x-cmdletname": "Get-Mailbox", "content-type": "application/json" });
    }
  });

  it("anchors a call about one mailbox on that mailbox", async () => {
    const server = await startServer(() => json(200, {}));
    await exchangeOn(server.origin).exo.invoke({ name: "Set-Mailbox", parameters: { Identity: "team@contoso.com", Type: "Shared" }, mailbox: "team@contoso.com" }, ctx);
    expect(server.received[0]!.headers["x-anchormailbox"]).toBe("UPN:team@contoso.com");
  });

  it("never sends a Set-, Remove-, Add-, Enable- or Disable- cmdlet without a single Identity", async () => {
    const server = await startServer(() => json(200, {}));
    const { exo } = exchangeOn(server.origin);
    for (const identity of [undefined, null, "", "  ", "*"]) {
      const parameters = identity === undefined ? { Confirm: false } : { Identity: identity, Confirm: false };
      const error = await exo.invoke({ name: "Remove-Mailbox", parameters }, ctx).then(() => null, (e: unknown) => e);
      expect(ProviderError.is(error) && [error.kind, error.code]).toEqual(["precondition", "MissingIdentity"]);
    }
    expect(server.received).toHaveLength(0);
  });

  it("treats the concurrency text as throttling, even in a 200, and tries again", async () => {
    let n = 0;
    const server = await startServer(() => (++n === 1 ? json(200, "You have reached the maximum number of concurrent requests per tenant. Please wait and try again.") : json(200, { value: [] })));
    const clock = virtualClock();
    const { exo, http } = exchangeOn(server.origin, clock);
    await exo.invoke({ name: "Add-RecipientPermission", parameters: { Identity: "team@contoso.com", Trustee: "amy@contoso.com", AccessRights: ["SendAs"] } }, ctx);
    expect(server.received).toHaveLength(2);
    expect(http.cost().exchange).toMatchObject({ throttled: 1, retries: 1 });
    expect(clock.sleeps).toHaveLength(1);
  });

  it("parses the JSON-in-details, pipe and non-JSON error bodies into kinds and codes", () => {
    const body = (message: string) => ({ error: { code: "BadRequest", message: "Error executing cmdlet", details: [{ message }] } });
    const notFound = parseExchangeError(404, body(JSON.stringify({ Message: "The operation couldn't be performed because object 'rg' couldn't be found.", TypeName: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException" })));
    expect(notFound).toEqual({ kind: "notFound", code: "ManagementObjectNotFound", message: "The operation couldn't be performed because object 'rg' couldn't be found." });
    const exists = parseExchangeError(400, body(JSON.stringify({ Message: "The object 'CN=rg,OU=x' already exists.", TypeName: "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException" })));
    expect(exists).toMatchObject({ kind: "conflict", code: "ADObjectAlreadyExists" });
    const pipe = parseExchangeError(400, body("Ex6F9304|Microsoft.Exchange.Management.Tasks.ACENotFoundException|Can't remove the access control entry because the ACE doesn't exist on the object."));
    expect(pipe).toMatchObject({ kind: "notFound", code: "ACENotFound", message: "Can't remove the access control entry because the ACE doesn't exist on the object." });
    const rule = parseExchangeError(400, body(JSON.stringify({ Message: "ops has no Exchange Online license", TypeName: "Microsoft.Exchange.Configuration.Tasks.RecipientTaskException" })));
    expect(rule).toMatchObject({ kind: "precondition", code: "RecipientTask" });
    expect(parseExchangeError(403, undefined, "")).toMatchObject({ kind: "forbidden", code: "Http403" });
    expect(parseExchangeError(502, undefined, "<html><body>Bad Gateway</body></html>")).toEqual({ kind: "transient", code: "Http502", message: "Bad Gateway" });
    const notReady = parseExchangeError(400, body(JSON.stringify({ Message: "ops@contoso.com is still being provisioned and accepts changes from 2026-11-01T09:05:00.000Z; retry later", TypeName: "Microsoft.Exchange.Configuration.Tasks.TaskException" })));
    expect(notReady).toMatchObject({ kind: "precondition", code: "MailboxNotReady" });
    expect(notReadyUntil(notReady.message)).toBe(Date.parse("2026-11-01T09:05:00.000Z"));
    expect(notReadyUntil("the mailbox is still being provisioned")).toBeNull();
    expect(notReadyUntil("something else")).toBeUndefined();
  });

  it("paces the pages of a read on the budget the service states after a throttled page", async () => {
    // the service: 2 cmdlets, refilled at 1 per second; every answer states the bucket
    const clock = virtualClock();
    let level = 2;
    let at = clock.ms();
    const server = await startServer((req: Received, self) => {
      level = Math.min(2, level + (clock.ms() - at) / 1000);
      at = clock.ms();
      const state = () => ({ "Rate-Limit-Limit": "2", "Rate-Limit-Remaining": String(Math.floor(level)), "Rate-Limit-Reset": new Date(clock.ms() + (2 - level) * 1000).toISOString() });
      if (level < 1) return json(429, { error: { code: "TooManyRequests", message: "over budget" } }, { "Retry-After": "1", ...state() });
      level -= 1;
      const page = Number(req.query.get("$skiptoken") ?? "1");
      const next = page < 6 ? { "@odata.nextLink": `${self.origin}/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=${page + 1}` } : {};
      return json(200, { value: [{ Page: page }], ...next }, state());
    });
    const http = new HttpClient({ sleep: (ms) => clock.sleep(ms), now: async () => clock.ms(), random: () => 0.5 });
    const exo = new ExchangeClient(http, fakeTokens(), server.origin, TENANT);
    const result = await exo.invoke({ name: "Get-Mailbox", parameters: { ResultSize: "Unlimited" } }, ctx);
    expect(result.rows.map((r) => r["Page"])).toEqual([1, 2, 3, 4, 5, 6]);
    // 6 pages, the first 2 free: 4 s; one refusal teaches the pacer, the later pages wait their turn
    expect(clock.ms() - Date.parse("2026-11-01T09:00:00.000Z")).toBe(4000);
    expect(http.cost().exchange).toMatchObject({ requests: 7, throttled: 1 });
  });

  it("surfaces a cmdlet's refusal as a ProviderError with the service's words", async () => {
    const server = await startServer(() => detailsError(400, "Microsoft.Exchange.Management.Tasks.ACEAlreadyExistsException", "amy@contoso.com already holds FullAccess on team@contoso.com"));
    const error = await exchangeOn(server.origin).exo.invoke({ name: "Add-MailboxPermission", parameters: { Identity: "team@contoso.com", User: "amy@contoso.com" } }, { operation: "addMailboxPermission", target: "team@contoso.com" }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ kind: "conflict", code: "ACEAlreadyExists", operation: "addMailboxPermission", target: "team@contoso.com", message: "amy@contoso.com already holds FullAccess on team@contoso.com" });
  });
});

describe("Exchange $batch", () => {
  it("correlates answers by id, asks again for the unanswered and throttled ones, and follows an item's nextLink", async () => {
    let round = 0;
    const server = await startServer((req: Received, self) => {
      if (req.path.endsWith("/InvokeCommand")) return json(200, { value: [{ User: "page-2" }] }); // an item's next page
      round++;
      const requests = (req.body as { requests: Array<{ id: string; body: { CmdletInput: { Parameters: { Identity: string } } } }> }).requests;
      return json(200, {
        responses: requests.flatMap((r): Array<{ id: string; status: number; headers?: Record<string, string>; body: unknown }> => {
          const identity = r.body.CmdletInput.Parameters.Identity;
          if (round === 1 && identity === "m1") return []; // no answer: not confirmed
          if (round === 1 && identity === "m2") return [{ id: r.id, status: 429, headers: { "Retry-After": "2" }, body: { error: { code: "TooManyRequests", message: "later" } } }];
          if (identity === "m3") return [{ id: r.id, status: 404, body: { error: { code: "NotFound", details: [{ message: JSON.stringify({ Message: "couldn't be found", TypeName: "X.ManagementObjectNotFoundException" }) }] } } }];
          if (identity === "m4") return [{ id: r.id, status: 200, body: { value: [{ User: "page-1" }], "@odata.nextLink": `${self.origin}/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=2` } }];
          return [{ id: r.id, status: 200, body: JSON.stringify({ value: [{ User: `${identity}-round-${round}` }] }) }];
        }),
      });
    });
    const clock = virtualClock();
    const { exo } = exchangeOn(server.origin, clock);
    const cmds = ["m0", "m1", "m2", "m3", "m4"].map((m) => ({ name: "Get-MailboxPermission", parameters: { Identity: m }, mailbox: `${m}@contoso.com` }));
    const results = await exo.batch(cmds, ctx);
    const summary = results.map((r) => (ProviderError.is(r) ? r.kind : (r as CmdletResult).rows.map((x) => x["User"])));
    expect(summary).toEqual([["m0-round-1"], ["m1-round-2"], ["m2-round-2"], "notFound", ["page-1", "page-2"]]);
    expect(clock.sleeps).toEqual([2000]);
    const first = (server.received[0]!.body as { requests: Array<{ id: string; url: string; headers: Record<string, string> }> }).requests;
    expect(first[0]).toMatchObject({ id: "0", url: `/adminapi/beta/${TENANT}/InvokeCommand`, headers: { "X-AnchorMailbox": "UPN:m0@contoso.com", "X-CmdletName": "Get-MailboxPermission" } });
    const next = server.received.find((r) => r.path.endsWith("/InvokeCommand"))!;
    expect(next.body).toEqual({ CmdletInput: { CmdletName: "Get-MailboxPermission", Parameters: { Identity: "m4" } } });
  });

  it("sends 20 cmdlets per batch (batchSize to change it) and refuses to batch writes", async () => {
    const server = await startServer((req: Received) => json(200, { responses: (req.body as { requests: Array<{ id: string }> }).requests.map((r) => ({ id: r.id, status: 200, body: { value: [] } })) }));
    const { exo, http } = exchangeOn(server.origin);
    const cmds = Array.from({ length: 23 }, (_, i) => ({ name: "Get-MailboxStatistics", parameters: { Identity: `m${i}` } }));
    await exo.batch(cmds, ctx);
    expect(sizes(server.received)).toEqual([20, 3]);
    await new ExchangeClient(http, fakeTokens(), server.origin, TENANT, { batchSize: 10 }).batch(cmds, ctx);
    expect(sizes(server.received.slice(2))).toEqual([10, 10, 3]);
    const error = await exo.batch([{ name: "Set-Mailbox", parameters: { Identity: "x" } }], ctx).then(() => null, (e: unknown) => e);
    expect(ProviderError.is(error) && error.code).toBe("InvalidBatch");
  });

  it("sends a batch the service refuses with 400 again as batches of 10, and keeps to 10", async () => {
    const server = await startServer((req: Received) => {
      const requests = (req.body as { requests: Array<{ id: string }> }).requests;
      if (requests.length > 10) return json(400, { error: { code: "BadRequest", message: "too many requests in the batch" } });
      return json(200, { responses: requests.map((r) => ({ id: r.id, status: 200, body: { value: [{ Id: r.id }] } })) });
    });
    const { exo } = exchangeOn(server.origin);
    const cmds = (n: number) => Array.from({ length: n }, (_, i) => ({ name: "Get-MailboxStatistics", parameters: { Identity: `m${i}` } }));
    const results = await exo.batch(cmds(25), ctx);
    expect(results.map((r) => (ProviderError.is(r) ? r.code : r.rows[0]!["Id"]))).toEqual(cmds(25).map((_, i) => String(i)));
    expect(sizes(server.received).filter((n) => n > 10)).toHaveLength(1); // one refusal, then tens
    const before = server.received.length;
    await exo.batch(cmds(20), ctx);
    expect(sizes(server.received.slice(before))).toEqual([10, 10]);
  });

  it("paces reads on the budget the service states once it throttles: no bucket overflow, few refusals", async () => {
    // the service: 5 cmdlets, refilled at 1 per second, stated in Rate-Limit-* on refusals
    const clock = virtualClock();
    let level = 5;
    let at = clock.ms();
    const server = await startServer((req: Received) => {
      const requests = (req.body as { requests: Array<{ id: string }> }).requests;
      return json(200, {
        responses: requests.map((r) => {
          level = Math.min(5, level + (clock.ms() - at) / 1000);
          at = clock.ms();
          if (level >= 1) {
            level -= 1;
            return { id: r.id, status: 200, body: { value: [] } };
          }
          const headers = { "Retry-After": "1", "Rate-Limit-Limit": "5", "Rate-Limit-Remaining": String(Math.floor(level)), "Rate-Limit-Reset": new Date(clock.ms() + (5 - level) * 1000).toISOString() };
          return { id: r.id, status: 429, headers, body: { error: { code: "TooManyRequests", message: "later" } } };
        }),
      });
    });
    const http = new HttpClient({ sleep: (ms) => clock.sleep(ms), now: async () => clock.ms(), random: () => 0.5 });
    const exo = new ExchangeClient(http, fakeTokens(), server.origin, TENANT, { batchSize: 4, concurrency: 3 });
    const start = clock.ms();
    const results = await exo.batch(Array.from({ length: 60 }, (_, i) => ({ name: "Get-MailboxPermission", parameters: { Identity: `m${i}` } })), ctx);
    expect(results.filter((r) => ProviderError.is(r))).toEqual([]);
    // 60 cmdlets at 1/s after the first 5: 55 s is what the budget allows
    expect((clock.ms() - start) / 1000).toBeLessThanOrEqual(55 * 1.05);
    // refusals come from the first round, sent before the service had said anything, and its aftermath
    expect(http.cost().exchange.throttled).toBeLessThanOrEqual(20);
  });
});

function sizes(received: readonly Received[]): number[] {
  return received.map((r) => (r.body as { requests: unknown[] }).requests.length).sort((a, b) => b - a);
}
