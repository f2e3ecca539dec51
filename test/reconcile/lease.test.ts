import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileLease } from "../../lib/reconcile/lease.js";

function leases() {
  const path = join(mkdtempSync(join(tmpdir(), "exoform-lease-")), "tenant.db.lease");
  const clock = { now: Date.parse("2026-11-30T09:00:00Z") };
  const make = (holder: string) => new FileLease(path, { durationMs: 60_000, now: () => clock.now, who: `${holder}@host`, holder });
  return { path, clock, make };
}

describe("the reconciler's lease", () => {
  it("is taken by the first replica and refused to the second, naming the holder and the expiry", () => {
    const { make } = leases();
    const a = make("a");
    expect(a.acquire()).toMatchObject({ held: true, acquired: true });
    const b = make("b").acquire();
    expect(b).toMatchObject({ held: false, by: { holder: "a", who: "a@host", expiresAt: "2026-11-30T09:01:00.000Z" } });
  });

  it("is renewed by its holder, which moves its expiry and keeps when it was acquired", () => {
    const { make, clock } = leases();
    const a = make("a");
    a.acquire();
    clock.now += 30_000;
    const renewed = a.acquire();
    expect(renewed).toMatchObject({ held: true, acquired: false, record: { acquiredAt: "2026-11-30T09:00:00.000Z", expiresAt: "2026-11-30T09:01:30.000Z" } });
  });

  it("expires when not renewed, and is then taken over by another replica", () => {
    const { make, clock } = leases();
    make("a").acquire();
    clock.now += 60_001;
    expect(make("b").acquire()).toMatchObject({ held: true, acquired: true, record: { holder: "b" } });
    expect(make("a").acquire()).toMatchObject({ held: false, by: { holder: "b" } });
  });

  it("lets exactly one of many replicas take an expired lease", () => {
    const { make, clock } = leases();
    make("old").acquire();
    clock.now += 120_000;
    const outcomes = Array.from({ length: 8 }, (_, i) => make(`r${i}`).acquire());
    expect(outcomes.filter((o) => o.held)).toHaveLength(1);
  });

  it("is released by its holder only: another replica's release leaves it", () => {
    const { make, path } = leases();
    const a = make("a");
    a.acquire();
    make("b").release();
    expect(existsSync(path)).toBe(true);
    a.release();
    expect(existsSync(path)).toBe(false);
  });

  it("treats an unreadable lease file as expired, so a damaged file never stops the loop for good", () => {
    const { make, path } = leases();
    writeFileSync(path, "{not json");
    expect(make("a").acquire()).toMatchObject({ held: true });
  });
});
