/**
 * test/integration/scripts: programs the integration tests run as child
 * processes, for what cannot happen inside the test process: an apply that the
 * simulated tenant's crash fault kills with SIGKILL, or one that holds the
 * tenant lock while the test tries a second apply. See apply-child.ts; and
 * apply-wire-child.ts, an apply through the Microsoft provider that the wire
 * crash test kills from the endpoint's afterWrite hook.
 */
export {};
