/**
 * mulberry32: a tiny seeded PRNG. exoform never calls Math.random where the
 * outcome must be reproducible: apply's backoff jitter, the simulated tenant's
 * transient faults (whose state it persists between processes), the scenario
 * generator.
 */

/** One uniform draw in [0, 1) from `state`, and the state after it. */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}

/** A generator of uniform draws in [0, 1), seeded. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    const draw = nextRandom(state);
    state = draw.state;
    return draw.value;
  };
}
