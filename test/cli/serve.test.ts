/**
 * `exoform tenant serve` as a user runs it: a process that prints its env when
 * ready, answers on 127.0.0.1 with the CA it wrote, and exits 0 on SIGTERM.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../lib/cli/main.js";

const BIN = fileURLToPath(new URL("../../bin/exoform.js", import.meta.url));

function post(url: string, ca: string, form: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", ca, headers: { "content-type": "application/x-www-form-urlencoded" } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(new URLSearchParams(form).toString());
  });
}

describe("exoform tenant serve", () => {
  it("prints the client's env when ready, issues tokens over HTTPS with the CA it wrote, and exits 0 on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exoform-serve-"));
    const tenant = join(dir, "tenant.db");
    expect(await main(["node", "exoform", "tenant", "init", "--fixture", "contoso", "--tenant", tenant])).toBe(0);
    const child = spawn(process.execPath, [BIN, "tenant", "serve", "--json", "--tenant", tenant], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString("utf8");
        try {
          resolve(JSON.parse(stdout) as Record<string, unknown>);
        } catch {
          // not the whole document yet
        }
      });
      void exited.then((code) => reject(new Error(`serve exited ${code} before it was ready: ${stderr}`)));
    });
    const env = ready["env"] as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "EXOFORM_AUTHORITY_HOST", "EXOFORM_EXCHANGE_URL", "EXOFORM_GRAPH_URL", "NODE_EXTRA_CA_CERTS"]);
    expect(new URL(env["EXOFORM_GRAPH_URL"]!).hostname).toBe("127.0.0.1");
    expect(Object.keys(ready["readOnly"] as object).sort()).toEqual(["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"]);
    const ca = readFileSync(env["NODE_EXTRA_CA_CERTS"]!, "utf8");
    const token = await post(`${env["EXOFORM_AUTHORITY_HOST"]}/${env["AZURE_TENANT_ID"]}/oauth2/v2.0/token`, ca, {
      grant_type: "client_credentials",
      client_id: env["AZURE_CLIENT_ID"]!,
      client_secret: env["AZURE_CLIENT_SECRET"]!,
      scope: "https://graph.microsoft.com/.default",
    });
    expect(token.status).toBe(200);
    expect(JSON.parse(token.body)).toMatchObject({ token_type: "Bearer" });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).not.toContain(env["AZURE_CLIENT_SECRET"]);
  });

  it("refuses a port that is not a number, and changes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exoform-serve-"));
    expect(await main(["node", "exoform", "tenant", "serve", "--port", "http", "--tenant", join(dir, "tenant.db")])).toBe(1);
  });
});
