import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/provider/errors.js";
import { HttpClient, retryAfterMs, type HttpRequest } from "../../../providers/microsoft/http.js";
import { parseGraphError } from "../../../providers/microsoft/graph.js";
import { json, startServer, stopAll, virtualClock, type Reply } from "./support.js";

afterEach(stopAll);

function client(clock = virtualClock(), extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({ sleep: (ms) => clock.sleep(ms), random: () => 0.5, ...extra });
}

function request(url: string, write: boolean, extra: Partial<HttpRequest> = {}): HttpRequest {
  return {
    service: "graph",
    method: write ? "PATCH" : "GET",
    url,
    token: async () => "token-value",
    write,
    operation: write ? "setAccountEnabled" : "listUsers",
    target: "ann@contoso.com",
    parseError: (res) => parseGraphError(res.status, res.json, res.text),
    ...(write ? { body: { accountEnabled: false } } : {}),
    ...extra,
  };
}

/** A server answering the scripted replies in order, then 200 {"ok":true}. */
async function scripted(...replies: Reply[]) {
  const queue = [...replies];
  return startServer(() => queue.shift() ?? json(200, { ok: true }));
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(ProviderError.is(e), String(e)).toBe(true);
  return e as ProviderError;
}

describe("the HTTP layer", () => {
  it("waits the Retry-After of a 429 on the provider's clock, then succeeds, and counts it", async () => {
    const server = await scripted(json(429, { error: { code: "TooManyRequests", message: "Please retry again later." } }, { "Retry-After": "2.5" }));
    const clock = virtualClock();
    const http = client(clock);
    const res = await http.send(request(`${server.origin}/v1.0/users`, false));
    expect(res.json).toEqual({ ok: true });
    expect(clock.sleeps).toEqual([2500]);
    expect(http.cost().graph).toEqual({ requests: 2, throttled: 1, retries: 1 });
  });

  it("retries a throttled write too: a 429 was refused before the service ran it", async () => {
    const server = await scripted(json(429, { error: { code: "TooManyRequests", message: "slow down" } }, { "Retry-After": "1" }));
    const clock = virtualClock();
    await client(clock).send(request(`${server.origin}/v1.0/users/ann`, true));
    expect(server.received.map((r) => r.method)).toEqual(["PATCH", "PATCH"]);
    expect(clock.sleeps).toEqual([1000]);
  });

  it("retries a read answered 503 with exponential backoff when no Retry-After is given", async () => {
    const server = await scripted(json(503, { error: { code: "serviceNotAvailable", message: "try later" } }), json(504, "gateway timeout"));
    const clock = virtualClock();
    await client(clock, { baseBackoffMs: 1000 }).send(request(`${server.origin}/v1.0/users`, false));
    expect(server.received).toHaveLength(3);
    expect(clock.sleeps).toEqual([750, 1500]); // half fixed, half jitter (random 0.5), doubled per retry
  });

  it("does not re-send a write whose connection was reset: transient OutcomeUnknown", async () => {
    const server = await scripted("reset");
    const error = await rejection(client().send(request(`${server.origin}/v1.0/users/ann`, true)));
    expect(error).toMatchObject({ kind: "transient", code: "OutcomeUnknown", operation: "setAccountEnabled", target: "ann@contoso.com" });
    expect(error.message).toContain("read the object before trying again");
    expect(server.received).toHaveLength(1);
  });

  it("does not re-send a write answered 500, but re-sends one declined with 503 and Retry-After", async () => {
    const failing = await scripted(json(500, { error: { code: "InternalServerError", message: "boom" } }));
    const error = await rejection(client().send(request(`${failing.origin}/v1.0/users/ann`, true)));
    expect(error.code).toBe("OutcomeUnknown");
    expect(error.message).toContain("InternalServerError: boom");
    expect(failing.received).toHaveLength(1);
    const declined = await scripted(json(503, { error: { code: "serviceNotAvailable", message: "later" } }, { "Retry-After": "3" }));
    await client().send(request(`${declined.origin}/v1.0/users/ann`, true));
    expect(declined.received).toHaveLength(2);
  });

  it("times a request out: a read is tried again a bounded number of times, a write is OutcomeUnknown at once", async () => {
    const server = await scripted("hang", "hang", "hang");
    const http = client(virtualClock(), { timeoutMs: 150, maxRetries: 1 });
    expect(await rejection(http.send(request(`${server.origin}/v1.0/users`, false)))).toMatchObject({ kind: "transient", code: "Timeout" });
    expect(server.received).toHaveLength(2);
    const write = await rejection(http.send(request(`${server.origin}/v1.0/users/ann`, true)));
    expect(write).toMatchObject({ kind: "transient", code: "OutcomeUnknown" });
    expect(write.message).toContain("timed out");
    expect(server.received).toHaveLength(3);
  });

  it("gives up on a read that stays throttled, passing on how long to wait", async () => {
    const server = await startServer(() => json(429, { error: { code: "TooManyRequests", message: "no" } }, { "Retry-After": "7" }));
    const error = await rejection(client(virtualClock(), { maxRetries: 2 }).send(request(`${server.origin}/v1.0/users`, false)));
    expect(error).toMatchObject({ kind: "throttled", code: "TooManyRequests", retryAfterMs: 7000 });
    expect(server.received).toHaveLength(3);
  });

  it("sends a bearer token and a client-request-id, and follows one same-site redirect with the token", async () => {
    const server = await startServer((req, self) => (req.path === "/old" ? json(302, undefined, { Location: `${self.origin}/new` }) : json(200, { at: req.path })));
    const res = await client().send(request(`${server.origin}/old`, false));
    expect(res.json).toEqual({ at: "/new" });
    expect(server.received.map((r) => r.headers["authorization"])).toEqual(["Bearer token-value", "Bearer token-value"]);
    expect(server.received[0]!.headers["client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a redirect to another site instead of sending the token there", async () => {
    const other = await startServer(() => json(200, {}));
    const server = await startServer(() => json(302, undefined, { Location: `${other.origin.replace("127.0.0.1", "localhost")}/steal` }));
    const error = await rejection(client().send(request(`${server.origin}/v1.0/users`, false)));
    expect(error.code).toBe("UnexpectedRedirect");
    expect(other.received).toHaveLength(0);
  });

  it("maps statuses to kinds and keeps the service's code and message", async () => {
    const server = await startServer((req) =>
      req.path.endsWith("/missing")
        ? json(404, { error: { code: "Request_ResourceNotFound", message: "Resource 'x' does not exist" } })
        : json(403, { error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } }),
    );
    const http = client(virtualClock(), { explainForbidden: async () => "the app needs the application permission User.Read.All" });
    expect(await rejection(http.send(request(`${server.origin}/v1.0/missing`, false)))).toMatchObject({ kind: "notFound", code: "Request_ResourceNotFound" });
    const forbidden = await rejection(http.send(request(`${server.origin}/v1.0/users`, false)));
    expect(forbidden).toMatchObject({ kind: "forbidden", code: "Authorization_RequestDenied" });
    expect(forbidden.message).toBe("Insufficient privileges to complete the operation. (the app needs the application permission User.Read.All)");
  });

  it("reads Retry-After as seconds, fractions or an HTTP date", () => {
    const h = (v: Record<string, string>) => new Headers(v);
    expect(retryAfterMs(h({ "retry-after": "2.128" }))).toBe(2128);
    expect(retryAfterMs(h({ "retry-after": "Wed, 21 Oct 2026 07:28:30 GMT", date: "Wed, 21 Oct 2026 07:28:00 GMT" }))).toBe(30_000);
    expect(retryAfterMs(h({}))).toBeNull();
    expect(retryAfterMs(h({ "retry-after": "soon" }))).toBeNull();
  });
});
