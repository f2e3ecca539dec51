/**
 * Small local servers for the Microsoft provider's tests: plain http, or
 * https with a certificate signed by the test run's CA (test/support/test-ca.ts,
 * trusted by Node's fetch in every worker through NODE_EXTRA_CA_CERTS), a
 * virtual clock that records the provider's waits, and unsigned tokens with
 * chosen claims. Every test stops its servers (afterEach: stopAll()).
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { makeTls } from "../../../providers/local-endpoint/tls.js";
import type { TenantClock } from "../../../lib/provider/provider.js";
import type { TokenClaims, TokenSource } from "../../../providers/microsoft/auth.js";
import type { MicrosoftSettings } from "../../../providers/microsoft/config.js";
import { Secret } from "../../../providers/microsoft/secrets.js";

export interface Received {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body as JSON, a form as an object, or undefined. */
  readonly body: unknown;
}

export type Reply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  /** Close the connection without an answer. */
  | "reset"
  /** Never answer (until the server stops). */
  | "hang";

export type Handler = (req: Received, server: TestServer) => Reply | Promise<Reply>;

export interface TestServer {
  readonly origin: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const servers = new Set<TestServer>();

/** Start a server on 127.0.0.1, port 0. */
export async function startServer(handler: Handler, options: { readonly https?: boolean } = {}): Promise<TestServer> {
  let server: Server;
  if (options.https) {
    const certPem = process.env["EXOFORM_TEST_CA_CERT"];
    const keyPem = process.env["EXOFORM_TEST_CA_KEY"];
    if (!certPem || !keyPem) throw new Error("the test CA is missing: run through vitest (test/support/test-ca.ts)");
    const tls = await makeTls(null, { certPem, keyPem });
    server = createHttps({ cert: tls.certPem, key: tls.keyPem });
  } else {
    server = createHttp();
  }
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const received: Received[] = [];
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const self: TestServer = {
    origin: `${options.https ? "https" : "http"}://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        servers.delete(self);
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://x");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      let body: unknown;
      if (text !== "") {
        if ((headers["content-type"] ?? "").includes("x-www-form-urlencoded")) body = Object.fromEntries(new URLSearchParams(text));
        else {
          try {
            body = JSON.parse(text) as unknown;
          } catch {
            body = undefined;
          }
        }
      }
      const r: Received = { method: req.method ?? "GET", url: req.url ?? "/", path: decodeURIComponent(url.pathname), query: url.searchParams, headers, text, body };
      received.push(r);
      const reply = await handler(r, self);
      if (reply === "hang") return;
      if (reply === "reset") {
        req.socket.destroy();
        return;
      }
      const payload = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { "content-type": typeof reply.body === "string" ? "text/plain" : "application/json", ...(reply.headers ?? {}) });
      res.end(payload);
    })();
  });
  servers.add(self);
  return self;
}

/** Stop every server still running (afterEach). */
export async function stopAll(): Promise<void> {
  await Promise.all([...servers].map((s) => s.close()));
}

export function json(status: number, body?: unknown, headers: Record<string, string> = {}): Reply {
  return body === undefined ? { status, headers } : { status, body, headers };
}

/** A tenant clock that moves only when slept on, and remembers each wait. */
export function virtualClock(start = Date.parse("2026-11-01T09:00:00.000Z")): TenantClock & { readonly sleeps: number[]; ms(): number } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    ms: () => now,
    now: async () => new Date(now),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      if (ms > 0) now += ms;
    },
  };
}

/** An unsigned JWT with these claims (services are not asked to verify it here). */
export function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ typ: "JWT", alg: "none" })}.${part(claims)}.sig`;
}

/** A TokenSource with fixed claims per resource. */
export function fakeTokens(claims: Partial<TokenClaims> = {}): TokenSource & { calls: string[] } {
  const full: TokenClaims = { tid: "tenant-guid", appId: "app", roles: [], wids: [], expiresAt: Date.now() + 3_600_000, ...claims };
  const calls: string[] = [];
  const token = (resource: string) => jwt({ tid: full.tid, appid: full.appId, roles: full.roles, wids: full.wids, exp: Math.floor(full.expiresAt / 1000), aud: resource });
  return {
    calls,
    token: async (resource) => {
      calls.push(resource);
      return token(resource);
    },
    claims: async () => full,
  };
}

/** Settings whose Graph and Exchange are `origin` (a test server). */
export function settingsFor(origin: string, tenantId = "contoso.onmicrosoft.com"): MicrosoftSettings {
  return {
    tenantId,
    clientId: "11111111-2222-3333-4444-555555555555",
    credential: { kind: "secret", secret: new Secret("not-used-in-these-tests") },
    authorityHost: "https://login.microsoftonline.com",
    graphUrl: origin,
    exchangeUrl: origin,
  };
}
