/**
 * test/integration: end-to-end proofs of apply's promises against the
 * SIMULATED TENANT (providers/simulated), not the in-memory fake: the
 * contoso plan converges under throttling and transient failures; a process
 * killed after (or before) any single write resumes to convergence with every
 * write done exactly once; stale, tampered and concurrent applies are refused
 * without touching the tenant; and property tests over generated tenants check
 * the reconciler's invariants (self-plan empty, apply then re-plan empty, no
 * user ever deleted, dependency order respected in the tenant's own operation
 * log). Crash runs happen in child processes (scripts/apply-child.ts) because
 * the tenant's crash fault SIGKILLs its process. The wire*.test.ts files apply
 * through the Microsoft provider against the tenant served on Microsoft's wire
 * (wire.ts): throttling, 503/504s, lost responses with lagging reads, and a
 * child (scripts/apply-wire-child.ts) killed right after a committed write.
 */
export * from "./helpers.js";
