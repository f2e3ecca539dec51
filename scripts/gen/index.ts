/**
 * scripts/gen: the synthetic-tenant generator behind `npm run gen` and the
 * benchmarks. generate.ts builds, in memory and deterministically from a
 * seed, a simulated-tenant fixture and a desired-state document that differ
 * by a controlled share; write.ts writes large JSON documents to disk one
 * array element per line, without building one giant string.
 */
export * from "./generate.js";
export { seededRandom, randomInt, sampleIndices, type Random } from "./random.js";
export { writeJsonFile } from "./write.js";
