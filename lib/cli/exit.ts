/** Exit codes, the same for every command. */
export const EXIT = {
  /** Success; for plan --detailed-exitcode and drift: no changes. */
  ok: 0,
  /** An error: bad input, a refused plan, a failed apply. Nothing was changed unless the output says so. */
  error: 1,
  /** Success, and changes are present (plan --detailed-exitcode) or drift was found (drift). */
  changes: 2,
} as const;
