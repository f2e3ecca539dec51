/**
 * The reconciler's metrics, in Prometheus' text exposition format (0.0.4):
 * what a ServiceMonitor scrapes from `--listen`'s /metrics. A few counters and
 * gauges with labels; rendered in a fixed order, so two scrapes of the same
 * state are byte-identical.
 */

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly samples: Map<string, { labels: Labels; value: number }>;
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  constructor() {
    this.define("exoform_reconcile_cycles_total", "counter", "Reconcile cycles run, by result (ok, failed, skipped).");
    this.define("exoform_reconcile_drift_actions", "gauge", "Actions the last compared cycle planned, by class (security, access, review).");
    this.define("exoform_reconcile_heals_total", "counter", "Actions healed, by class.");
    this.define("exoform_reconcile_heal_failures_total", "counter", "Heal actions that failed, by class.");
    this.define("exoform_reconcile_failures_total", "counter", "Cycles that failed before or while comparing the tenant.");
    this.define("exoform_api_requests_total", "counter", "Requests sent to the service, by service (graph, exchange, identity).");
    this.define("exoform_api_throttled_total", "counter", "Throttled answers from the service, by service.");
    this.define("exoform_reconcile_last_success_timestamp_seconds", "gauge", "When the last cycle that compared the tenant completed (Unix time).");
    this.define("exoform_reconcile_ready", "gauge", "1 when the last cycle found the tenant matching the code, else 0.");
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const sample = this.sample(name, labels);
    sample.value += by;
  }

  set(name: string, labels: Labels, value: number): void {
    this.sample(name, labels).value = value;
  }

  /** The text exposition format: families in definition order, samples sorted by their labels. */
  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      const samples = [...family.samples.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [, { labels, value }] of samples) lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    }
    return `${lines.join("\n")}\n`;
  }

  private define(name: string, type: Family["type"], help: string): void {
    this.families.set(name, { help, type, samples: new Map() });
  }

  private sample(name: string, labels: Labels): { labels: Labels; value: number } {
    const family = this.families.get(name);
    if (family === undefined) throw new Error(`metric ${name} is not defined`);
    const key = formatLabels(labels);
    let sample = family.samples.get(key);
    if (sample === undefined) family.samples.set(key, (sample = { labels, value: 0 }));
    return sample;
  }
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(",")}}`;
}

/** Label values escape backslash, double quote and newline (the exposition format's rule). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
}
