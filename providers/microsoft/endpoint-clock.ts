/**
 * The clock of a local endpoint (`exoform tenant serve`), read and moved
 * through its test-only control API, so that the provider's waits
 * (Retry-After, a mailbox still being provisioned) take tenant time and no
 * real time in tests and demos. Against Microsoft the provider's clock is
 * wall time; this one is only ever used when the endpoints are not
 * Microsoft's (see lib/cli/provider.ts).
 */
import type { TenantClock } from "../../lib/provider/provider.js";
import { ProviderError } from "../../lib/provider/errors.js";

export class EndpointClock implements TenantClock {
  constructor(private readonly origin: string) {}

  /** Whether `origin` serves the control clock (a local endpoint does; Microsoft does not). */
  static async available(origin: string): Promise<boolean> {
    try {
      const res = await fetch(`${origin}/_exoform/clock`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) return false;
      const body = (await res.json()) as { now?: unknown; mode?: unknown };
      return typeof body.now === "string" && body.mode === "virtual";
    } catch {
      return false;
    }
  }

  async now(): Promise<Date> {
    return new Date((await this.call("GET", "/clock")).now);
  }

  /** Wait `ms` of tenant time: move the endpoint's clock to now + ms unless another waiter moved it further. */
  async sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    const now = await this.now();
    await this.call("POST", "/clock/until", { at: new Date(now.getTime() + ms).toISOString() });
  }

  private async call(method: string, path: string, body?: unknown): Promise<{ now: string }> {
    let res: Response;
    try {
      res = await fetch(`${this.origin}/_exoform${path}`, {
        method,
        signal: AbortSignal.timeout(30_000),
        ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new ProviderError({ kind: "transient", code: "ClockUnavailable", message: `the local endpoint's clock at ${this.origin}/_exoform${path} did not answer (${(e as Error).message})`, operation: "clock", target: this.origin });
    }
    if (!res.ok) {
      throw new ProviderError({ kind: "transient", code: "ClockUnavailable", message: `the local endpoint's clock answered ${res.status} to ${method} ${path}`, operation: "clock", target: this.origin });
    }
    return (await res.json()) as { now: string };
  }
}
