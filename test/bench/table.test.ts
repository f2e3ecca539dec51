import { describe, expect, it } from "vitest";
import { formatMarkdown, type Row } from "../../bench/table.js";

const row = (over: Partial<Row>): Row => ({ scenario: "s", size: "1k", seconds: null, cpuSeconds: null, peakRssBytes: null, target: null, status: "info", ...over });

describe("the README's performance table from a bench run", () => {
  it("has a line per row with its target, what it measured and its result", () => {
    const md = formatMarkdown([
      row({ scenario: "plan", seconds: 2.5, cpuSeconds: 2.4, peakRssBytes: 883 * 2 ** 20, baselineSeconds: 1.25, target: { text: "<= 8 s", check: () => true }, status: "PASS" }),
      row({ scenario: "apply at 20/s", figure: 0.97, figureText: "97% of budget", target: { text: ">= 95% of budget", check: () => true }, status: "PASS" }),
    ]).split("\n");
    expect(md[0]).toBe("| Scenario | Size | Target | Measured | |");
    expect(md[2]).toBe("| plan | 1k | <= 8 s | 2.50 s, 2.40 s CPU, 883 MB, 2.00x JSON.parse | PASS |");
    expect(md[3]).toBe("| apply at 20/s | 1k | >= 95% of budget | 97% of budget | PASS |");
  });

  it("says why a row was skipped, and escapes the pipes a cell holds", () => {
    const md = formatMarkdown([row({ scenario: "a | b", status: "SKIP", note: "skipped: terraform is not on PATH" })]);
    expect(md.split("\n")[2]).toBe("| a \\| b | 1k | (none) | skipped: terraform is not on PATH | SKIP |");
  });
});
