/**
 * The controller examples (examples/kubernetes/reconcile-deployment.yaml,
 * examples/systemd/exoform-reconcile.service) run commands that exist, with
 * flags that exist, and probe the paths the loop serves.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../lib/cli/main.js";

const ROOT = join(import.meta.dirname, "..", "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

/** Flags of `exoform reconcile` and the global ones. */
function knownFlags(): Set<string> {
  const program = buildProgram();
  const reconcile = program.commands.find((c) => c.name() === "reconcile")!;
  return new Set([...program.options, ...reconcile.options].map((o) => o.long!));
}

type Doc = { kind: string; spec?: Record<string, unknown> };

describe("the controller examples", () => {
  const docs = loadAll(read("examples/kubernetes/reconcile-deployment.yaml")) as Doc[];
  const deployment = docs.find((d) => d.kind === "Deployment")!;
  const container = (deployment.spec as { template: { spec: { containers: Array<{ command: string[]; args: string[]; livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } }; ports: Array<{ containerPort: number }> }> } } }).template.spec.containers[0]!;

  it("runs one replica of exoform reconcile, with flags the command has", () => {
    expect(deployment.spec!["replicas"]).toBe(1);
    expect([...container.command, container.args[0]]).toEqual(["exoform", "reconcile"]);
    const flags = container.args.filter((a) => a.startsWith("--"));
    expect(flags.filter((f) => !knownFlags().has(f))).toEqual([]);
  });

  it("probes /healthz and /readyz on the port --listen serves, and a ServiceMonitor scrapes /metrics", () => {
    const listen = container.args[container.args.indexOf("--listen") + 1]!;
    expect(Number(listen.split(":").at(-1))).toBe(container.ports[0]!.containerPort);
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    expect(docs.some((d) => d.kind === "ServiceMonitor")).toBe(true);
  });

  it("starts exoform reconcile from the systemd unit with flags the command has", () => {
    const exec = /^ExecStart=(.*)$/m.exec(read("examples/systemd/exoform-reconcile.service"))![1]!.split(/\s+/);
    expect(exec.slice(exec.indexOf("exoform"), exec.indexOf("exoform") + 2)).toEqual(["exoform", "reconcile"]);
    expect(exec.filter((a) => a.startsWith("--") && !knownFlags().has(a))).toEqual([]);
  });
});
