/**
 * WireFaults (providers/local-endpoint/wire-faults.ts): seeded, per-kind draw
 * sequences in a fixed order (error, lost response, reset, slow).
 */
import { describe, expect, it } from "vitest";
import { WireFaults, type WireFault } from "../../providers/local-endpoint/wire-faults.js";
import { DEFAULT_FAULTS, type FaultSettings } from "../../providers/simulated/index.js";
import { decideWrite, initialFaultState } from "../../providers/simulated/faults.js";

function faults(change: Partial<FaultSettings>): { wire: WireFaults; settings: { current: FaultSettings } } {
  const settings = { current: { ...DEFAULT_FAULTS, ...change } };
  return { wire: new WireFaults({ settings: () => settings.current }), settings };
}

function run(wire: WireFaults, n: number, write: (i: number) => boolean = () => true): WireFault[] {
  return Array.from({ length: n }, (_, i) => wire.decide(write(i)));
}

const kinds = (list: readonly WireFault[]) => list.map((f) => (f.kind === "error" ? String(f.status) : f.kind));

describe("WireFaults", () => {
  it("answers none when every wire fault rate is 0", () => {
    expect(new Set(kinds(run(faults({}).wire, 200)))).toEqual(new Set(["none"]));
  });

  it("gives the same faults for the same seed, and others for another seed", () => {
    const change = { wireErrorRate: 0.2, wireResetRate: 0.2, wireSlowRate: 0.2, wireSlowMs: 300, wireLostResponseRate: 0.2 };
    const a = run(faults({ ...change, seed: 7 }).wire, 300, (i) => i % 3 === 0);
    const b = run(faults({ ...change, seed: 7 }).wire, 300, (i) => i % 3 === 0);
    const c = run(faults({ ...change, seed: 8 }).wire, 300, (i) => i % 3 === 0);
    expect(a).toEqual(b);
    expect(kinds(a)).not.toEqual(kinds(c));
    expect(new Set(kinds(a))).toEqual(new Set(["none", "503", "504", "lostResponse", "reset", "slow"]));
  });

  it("restarts the sequence when the seed changes", () => {
    const { wire, settings } = faults({ wireErrorRate: 0.5, seed: 3 });
    const first = run(wire, 40);
    settings.current = { ...settings.current, seed: 4 };
    run(wire, 10);
    settings.current = { ...settings.current, seed: 3 };
    expect(run(wire, 40)).toEqual(first);
  });

  it("never loses the response of a read", () => {
    const { wire } = faults({ wireLostResponseRate: 1 });
    expect(new Set(kinds(run(wire, 100, () => false)))).toEqual(new Set(["none"]));
    expect(new Set(kinds(run(wire, 100, () => true)))).toEqual(new Set(["lostResponse"]));
  });

  it("decides in the order error, lost response, reset, slow", () => {
    const all = { wireErrorRate: 1, wireLostResponseRate: 1, wireResetRate: 1, wireSlowRate: 1, wireSlowMs: 250 };
    expect(faults(all).wire.decide(true).kind).toBe("error");
    expect(faults({ ...all, wireErrorRate: 0 }).wire.decide(true)).toEqual({ kind: "lostResponse" });
    expect(faults({ ...all, wireErrorRate: 0 }).wire.decide(false)).toEqual({ kind: "reset" });
    expect(faults({ ...all, wireErrorRate: 0, wireResetRate: 0 }).wire.decide(false)).toEqual({ kind: "slow", ms: 250 });
  });

  it("hits each fault at about its rate, errors split between 503 and 504", () => {
    const n = 4000;
    const counts = (list: readonly WireFault[]) => kinds(list).reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
    const errors = counts(run(faults({ wireErrorRate: 0.1 }).wire, n));
    expect(((errors.get("503") ?? 0) + (errors.get("504") ?? 0)) / n).toBeCloseTo(0.1, 1);
    expect(errors.get("503")).toBeGreaterThan(n * 0.03);
    expect(errors.get("504")).toBeGreaterThan(n * 0.03);
    expect((counts(run(faults({ wireSlowRate: 0.3, wireSlowMs: 10 }).wire, n)).get("slow") ?? 0) / n).toBeCloseTo(0.3, 1);
  });

  it("keeps the calls one fault hits when another fault is turned on", () => {
    const errorsAlone = run(faults({ wireErrorRate: 0.2 }).wire, 300).map((f) => f.kind === "error");
    const withOthers = run(faults({ wireErrorRate: 0.2, wireResetRate: 0.5, wireSlowRate: 0.5, wireSlowMs: 5, wireLostResponseRate: 0.5 }).wire, 300);
    expect(withOthers.map((f) => f.kind === "error")).toEqual(errorsAlone);
    // and a later kind hits the same calls whatever comes before it, unless an earlier kind answered first
    const resetsAlone = run(faults({ wireResetRate: 0.3 }).wire, 300).map((f) => f.kind === "reset");
    const resetsBehindErrors = run(faults({ wireResetRate: 0.3, wireErrorRate: 0.3 }).wire, 300);
    resetsBehindErrors.forEach((f, i) => {
      if (f.kind !== "error") expect(f.kind === "reset").toBe(resetsAlone[i]);
    });
  });

  it("only adds hits when a rate is raised", () => {
    const low = run(faults({ wireResetRate: 0.1 }).wire, 300).map((f) => f.kind === "reset");
    const high = run(faults({ wireResetRate: 0.4 }).wire, 300).map((f) => f.kind === "reset");
    low.forEach((hit, i) => {
      if (hit) expect(high[i]).toBe(true);
    });
    expect(high.filter(Boolean).length).toBeGreaterThan(low.filter(Boolean).length);
  });

  it("does not mirror the tenant's own transient-fault sequence", () => {
    const seed = 11;
    const wire = run(faults({ seed, wireResetRate: 0.5 }).wire, 64).map((f) => f.kind === "reset"); // one draw a call, as the tenant's
    const settings = { ...DEFAULT_FAULTS, seed, transientRate: 0.5 };
    const state = initialFaultState(settings);
    const tenant = Array.from({ length: 64 }, () => decideWrite(settings, state, 0).fault === "transient");
    expect(wire).not.toEqual(tenant);
  });

  it("answers none for a slow hit of 0 ms", () => {
    expect(new Set(kinds(run(faults({ wireSlowRate: 1, wireSlowMs: 0 }).wire, 20)))).toEqual(new Set(["none"]));
  });
});
