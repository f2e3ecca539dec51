/**
 * ServiceThrottles (providers/local-endpoint/throttle.ts): Graph's resource-unit
 * and write buckets per app, Exchange's cmdlet and write buckets and its
 * concurrency cap, all on the tenant's virtual clock, settings read live.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ServiceThrottles } from "../../providers/local-endpoint/throttle.js";
import type { Caller, WireRequest, WireResponse } from "../../providers/local-endpoint/wire.js";
import type { FaultSettings, SimulatedTenant } from "../../providers/simulated/index.js";
import { applyCaller, readOnlyCaller, tempTenant } from "./direct-context.js";

const opened: SimulatedTenant[] = [];
afterAll(() => opened.forEach((t) => t.close()));

function setup(faults: Partial<FaultSettings> = {}, users = 15) {
  const tenant = tempTenant();
  opened.push(tenant);
  if (Object.keys(faults).length > 0) tenant.setFaults(faults);
  const size = { users };
  const throttles = new ServiceThrottles({ settings: () => tenant.faults(), nowMs: () => tenant.nowMs(), tenantUserCount: () => size.users, tenantId: "contoso" });
  return { tenant, throttles, size, apply: applyCaller("contoso"), reader: readOnlyCaller("contoso") };
}

function request(method: string, pathAndQuery: string): WireRequest {
  const [path = "", query = ""] = pathAndQuery.split("?");
  return { method, path, query: new URLSearchParams(query), headers: {}, body: undefined, requestId: "req-1" };
}

const patchUser = request("PATCH", "/v1.0/users/u-0001");
const getUser = request("GET", "/v1.0/users/u-0001");
const invoke = request("POST", "/adminapi/beta/contoso/InvokeCommand");

/** Admit `call` until refused; how many got through, and the refusal. */
function drain(throttles: ServiceThrottles, service: "graph" | "exchange", call: WireRequest, caller: Caller, write: boolean, limit = 100_000): { admitted: number; refusal: WireResponse } {
  for (let admitted = 0; admitted < limit; admitted++) {
    const refusal = throttles.admit(service, call, caller, write);
    if (refusal) return { admitted, refusal };
  }
  throw new Error(`still admitting after ${limit} calls`);
}

function header(response: WireResponse, name: string): string | undefined {
  return response.headers?.[name];
}

describe("Graph throttling", () => {
  it("refuses the 3,001st Graph write within 150 s with WriteLimitExceeded and a Retry-After that, once waited on the tenant clock, admits it", () => {
    const { tenant, throttles, apply } = setup();
    const { admitted, refusal } = drain(throttles, "graph", patchUser, apply, true);
    expect(admitted).toBe(3000);
    expect(refusal.status).toBe(429);
    expect(header(refusal, "x-ms-throttle-information")).toBe("WriteLimitExceeded");
    expect(header(refusal, "x-ms-throttle-scope")).toBe("Tenant_Application/ReadWrite/apply-app/contoso");
    const retryAfter = Number(header(refusal, "Retry-After"));
    expect(retryAfter).toBe(0.05); // 3,000 writes per 150 s refill one every 50 ms
    tenant.advanceClock(retryAfter * 1000 - 1);
    expect(throttles.admit("graph", patchUser, apply, true)?.status).toBe(429);
    tenant.advanceClock(1);
    expect(throttles.admit("graph", patchUser, apply, true)).toBeNull();
  });

  it("answers a refused call with Graph's TooManyRequests body, innerError included", () => {
    const { throttles, apply } = setup({ graphResourceUnitsPer10s: 1 });
    throttles.admit("graph", getUser, apply, false);
    const refusal = throttles.admit("graph", getUser, apply, false);
    expect(refusal?.body).toEqual({
      error: {
        code: "TooManyRequests",
        message: "Please retry again later.",
        innerError: { code: "429", message: "Please retry after", status: "429", date: "2026-11-01T09:00:00", "request-id": "req-1", "client-request-id": "req-1" },
      },
    });
    expect(header(refusal!, "x-ms-throttle-information")).toBe("ResourceUnitLimitExceeded");
    expect(header(refusal!, "x-ms-throttle-scope")).toBe("Tenant_Application/Read/apply-app/contoso");
    expect(header(refusal!, "Retry-After")).toBe("10"); // 1 unit per 10 s
  });

  it("charges GET /users 2 resource units, 1 with $select", () => {
    const { throttles, apply } = setup();
    const cost = (method: string, url: string, write = method !== "GET") => throttles.successHeaders("graph", request(method, url), apply, write)["x-ms-resource-unit"];
    expect(cost("GET", "/v1.0/users")).toBe("2");
    expect(cost("GET", "/v1.0/users?$select=id,userPrincipalName")).toBe("1");
    expect(cost("GET", "/v1.0/users?$top=5")).toBe("1");
    expect(cost("GET", "/v1.0/users?$top=999&$expand=manager")).toBe("3");
    expect(cost("GET", "/v1.0/subscribedSkus")).toBe("3");
    expect(cost("GET", "/v1.0/users/u-0001")).toBe("1");
    expect(cost("GET", "/v1.0/users/u-0001?$select=id")).toBe("1"); // never below 1
    expect(cost("PATCH", "/v1.0/users/u-0001")).toBe("1");
    expect(cost("POST", "/v1.0/users/u-0001/assignLicense")).toBe("1");
  });

  it("takes the cost from the bucket: 5 units admit two GET /users and refuse the third", () => {
    const { throttles, apply } = setup({ graphResourceUnitsPer10s: 5 });
    const { admitted, refusal } = drain(throttles, "graph", request("GET", "/v1.0/users"), apply, false);
    expect(admitted).toBe(2);
    expect(header(refusal, "Retry-After")).toBe("2"); // 1 unit left, 1 more needed at 0.5 units/s
    expect(throttles.admit("graph", getUser, apply, false)).toBeNull(); // the unit a cheaper call can still have
  });

  it("takes nothing from a refused call", () => {
    const { tenant, throttles, apply } = setup({ graphResourceUnitsPer10s: 3 });
    const skus = request("GET", "/v1.0/subscribedSkus");
    expect(throttles.admit("graph", skus, apply, false)).toBeNull();
    for (let i = 0; i < 5; i++) expect(throttles.admit("graph", skus, apply, false)?.status).toBe(429);
    tenant.advanceClock(10_000); // exactly refilled, had the refusals not taken anything
    expect(throttles.admit("graph", skus, apply, false)).toBeNull();
  });

  it("sizes the resource-unit bucket by the tenant's users", () => {
    const admittedWith = (users: number) => {
      const { throttles, apply } = setup({}, users);
      return drain(throttles, "graph", getUser, apply, false).admitted;
    };
    expect(admittedWith(49)).toBe(3500);
    expect(admittedWith(50)).toBe(5000);
    expect(admittedWith(500)).toBe(5000);
    expect(admittedWith(501)).toBe(8000);
  });

  it("uses graphResourceUnitsPer10s instead of the tenant's size when it is set", () => {
    const { throttles, apply } = setup({ graphResourceUnitsPer10s: 40 }, 10_000);
    expect(drain(throttles, "graph", getUser, apply, false).admitted).toBe(40);
  });

  it("keeps one set of Graph buckets per app", () => {
    const { throttles, apply, reader } = setup({ graphResourceUnitsPer10s: 3 });
    drain(throttles, "graph", getUser, apply, false);
    expect(throttles.admit("graph", getUser, reader, false)).toBeNull();
  });

  it("lets the $batch envelope through for free: only its items are charged", () => {
    const { throttles, apply } = setup({ graphResourceUnitsPer10s: 1 });
    const batch = request("POST", "/v1.0/$batch");
    for (let i = 0; i < 3; i++) expect(throttles.admit("graph", batch, apply, true)).toBeNull();
    expect(throttles.successHeaders("graph", batch, apply, true)).toEqual({});
    expect(throttles.admit("graph", getUser, apply, false)).toBeNull();
    expect(throttles.admit("graph", getUser, apply, false)?.status).toBe(429);
  });

  it("sends x-ms-throttle-limit-percentage only above 0.8 of a limit", () => {
    const { throttles, apply } = setup({ graphResourceUnitsPer10s: 10 });
    for (let i = 0; i < 8; i++) throttles.admit("graph", getUser, apply, false);
    expect(throttles.successHeaders("graph", getUser, apply, false)).toEqual({ "x-ms-resource-unit": "1" });
    throttles.admit("graph", getUser, apply, false);
    expect(throttles.successHeaders("graph", getUser, apply, false)).toEqual({ "x-ms-resource-unit": "1", "x-ms-throttle-limit-percentage": "0.90" });
  });

  it("counts the write limit in x-ms-throttle-limit-percentage for writes", () => {
    const { throttles, apply } = setup({ graphWritesPer150s: 10 });
    for (let i = 0; i < 10; i++) throttles.admit("graph", patchUser, apply, true);
    expect(throttles.successHeaders("graph", patchUser, apply, true)["x-ms-throttle-limit-percentage"]).toBe("1.00");
    expect(throttles.successHeaders("graph", getUser, apply, false)["x-ms-throttle-limit-percentage"]).toBeUndefined();
  });

  it("applies a limit changed by `tenant faults set` on the next call", () => {
    const { tenant, throttles, apply } = setup({ graphResourceUnitsPer10s: 100 });
    for (let i = 0; i < 10; i++) throttles.admit("graph", getUser, apply, false);
    tenant.setFaults({ graphResourceUnitsPer10s: 5 }); // 90 units left, now capped at 5
    expect(drain(throttles, "graph", getUser, apply, false).admitted).toBe(5);
  });
});

describe("Exchange throttling", () => {
  it("refuses the 26th Exchange cmdlet within 5 s with a Retry-After in whole seconds that admits it once waited", () => {
    const { tenant, throttles, apply } = setup();
    const { admitted, refusal } = drain(throttles, "exchange", invoke, apply, false);
    expect(admitted).toBe(25);
    expect(refusal.status).toBe(429);
    expect(header(refusal, "Retry-After")).toBe("1"); // 200 ms, rounded up
    const detail = JSON.parse((refusal.body as { error: { details: Array<{ message: string }> } }).error.details[0]!.message) as { TypeName: string; Message: string };
    expect(detail.TypeName).toBe("Microsoft.Exchange.Diagnostics.TooManyRequestsException");
    expect(detail.Message).toContain("'ExchangeMaxCmdlets', policy value '25'");
    expect(header(refusal, "Rate-Limit-Remaining")).toBe("0");
    tenant.advanceClock(1000);
    expect(throttles.admit("exchange", invoke, apply, false)).toBeNull();
  });

  it("refuses the 121st writing cmdlet within 60 s while reads still go through", () => {
    const { tenant, throttles, apply } = setup({ exchangeCmdletsPer5s: 1000 });
    const { admitted, refusal } = drain(throttles, "exchange", invoke, apply, true);
    expect(admitted).toBe(120);
    expect(header(refusal, "Retry-After")).toBe("1"); // 500 ms
    expect(JSON.stringify(refusal.body)).toContain("PowerShellMaxDestructiveCmdlets");
    expect(throttles.admit("exchange", invoke, apply, false)).toBeNull();
    tenant.advanceClock(499);
    expect(throttles.admit("exchange", invoke, apply, true)?.status).toBe(429);
    tenant.advanceClock(1);
    expect(throttles.admit("exchange", invoke, apply, true)).toBeNull();
  });

  it("rounds a long Exchange wait up to whole seconds", () => {
    const { throttles, apply } = setup({ exchangeCmdletsPer5s: 1000, exchangeWritesPer60s: 7 });
    const { refusal } = drain(throttles, "exchange", invoke, apply, true);
    expect(header(refusal, "Retry-After")).toBe("9"); // 60 s / 7 = 8.57 s
  });

  it("reports the cmdlet bucket in Rate-Limit-Limit, Rate-Limit-Remaining and Rate-Limit-Reset", () => {
    const { tenant, throttles, apply } = setup();
    for (let i = 0; i < 5; i++) throttles.admit("exchange", invoke, apply, false);
    expect(throttles.successHeaders("exchange", invoke, apply, false)).toEqual({
      "Rate-Limit-Limit": "25",
      "Rate-Limit-Remaining": "20",
      "Rate-Limit-Reset": new Date(tenant.nowMs() + 1000).toISOString(), // 5 cmdlets back at 5 per second
    });
  });

  it("answers the 10th concurrent Exchange request 429", () => {
    const { throttles } = setup();
    const slots = Array.from({ length: 9 }, () => throttles.enterExchange());
    expect(slots.every((s) => "leave" in s)).toBe(true);
    const refusal = throttles.enterExchange() as WireResponse;
    expect(refusal.status).toBe(429);
    expect(header(refusal, "Retry-After")).toBe("1");
    expect(JSON.stringify(refusal.body)).toContain("You have reached the maximum number of concurrent requests per tenant. Please wait and try again.");
    const first = slots[0] as { leave(): void };
    first.leave();
    first.leave(); // leaving twice frees one slot only
    expect("leave" in throttles.enterExchange()).toBe(true);
    expect(throttles.enterExchange()).toHaveProperty("status", 429);
  });
});

describe("wireThrottling off", () => {
  it("admits everything, charges nothing and sends no throttling headers", () => {
    const { tenant, throttles, apply } = setup({ wireThrottling: false, graphResourceUnitsPer10s: 1, exchangeCmdletsPer5s: 1, exchangeConcurrency: 1 });
    for (let i = 0; i < 50; i++) {
      expect(throttles.admit("graph", getUser, apply, false)).toBeNull();
      expect(throttles.admit("exchange", invoke, apply, true)).toBeNull();
    }
    expect(throttles.successHeaders("graph", getUser, apply, false)).toEqual({});
    expect(throttles.successHeaders("exchange", invoke, apply, false)).toEqual({});
    const slots = [throttles.enterExchange(), throttles.enterExchange()];
    expect(slots.every((s) => "leave" in s)).toBe(true);
    tenant.setFaults({ wireThrottling: true });
    expect(throttles.admit("graph", getUser, apply, false)).toBeNull(); // the bucket is still full: nothing was charged
    expect(throttles.enterExchange()).toHaveProperty("status", 429); // the two in flight still count
  });
});
