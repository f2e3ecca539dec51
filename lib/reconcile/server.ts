/**
 * `--listen <host:port>`: what a Kubernetes Deployment probes and a
 * ServiceMonitor scrapes.
 *
 * - /healthz: 200 while the loop runs (the process answers at all).
 * - /readyz: 200 once a cycle compared the tenant and the last cycle did not
 *   fail; 503 with the reason otherwise (before the first cycle, after a
 *   failed one, while another replica holds the lease).
 * - /metrics: the Prometheus text format.
 *
 * Plain HTTP: it serves no secret and takes no input beyond the path.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "./metrics.js";
import type { ReconcileStatus } from "./status.js";

export interface ProbeServer {
  /** "http://host:port". */
  readonly url: string;
  close(): Promise<void>;
}

/** "127.0.0.1:9464" or ":9464" (all interfaces), or a UserError-worthy message. */
export function parseListen(value: string): { host: string; port: number } | string {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || port > 65535) return `--listen ${value} is not host:port; give e.g. 127.0.0.1:9464 (or :9464 for every interface)`;
  const host = m[1] === "" ? "0.0.0.0" : m[1]!.replace(/^\[|\]$/g, "");
  return { host, port };
}

export async function startProbeServer(host: string, port: number, metrics: Metrics, status: () => ReconcileStatus | null): Promise<ProbeServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (code: number, body: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
    if (path === "/healthz") return send(200, "ok\n");
    if (path === "/readyz") {
      const reason = notReady(status());
      return reason === null ? send(200, "ready\n") : send(503, `not ready: ${reason}\n`);
    }
    if (path === "/metrics") return send(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    return send(404, "not found: /healthz, /readyz and /metrics are served\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Why the reconciler is not ready, or null when it is. */
function notReady(s: ReconcileStatus | null): string | null {
  if (s === null) return "no cycle has completed yet";
  if (s.error !== undefined) return `the last cycle failed: ${s.error.message}`;
  if (s.skipped?.reason === "LeaseHeld") return "another replica holds the lease (this one is a standby)";
  return null;
}
