/**
 * The local endpoint's control API, under /_exoform/: TEST-ONLY, never part
 * of Microsoft's surface and never confused with it. It lets a test or a
 * demo read and move the tenant's clock (so a client's waits run on tenant
 * time and never sleep for real), read the request log, replace the tenant
 * from a fixture, and stands in for GitHub Actions' OIDC token endpoint so
 * federated credentials can be exercised without GitHub.
 *
 *   GET  /_exoform/clock                  {"now": ISO, "mode": "virtual"|"real"}
 *   POST /_exoform/clock/advance {ms}     move the virtual clock forward by ms
 *   POST /_exoform/clock/until {at}       move it to `at` unless it is already later:
 *                                         concurrent sleepers overlap instead of adding up
 *   GET  /_exoform/requests?after=N       the request log after sequence N
 *   POST /_exoform/seed {fixture}         replace the tenant (the tenant fixture format)
 *   GET  /_exoform/github/token?audience= a GitHub-style OIDC token (bearer: the request token)
 */
import type { SimulatedTenant } from "../simulated/index.js";
import type { IdentityService } from "./identity.js";
import { json, type WireRequest, type WireResponse } from "./wire.js";

export const CONTROL_PREFIX = "/_exoform";
export const GITHUB_ISSUER_PATH = `${CONTROL_PREFIX}/github`;

export interface ControlDeps {
  readonly tenant: SimulatedTenant;
  readonly identity: IdentityService;
  readonly githubIssuer: string;
  readonly githubRequestToken: string;
  /** Told after a seed, so that the server can resize what depends on the tenant's size. */
  readonly seeded: () => Promise<void>;
}

const problem = (status: number, message: string): WireResponse => json(status, { error: { code: "ControlApiError", message } });

export async function handleControl(req: WireRequest, deps: ControlDeps): Promise<WireResponse> {
  const route = `${req.method} ${req.path.slice(CONTROL_PREFIX.length)}`;
  const body = (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const { tenant } = deps;
  const clock = () => json(200, { now: new Date(tenant.nowMs()).toISOString(), mode: tenant.clockMode });
  switch (route) {
    case "GET /clock":
      return clock();
    case "POST /clock/advance": {
      const ms = body["ms"];
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return problem(400, `"ms" must be a number of milliseconds >= 0, got ${JSON.stringify(ms)}`);
      if (tenant.clockMode === "real") return problem(409, "the tenant runs on a real clock (served with --clock real); it cannot be advanced");
      tenant.advanceClock(ms);
      return clock();
    }
    case "POST /clock/until": {
      const at = typeof body["at"] === "string" ? Date.parse(body["at"]) : Number.NaN;
      if (!Number.isFinite(at)) return problem(400, `"at" must be an ISO-8601 time, got ${JSON.stringify(body["at"])}`);
      if (tenant.clockMode === "real") return problem(409, "the tenant runs on a real clock (served with --clock real); it cannot be advanced");
      const ahead = at - tenant.nowMs();
      if (ahead > 0) tenant.advanceClock(ahead);
      return clock();
    }
    case "GET /requests": {
      const after = Number(req.query.get("after") ?? "0");
      return json(200, { value: tenant.readRequests({ afterSeq: Number.isFinite(after) ? after : 0 }) });
    }
    case "POST /seed": {
      try {
        tenant.seed(body["fixture"] as Parameters<SimulatedTenant["seed"]>[0]);
      } catch (e) {
        return problem(400, (e as Error).message);
      }
      await deps.seeded();
      return clock();
    }
    case "GET /github/token": {
      if (req.headers["authorization"] !== `bearer ${deps.githubRequestToken}` && req.headers["authorization"] !== `Bearer ${deps.githubRequestToken}`) {
        return problem(401, "the ACTIONS_ID_TOKEN_REQUEST_TOKEN given does not match");
      }
      const audience = req.query.get("audience") ?? "api://AzureADTokenExchange";
      const subject = req.query.get("subject") ?? "repo:local/exoform:ref:refs/heads/main";
      return json(200, { count: 1, value: deps.identity.issueFederatedToken(deps.githubIssuer, subject, audience) });
    }
    default:
      return problem(404, `no control route ${route}; see providers/local-endpoint/control.ts`);
  }
}
