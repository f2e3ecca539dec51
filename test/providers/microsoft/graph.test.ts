import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/provider/errors.js";
import { GraphClient, parseGraphError, type GraphBatchRequest } from "../../../providers/microsoft/graph.js";
import { HttpClient } from "../../../providers/microsoft/http.js";
import { fakeTokens, json, startServer, stopAll, virtualClock, type Received } from "./support.js";

afterEach(stopAll);

const ctx = { operation: "listUsers", target: "" };

function graphOn(origin: string, clock = virtualClock()): { graph: GraphClient; http: HttpClient } {
  const http = new HttpClient({ sleep: (ms) => clock.sleep(ms), random: () => 0.5 });
  return { graph: new GraphClient(http, fakeTokens(), origin), http };
}

describe("Graph paging", () => {
  it("follows opaque nextLinks across three pages and returns every item in order", async () => {
    const server = await startServer((req, self) => {
      const token = req.query.get("$skiptoken");
      if (token === null) return json(200, { value: [{ id: "1" }, { id: "2" }], "@odata.nextLink": `${self.origin}/v1.0/users?$skiptoken=AbC` });
      if (token === "AbC") return json(200, { value: [{ id: "3" }], "@odata.nextLink": `${self.origin}/v1.0/users?$skiptoken=XyZ` });
      return json(200, { value: [{ id: "4" }] });
    });
    const { graph, http } = graphOn(server.origin);
    expect((await graph.list<{ id: string }>("/v1.0/users?$top=999", ctx)).map((u) => u.id)).toEqual(["1", "2", "3", "4"]);
    expect(server.received.map((r) => r.url)).toEqual(["/v1.0/users?$top=999", "/v1.0/users?$skiptoken=AbC", "/v1.0/users?$skiptoken=XyZ"]);
    expect(http.cost().graph.requests).toBe(3);
  });

  it("refuses a nextLink seen before and one to another origin, never answering with part of a list", async () => {
    const looping = await startServer((_req, self) => json(200, { value: [{ id: "1" }], "@odata.nextLink": `${self.origin}/v1.0/users?$skiptoken=same` }));
    const loop = await graphOn(looping.origin).graph.list("/v1.0/users", ctx).then(() => null, (e: unknown) => e);
    expect(ProviderError.is(loop) && loop.code).toBe("RepeatedNextLink");
    expect(looping.received).toHaveLength(2);
    const leaking = await startServer(() => json(200, { value: [], "@odata.nextLink": "https://evil.example.com/v1.0/users?$skiptoken=1" }));
    const leak = await graphOn(leaking.origin).graph.list("/v1.0/users", ctx).then(() => null, (e: unknown) => e);
    expect(ProviderError.is(leak) && leak.code).toBe("InvalidNextLink");
  });
});

describe("Graph $batch", () => {
  it("re-sends a throttled item after its own Retry-After, with the item that failed 424 because of it", async () => {
    let round = 0;
    const server = await startServer((req: Received) => {
      const requests = (req.body as { requests: GraphBatchRequest[] }).requests;
      round++;
      return json(200, {
        responses: requests.map((r) => {
          if (round === 1 && r.id === "a") return { id: "a", status: 429, headers: { "Retry-After": "4" }, body: { error: { code: "TooManyRequests", message: "later" } } };
          if (round === 1 && r.id === "b") return { id: "b", status: 424, headers: {}, body: { error: { code: "FailedDependency", message: "dependency failed" } } };
          return { id: r.id, status: 200, headers: {}, body: { id: r.id, round } };
        }),
      });
    });
    const clock = virtualClock();
    const { graph, http } = graphOn(server.origin, clock);
    const answers = await graph.batch(
      [
        { id: "a", method: "GET", url: "/users/a" },
        { id: "b", method: "GET", url: "/users/b", dependsOn: ["a"] },
        { id: "c", method: "GET", url: "/users/c" },
      ],
      ctx,
    );
    expect([...answers.values()].map((a) => [a.id, a.status, (a.body as { round: number }).round])).toEqual([
      ["c", 200, 1],
      ["a", 200, 2],
      ["b", 200, 2],
    ]);
    expect(clock.sleeps).toEqual([4000]);
    const second = (server.received[1]!.body as { requests: GraphBatchRequest[] }).requests;
    expect(second.map((r) => [r.id, r.dependsOn ?? []])).toEqual([["a", []], ["b", ["a"]]]);
    expect(http.cost().graph).toMatchObject({ requests: 2, throttled: 1, retries: 2 });
  });

  it("keeps a 424 whose dependency failed for good, and splits more than 20 requests into chunks", async () => {
    const server = await startServer((req: Received) => {
      const requests = (req.body as { requests: GraphBatchRequest[] }).requests;
      return json(200, {
        responses: requests.map((r) =>
          r.id === "0" ? { id: "0", status: 404, body: { error: { code: "Request_ResourceNotFound", message: "no such user" } } }
          : r.id === "1" ? { id: "1", status: 424, body: { error: { code: "FailedDependency", message: "failed dependency" } } }
          : { id: r.id, status: 200, body: {} }),
      });
    });
    const { graph } = graphOn(server.origin);
    const requests: GraphBatchRequest[] = Array.from({ length: 25 }, (_, i) => ({ id: String(i), method: "GET" as const, url: `/users/${i}`, ...(i === 1 ? { dependsOn: ["0"] } : {}) }));
    const answers = await graph.batch(requests, ctx);
    expect(server.received.map((r) => (r.body as { requests: unknown[] }).requests.length)).toEqual([20, 5]);
    expect(answers.get("1")?.status).toBe(424);
    expect(graph.itemError(answers.get("1")!, ctx)).toMatchObject({ code: "FailedDependency" });
    expect(graph.itemError(answers.get("0")!, ctx)).toMatchObject({ kind: "notFound", code: "Request_ResourceNotFound" });
  });

  it("asks again for a read the batch answer left out", async () => {
    let round = 0;
    const server = await startServer((req: Received) => {
      round++;
      const requests = (req.body as { requests: GraphBatchRequest[] }).requests;
      return json(200, { responses: requests.filter((r) => round > 1 || r.id !== "x").map((r) => ({ id: r.id, status: 200, body: { round } })) });
    });
    const answers = await graphOn(server.origin).graph.batch([{ id: "x", method: "GET", url: "/users/x" }, { id: "y", method: "GET", url: "/users/y" }], ctx);
    expect(answers.get("x")?.body).toEqual({ round: 2 });
    expect(answers.get("y")?.body).toEqual({ round: 1 });
  });
});

describe("Graph errors", () => {
  it("takes the specific code from details, then from the real service's words, then the general code", () => {
    expect(parseGraphError(400, { error: { code: "Request_BadRequest", message: "Subscription has no free licenses", details: [{ code: "CountViolation", message: "x" }] } }).code).toBe("CountViolation");
    expect(parseGraphError(400, { error: { code: "Request_BadRequest", message: "License assignment failed because service plans are mutually exclusive." } }).code).toBe("MutuallyExclusiveViolation");
    expect(parseGraphError(400, { error: { code: "Request_BadRequest", message: "License assignment cannot be done for user with invalid usage location." } }).code).toBe("InvalidUsageLocation");
    expect(parseGraphError(400, { error: { code: "Request_BadRequest", message: "User does not have any available licenses for EXCHANGEENTERPRISE" } }).code).toBe("CountViolation");
    expect(parseGraphError(400, { error: { code: "Request_BadRequest", message: "Unable to update the specified properties for on-premises mastered Directory Sync objects" } })).toEqual({
      code: "Request_BadRequest",
      message: "Unable to update the specified properties for on-premises mastered Directory Sync objects",
    });
    expect(parseGraphError(400, { error: { code: "Request_BadRequest", message: "A conflicting object with one or more of the specified property values is present in the directory." } }).kind).toBe("conflict");
    expect(parseGraphError(404, { error: { code: "Request_ResourceNotFound", message: "Resource 'x' does not exist" } }).code).toBe("Request_ResourceNotFound");
    expect(parseGraphError(502, undefined, "<html>Bad gateway</html>")).toEqual({ code: "Http502", message: "<html>Bad gateway</html>" });
  });
});
