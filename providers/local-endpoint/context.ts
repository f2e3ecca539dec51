/**
 * What every protocol module of the local endpoint is given: the simulated
 * tenant it adapts (the ONLY place rules live), the tenant's clock, and the
 * cross-cutting services the server runs around each request (admission
 * under throttling, read lag). Protocol modules never touch node:http.
 */
import type { SimulatedTenant } from "../simulated/index.js";
import type { ITenantProvider } from "../../lib/provider/provider.js";
import type { Caller, Service, WireRequest, WireResponse } from "./wire.js";

/** Where a request stands in the read-lag model (see consistency.ts). */
export interface ReadView {
  /** The backend this request reached; a write is seen at once on its own backend, after the lag elsewhere. */
  readonly backend: number;
}

/**
 * The tenant's reads as one request sees them: the simulated tenant's own reads, except that objects
 * changed by a write on another backend less than the read lag ago still show their state from before
 * that write. Same shapes and sorting as the provider contract (lib/provider/provider.ts).
 */
export type TenantReads = Pick<
  ITenantProvider,
  "readTenant" | "listSkus" | "listUsers" | "listMailboxes" | "listGrants" | "getMailbox" | "getUser" | "getGrants"
>;

/**
 * The objects a write touches, named so that the read-lag model can keep their pre-write state:
 * "mailbox:<address>", "user:<upn>", "grants:<mailbox address>" (lower-case).
 */
export type ObjectKey = `mailbox:${string}` | `user:${string}` | `grants:${string}`;

export interface EndpointContext {
  readonly tenant: SimulatedTenant;
  /** The tenant's id (the simulated tenant's `tenant.id`) as tokens carry it in `tid`. */
  readonly tenantId: string;
  /** The tenant's accepted domains, lower-case. */
  readonly domains: readonly string[];
  /** The endpoint's origin, e.g. "https://127.0.0.1:8443": nextLinks are absolute URLs under it. */
  readonly origin: string;
  /** Tenant time now, in ms (the tenant's clock: virtual unless served with --clock real). */
  nowMs(): number;

  /**
   * Admission of one call (a top-level request or one $batch item) by the service's throttling.
   * Returns the 429 response to send instead, or null to go ahead. `write` says whether the call
   * changes the tenant (costs differ). The server admits top-level requests itself, so protocol
   * modules call this only for the items of a $batch.
   */
  admit(service: "graph" | "exchange", req: WireRequest, caller: Caller, write: boolean): WireResponse | null;

  /** The tenant's reads as seen from `view` (read lag applied). Protocol modules read ONLY through this. */
  reads(view: ReadView): TenantReads;

  /**
   * Run one write against the tenant, telling the read-lag model which objects it touches
   * (their state before the write stays visible on other backends for the lag).
   */
  write<T>(view: ReadView, keys: readonly ObjectKey[], run: (tenant: SimulatedTenant) => Promise<T>): Promise<T>;
}

/** A protocol module: handles the requests of one service. */
export type ServiceHandler = (req: WireRequest, caller: Caller, view: ReadView, ctx: EndpointContext) => Promise<WireResponse>;

export type { Caller, Service, WireRequest, WireResponse };
