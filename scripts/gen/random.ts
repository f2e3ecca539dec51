/**
 * Seeded randomness for the generator (never Math.random): the mulberry32
 * PRNG apply uses for its jitter, and what the generator draws from it.
 */
import { seededRandom } from "../../lib/private/random.js";

export { seededRandom };
export type Random = () => number;

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** `count` distinct indices of [0, n), in ascending order (partial Fisher-Yates over a typed array). */
export function sampleIndices(random: Random, n: number, count: number): number[] {
  const k = Math.min(count, n);
  const pool = new Uint32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(random, n - i);
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return Array.from(pool.subarray(0, k)).sort((a, b) => a - b);
}
