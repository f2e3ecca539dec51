/**
 * `exoform tenant serve`: the simulated tenant as a local Microsoft 365
 * endpoint (providers/local-endpoint) on 127.0.0.1, until SIGINT or SIGTERM.
 * When ready it prints one line, or with --json one object whose `env` holds
 * exactly the variables a client needs (see README, "Testing a pipeline
 * against the local endpoint").
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { UserError } from "../../diagnostics/errors.js";
import { printJson } from "../output.js";
import { TENANT_OPTION_HELP, openTenant } from "../tenant.js";
import { startEndpoint } from "../../../providers/local-endpoint/server.js";
import { resolveTenantPath } from "../../../providers/simulated/index.js";
import { formatOf, formatOption, TEXT_OR_JSON, type FormatOptions } from "../options.js";

interface ServeOptions extends FormatOptions {
  tenant?: string;
  port?: string;
  clientCertificate?: string[];
}

export function registerServe(tenant: Command): void {
  formatOption(tenant.command("serve"), TEXT_OR_JSON, "text", "the ready message (json: origin, env (the client's variables), readOnly (a client that may only read), github (emulated Actions OIDC))")
    .description("serve the simulated tenant over HTTPS on 127.0.0.1 as Microsoft's token endpoint, Graph v1.0 and the Exchange admin API, until SIGINT/SIGTERM")
    .option("--port <n>", "the port to listen on (default: any free port)")
    .option("--client-certificate <pem...>", "register a PEM certificate as a credential of the apply client (certificate authentication)")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action(async (opts: ServeOptions) => {
      const port = opts.port === undefined ? 0 : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UserError(`--port "${opts.port}" is not a port number; give 1 to 65535, or leave it out for any free port`, "usage");
      }
      const certificates = (opts.clientCertificate ?? []).map((path) => {
        try {
          return readFileSync(path, "utf8");
        } catch (e) {
          throw new UserError(`--client-certificate ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`, "usage");
        }
      });
      const t = openTenant(opts.tenant);
      const stateDir = dirname(resolveTenantPath(opts.tenant));
      let endpoint;
      try {
        endpoint = await startEndpoint({ tenant: t, port, stateDir, clientCertificates: certificates });
      } catch (e) {
        t.close();
        if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") throw new UserError(`port ${port} on 127.0.0.1 is in use; pick another with --port, or leave --port out`, "port_in_use");
        throw e;
      }
      const info = {
        origin: endpoint.origin,
        env: endpoint.env,
        readOnly: endpoint.readOnly,
        github: endpoint.github,
        control: `${endpoint.origin}/_exoform`,
        tenant: resolveTenantPath(opts.tenant),
      };
      if (formatOf(opts, TEXT_OR_JSON, "a serve ready message") === "json") printJson(info);
      else {
        process.stdout.write(
          `serving tenant "${endpoint.env.AZURE_TENANT_ID}" at ${endpoint.origin} (token, Graph v1.0, Exchange admin API); ` +
            `CA ${endpoint.env.NODE_EXTRA_CA_CERTS}; run with --json for the client's variables; Ctrl-C stops\n`,
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await endpoint.close();
      t.close();
    });
}
