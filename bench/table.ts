/** The one table `npm run bench` prints: a row per scenario, figures right-aligned. */

export interface Row {
  readonly scenario: string;
  readonly size: string;
  /** Wall seconds of the timed work; null when the row is derived or failed. */
  readonly seconds: number | null;
  /** CPU seconds (user + system) of the same work, when measured: robust against a busy machine. */
  readonly cpuSeconds: number | null;
  readonly peakRssBytes: number | null;
  /** JSON.parse of the same inputs, measured in the same run. */
  readonly baselineSeconds?: number | null;
  /** The row's own figure when it is not a time (throughput, growth factor). */
  readonly figure?: number;
  readonly figureText?: string;
  readonly target: { readonly text: string; readonly check: (r: Measure) => boolean } | null;
  readonly status: "PASS" | "FAIL" | "ERROR" | "info";
  readonly details?: Readonly<Record<string, number | string>>;
  readonly note?: string;
}

/** What a scenario measured, before the runner names it and judges it. */
export type Measure = Omit<Row, "scenario" | "size" | "target" | "status">;

const HEADERS = ["scenario", "size", "wall s", "cpu s", "peak RSS", "x JSON.parse", "figure", "target", "result"] as const;
const RIGHT = new Set([2, 3, 4, 5]);

function cells(r: Row): string[] {
  const mb = r.peakRssBytes === null ? "-" : `${Math.round(r.peakRssBytes / 2 ** 20)} MB`;
  const ratio = r.seconds !== null && r.baselineSeconds ? `${(r.seconds / r.baselineSeconds).toFixed(2)}x` : "-";
  return [
    r.scenario,
    r.size,
    r.seconds === null ? "-" : r.seconds.toFixed(2),
    r.cpuSeconds === null ? "-" : r.cpuSeconds.toFixed(2),
    mb,
    ratio,
    r.figureText ?? (r.seconds !== null ? `${r.seconds.toFixed(2)} s` : "-"),
    r.target?.text ?? "-",
    r.status,
  ];
}

export function formatTable(rows: readonly Row[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((s, i) => (RIGHT.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join("  ").trimEnd();
  const notes = rows.filter((r) => r.note !== undefined).map((r) => `  ${r.scenario} (${r.size}): ${r.note}`);
  return [line(HEADERS), line(widths.map((w) => "-".repeat(w))), ...body.map(line), ...(notes.length ? ["", "errors:", ...notes] : [])].join("\n");
}
