/**
 * The Microsoft provider's full read (lib/provider/observe.ts) of a generated
 * tenant through the local endpoint (`exoform tenant serve`), in this process:
 * the server on 127.0.0.1 signed by the bench run's CA (bench/run.ts makes it,
 * hands its key over in EXOFORM_BENCH_CA_CERT / _KEY and its certificate to
 * Node's fetch through NODE_EXTRA_CA_CERTS, read at process start), the
 * provider following the endpoint's virtual clock (EndpointClock), exactly as
 * the CLI points it at a local endpoint.
 *
 * Figures: HTTP requests (provider.cost(): every attempt, a $batch is one; the
 * endpoint's request log beside it, which misses attempts that never reached
 * it), Exchange cmdlets the endpoint ran (each $batch item and each
 * InvokeCommand page is one, as providers/local-endpoint/throttle.ts charges
 * them), wall time, and tenant-clock time. With `throttled`, the endpoint's
 * default Exchange throttling is on (25 cmdlets per 5 s, 9 in flight) and the
 * figure is the tenant-clock time of the read over the time that budget needs
 * for the cmdlets the read makes: (cmdlets - the bucket's initial 25) / 5 per s.
 *
 * Correctness: the result must equal the simulated tenant's own observe()
 * except for what the provider documents it cannot read
 * (docs/decisions/0009): FullAccess autoMapping (absent), readyAt (null), and
 * the sizes of user and soft-deleted mailboxes (not read: 0). observedAt is the
 * clock, not compared.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { canonicalJson } from "../lib/private/canonical-json.js";
import { observe } from "../lib/provider/observe.js";
import type { ObservedState } from "../lib/provider/observed.js";
import { startEndpoint } from "../providers/local-endpoint/server.js";
import { makeCertificateAuthority } from "../providers/local-endpoint/tls.js";
import { EndpointClock } from "../providers/microsoft/endpoint-clock.js";
import { openMicrosoftProvider } from "../providers/microsoft/index.js";
import { SimulatedTenant } from "../providers/simulated/index.js";
import type { ScenarioArgs, ScenarioFigures } from "./scenarios.js";

/** The endpoint's default Exchange cmdlet budget (FaultSettings.exchangeCmdletsPer5s, 5 s window). */
const CMDLET_WINDOW_S = 5;

/** A CA for the run: the runner writes the certificate where NODE_EXTRA_CA_CERTS points and passes both to the children. */
export async function prepareCa(): Promise<ScenarioFigures> {
  const ca = await makeCertificateAuthority();
  return { seconds: 0, details: { certPem: ca.certPem, keyPem: ca.keyPem } };
}

/** What the wire carried, counted beside the provider: Exchange cmdlets admitted (run) and refused. */
interface WireCount {
  cmdlets: number;
  refused: number;
  batches: number;
  batchItems: number;
}

/** Node's fetch, counting the Exchange cmdlets each answer says were run (200-or-error) or refused (429, concurrency). */
function countingFetch(count: WireCount): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes("/adminapi/")) return res;
    if (/\/\$batch(\?|$)/.test(url)) {
      const body = (await res.clone().json().catch(() => ({}))) as { responses?: Array<{ status?: number; body?: unknown }> };
      count.batches++;
      for (const item of body.responses ?? []) {
        count.batchItems++;
        if (refused(item.status ?? 0, item.body)) count.refused++;
        else count.cmdlets++;
      }
    } else {
      const text = await res.clone().text();
      if (refused(res.status, text)) count.refused++;
      else count.cmdlets++;
    }
    return res;
  };
}

function refused(status: number, body: unknown): boolean {
  return status === 429 || /maximum number of concurrent requests/i.test(typeof body === "string" ? body : JSON.stringify(body ?? ""));
}

/** The simulated tenant's own observation with what the provider cannot read taken out (docs/decisions/0009). */
function comparable(state: ObservedState, side: "tenant" | "provider"): Omit<ObservedState, "observedAt"> {
  const { observedAt: _, ...rest } = state;
  return {
    ...rest,
    // sizes are read for live shared mailboxes only (the 50 GB rule)
    mailboxes: rest.mailboxes.map((m) => ({ ...m, readyAt: null, sizeBytes: side === "tenant" && (m.type === "user" || m.deletedAt !== null) ? 0 : m.sizeBytes })),
    grants: rest.grants.map(({ autoMapping: _a, ...g }) => g),
  };
}

/** The first differing element of two observations (a line for the error), or null when equal. */
function firstDifference(expected: Omit<ObservedState, "observedAt">, actual: Omit<ObservedState, "observedAt">): string | null {
  for (const key of ["tenant", "skus", "users", "mailboxes", "grants"] as const) {
    const e = expected[key];
    const a = actual[key];
    if (canonicalJson(e) === canonicalJson(a)) continue;
    if (!Array.isArray(e) || !Array.isArray(a)) return `${key}: expected ${canonicalJson(e)}, read ${canonicalJson(a)}`;
    const n = Math.max(e.length, a.length);
    for (let i = 0; i < n; i++) {
      if (canonicalJson(e[i] ?? null) !== canonicalJson(a[i] ?? null)) {
        return `${key}[${i}] (of ${e.length} expected, ${a.length} read): expected ${canonicalJson(e[i] ?? null)}, read ${canonicalJson(a[i] ?? null)}`;
      }
    }
  }
  return null;
}

/** observe() through the Microsoft provider and the local endpoint; throws when the result differs from the tenant's own. */
export async function readWire(args: ScenarioArgs): Promise<ScenarioFigures> {
  const certPem = process.env["EXOFORM_BENCH_CA_CERT"];
  const keyPem = process.env["EXOFORM_BENCH_CA_KEY"];
  if (!certPem || !keyPem || !process.env["NODE_EXTRA_CA_CERTS"]) throw new Error("read-wire needs the run's CA (EXOFORM_BENCH_CA_CERT, _KEY and NODE_EXTRA_CA_CERTS): run it through bench/run.ts");
  const throttled = Number(args["throttled"] ?? 0) === 1;
  const tenant = SimulatedTenant.open(join(String(args["dir"]), "tenant.db"));
  try {
    tenant.setFaults({ wireThrottling: throttled });
    const budget = tenant.faults().exchangeCmdletsPer5s;
    const expected = comparable(await observe(tenant), "tenant");
    const endpoint = await startEndpoint({ tenant, ca: { certPem, keyPem } });
    try {
      const wire: WireCount = { cmdlets: 0, refused: 0, batches: 0, batchItems: 0 };
      const logStart = tenant.readRequests({ limit: 1 })[0]?.seq ?? 0;
      const tenantStart = tenant.nowMs();
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const provider = await openMicrosoftProvider({ ...endpoint.env }, { clock: new EndpointClock(endpoint.origin), fetch: countingFetch(wire) });
      const observed = await observe(provider);
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const tenantSeconds = (tenant.nowMs() - tenantStart) / 1000;

      const difference = firstDifference(expected, comparable(observed, "provider"));
      if (difference !== null) throw new Error(`the provider's read differs from the tenant's own: ${difference}`);

      const cost = provider.cost();
      const requests = cost.graph.requests + cost.exchange.requests + cost.identity.requests;
      // the endpoint logs what reached it; the provider also counts attempts that did not (a connection
      // closed under it, then sent again): the provider's count is the figure, never below the log's
      const logged = tenant.readRequests({ afterSeq: logStart }).filter((r) => r.service !== "control").length;
      if (logged > requests) throw new Error(`the endpoint logged ${logged} requests, more than the ${requests} the provider counted`);
      const mailboxes = observed.mailboxes.length;
      // the bucket starts full: the first `budget` cmdlets cost no time
      const budgetSeconds = (Math.max(0, wire.cmdlets - budget) / budget) * CMDLET_WINDOW_S;
      return {
        seconds,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        details: {
          mailboxes,
          grants: observed.grants.length,
          requests,
          requestsPerMailbox: requests / mailboxes,
          loggedRequests: logged,
          graphRequests: cost.graph.requests,
          exchangeRequests: cost.exchange.requests,
          identityRequests: cost.identity.requests,
          exchangeBatches: wire.batches,
          batchItems: wire.batchItems,
          cmdlets: wire.cmdlets,
          refusedCmdlets: wire.refused,
          exchangeThrottled: cost.exchange.throttled,
          exchangeRetries: cost.exchange.retries,
          tenantSeconds: Math.round(tenantSeconds * 10) / 10,
          budgetSeconds: Math.round(budgetSeconds * 10) / 10,
          budgetRatio: budgetSeconds > 0 ? tenantSeconds / budgetSeconds : 0,
        },
      };
    } finally {
      await endpoint.close();
    }
  } finally {
    tenant.close();
  }
}
