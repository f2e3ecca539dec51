/**
 * The access table of the pull-request comment (lib/render/access.ts,
 * grouped by mailbox): whatever the plan, every revocation on a mailbox that
 * stays is a row of its own, every grant that ends with a deleted mailbox is
 * counted in that mailbox's one row and listed below, and the counts add up.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccessChange } from "../../lib/plan/types.js";
import type { Right } from "../../lib/provider/observed.js";
import { renderPlan } from "../../lib/render/index.js";
import { markdownProblems } from "./markdown-checks.js";
import { action, grant, planDocument, revoke } from "./plan-fixtures.js";

const RIGHTS: readonly Right[] = ["FullAccess", "SendAs", "SendOnBehalf"];
const mailbox = fc.constantFrom("a@contoso.com", "b@contoso.com", "c@contoso.com");
const person = fc.integer({ min: 0, max: 30 }).map((i) => `p${i}@contoso.com`);
const change = fc.record({ mailbox, person, right: fc.constantFrom(...RIGHTS), gain: fc.boolean() });

describe("the grouped access table (property)", () => {
  it("keeps every revocation visible, folds only a deleted mailbox's grants, and counts them right", () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 40 }), fc.subarray(["a@contoso.com", "b@contoso.com", "c@contoso.com"]), (changes, deleted) => {
        const ending = new Map<string, AccessChange[]>();
        const actions = [];
        const seen = new Set<string>();
        for (const c of changes) {
          const key = `${c.mailbox} ${c.person} ${c.right}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (deleted.includes(c.mailbox)) {
            const list = ending.get(c.mailbox) ?? [];
            list.push({ mailbox: c.mailbox, principal: c.person, right: c.right, change: "lose" });
            ending.set(c.mailbox, list);
          } else if (c.gain) actions.push(grant(c.mailbox, c.right, c.person, { reason: "r", description: "grant" }));
          else actions.push(revoke(c.mailbox, c.right, c.person, { reason: "r", description: "revoke" }));
        }
        for (const m of deleted) actions.push(action("mailbox.delete", m, { reason: "r", description: `delete ${m}`, destructive: true, access: ending.get(m) ?? [] }));
        const out = renderPlan(planDocument({ actions }), "markdown");
        expect(markdownProblems(out)).toEqual([]);
        for (const a of actions) {
          if (a.type === "permission.revoke") expect(out).toContain(`| ${a.target} | ${a.params.trustee} | ${a.params.right} | 🔴 **lost** |`);
        }
        for (const [m, lost] of ending) {
          const n = lost.length;
          expect(out).toContain(`| **${m}** | ${n} grant${n === 1 ? "" : "s"} end${n === 1 ? "s" : ""} with the mailbox (listed below) |`);
          for (const l of lost) {
            expect(out).not.toContain(`| ${m} | ${l.principal} | ${l.right} |`); // never a row of its own in the table
            expect(out).toContain(`| ${l.principal} | ${l.right} |`); // listed in the collapsed block
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
