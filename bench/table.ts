/**
 * The one table `npm run bench` prints (a row per scenario, figures right-aligned), and the same rows
 * as the markdown table of the README's performance section (bench/results/latest.md), so that the
 * README is regenerated from a run, never typed.
 */

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
  /** SKIP: the row cannot run on this machine (a peer tool absent); its note says why. */
  readonly status: "PASS" | "FAIL" | "ERROR" | "SKIP" | "info";
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
  return [line(HEADERS), line(widths.map((w) => "-".repeat(w))), ...body.map(line), ...(notes.length ? ["", "notes (errors and skipped rows):", ...notes] : [])].join("\n");
}

/** What a row measured, in words: its own figure, else its time (with CPU time and peak memory when known). */
function measured(r: Row): string {
  if (r.status === "SKIP" || r.status === "ERROR") return r.note ?? "-";
  const parts: string[] = [];
  if (r.figureText !== undefined) parts.push(r.figureText);
  else if (r.seconds !== null) parts.push(`${r.seconds.toFixed(2)} s`);
  if (r.figureText === undefined && r.cpuSeconds !== null) parts.push(`${r.cpuSeconds.toFixed(2)} s CPU`);
  if (r.peakRssBytes !== null && r.figureText === undefined) parts.push(`${Math.round(r.peakRssBytes / 2 ** 20)} MB`);
  if (r.seconds !== null && r.baselineSeconds) parts.push(`${(r.seconds / r.baselineSeconds).toFixed(2)}x JSON.parse`);
  return parts.join(", ");
}

/** The rows as the README's markdown table: scenario, size, target, measured, result. */
export function formatMarkdown(rows: readonly Row[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = ["| Scenario | Size | Target | Measured | |", "|---|---|---|---|---|"];
  for (const r of rows) lines.push(`| ${cell(r.scenario)} | ${cell(r.size)} | ${cell(r.target?.text ?? "(none)")} | ${cell(measured(r))} | ${r.status} |`);
  return lines.join("\n");
}
