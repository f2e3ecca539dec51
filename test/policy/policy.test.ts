import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../lib/diagnostics/errors.js";
import { evaluatePolicy, mandatoryFailed, policyContextFromDesired, policyContextFromObserved, policyDiagnostics } from "../../lib/policy/evaluate.js";
import { loadPolicy } from "../../lib/policy/load.js";
import { renderPolicyResults } from "../../lib/policy/render.js";
import type { Policy, PolicyRule } from "../../lib/policy/types.js";
import { appliedContoso } from "../drift/builders.js";
import { action, contosoPlan, grant, planDocument, revoke } from "./plan-builder.js";

const dir = mkdtempSync(join(tmpdir(), "exoform-policy-"));
function writePolicy(name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
  return file;
}

const policy = (...rules: PolicyRule[]): Policy => ({ formatVersion: 1, rules });
const base = { level: "mandatory" as const, description: "test rule" };
const plan = contosoPlan();

function loadError(file: string): UserError {
  try {
    loadPolicy(file);
  } catch (e) {
    if (UserError.is(e)) return e;
    throw e;
  }
  throw new Error("expected loadPolicy to throw");
}

describe("loadPolicy", () => {
  it("reads a valid policy and lower-cases the addresses and domains it compares", () => {
    const file = writePolicy("ok.json", {
      formatVersion: 1,
      rules: [
        { id: "in-house", kind: "fullAccessTrustees", level: "mandatory", description: "only staff", allow: ["Contoso.com", "Auditor@Fabrikam.com"] },
        { id: "hold", kind: "holdReview", level: "advisory", description: "hold", holdMailboxes: ["LEGAL@contoso.com"], reviewed: [{ mailbox: "Legal@contoso.com", trustee: "Erin.Kim@contoso.com" }] },
        { id: "max", kind: "maxMembers", level: "advisory", description: "25 concurrent users", max: 25 },
        { id: "safe", kind: "noDestructive", level: "mandatory", description: "no deletes" },
      ],
    });
    const p = loadPolicy(file);
    expect(p.rules[0]).toMatchObject({ allow: ["contoso.com", "auditor@fabrikam.com"] });
    expect(p.rules[1]).toMatchObject({ holdMailboxes: ["legal@contoso.com"], reviewed: [{ mailbox: "legal@contoso.com", trustee: "erin.kim@contoso.com" }] });
  });

  it("names every problem at once, with the file, the json pointer and the rule id", () => {
    const file = writePolicy("bad.json", {
      formatVersion: 1,
      rules: [
        { id: "max", kind: "maxMembers", level: "advisory", description: "x" },
        { id: "safe", kind: "noDestructive", level: "blocking", description: "x", except: [] },
        { id: "who", kind: "fullAccessTrustees", level: "mandatory", description: "x", allow: ["not a domain"] },
      ],
    });
    const messages = loadError(file).diagnostics.map((d) => `${d.location} ${d.target}: ${d.message}`);
    expect(messages).toEqual([
      `${file}#/rules/0 max: missing required field "max" (rule kind maxMembers)`,
      `${file}#/rules/1 safe: unknown field "except" for a noDestructive rule; see schema/policy.schema.json`,
      `${file}#/rules/1/level safe: "level" must be one of "advisory", "mandatory"`,
      `${file}#/rules/2/allow/0 who: "0" is not valid: expected an address like name@contoso.com or a domain like contoso.com`,
    ]);
  });

  it("refuses duplicate rule ids, a missing file and bad JSON", () => {
    const dup = writePolicy("dup.json", { formatVersion: 1, rules: [{ id: "a", kind: "noDestructive", level: "mandatory", description: "x" }, { id: "a", kind: "noDestructive", level: "advisory", description: "y" }] });
    expect(loadError(dup).diagnostics[0]).toMatchObject({ code: "duplicate_rule_id", location: `${dup}#/rules/1/id` });
    expect(loadError(join(dir, "missing.json")).diagnostics[0]?.code).toBe("file_not_found");
    expect(loadError(writePolicy("broken.json", "{ nope")).diagnostics[0]?.code).toBe("bad_json");
  });
});

describe("evaluatePolicy: rule kinds", () => {
  it("fullAccessTrustees allows listed domains and UPNs and names everyone else", () => {
    const withOutsider = planDocument([...plan.actions, grant("support@contoso.com", "FullAccess", "eve@fabrikam.com"), grant("support@contoso.com", "FullAccess", "auditor@fabrikam.com")]);
    const [r] = evaluatePolicy(withOutsider, policy({ ...base, id: "who", kind: "fullAccessTrustees", allow: ["contoso.com", "auditor@fabrikam.com"] }));
    expect(r).toMatchObject({ ruleId: "who", passed: false, violations: [{ target: "support@contoso.com", message: "eve@fabrikam.com would gain FullAccess on support@contoso.com; only contoso.com, auditor@fabrikam.com may hold it" }] });
  });

  it("fullAccessTrustees covers SendAs only when asked", () => {
    const p = planDocument([grant("info@contoso.com", "SendAs", "eve@fabrikam.com")]);
    expect(evaluatePolicy(p, policy({ ...base, id: "fa", kind: "fullAccessTrustees", allow: ["contoso.com"] }))[0]?.passed).toBe(true);
    expect(evaluatePolicy(p, policy({ ...base, id: "all", kind: "fullAccessTrustees", allow: ["contoso.com"], rights: ["FullAccess", "SendAs"] }))[0]?.passed).toBe(false);
  });

  it("maxMembers counts FullAccess after the plan from the current count, the plan's gains and its losses", () => {
    const context = { fullAccessCounts: new Map([["support@contoso.com", 2]]) };
    // support: 2 now + ben - gina = 2; info: created, 0 + 2 = 2
    expect(evaluatePolicy(plan, policy({ ...base, id: "m", kind: "maxMembers", max: 2 }), context)[0]?.passed).toBe(true);
    const [r] = evaluatePolicy(plan, policy({ ...base, id: "m", kind: "maxMembers", max: 1 }), context);
    expect(r?.violations).toEqual([
      { target: "info@contoso.com", message: "info@contoso.com would have 2 FullAccess trustees after the plan, more than 1" },
      { target: "support@contoso.com", message: "support@contoso.com would have 2 FullAccess trustees after the plan, more than 1" },
    ]);
  });

  it("maxMembers says 'at least' without a current count, and a revoke + re-grant of one trustee counts zero", () => {
    const p = planDocument([grant("legal@contoso.com", "FullAccess", "a@contoso.com"), grant("legal@contoso.com", "FullAccess", "b@contoso.com")]);
    expect(evaluatePolicy(p, policy({ ...base, id: "m", kind: "maxMembers", max: 1 }))[0]?.violations[0]?.message).toBe(
      "legal@contoso.com would have at least 2 FullAccess trustees after the plan, more than 1",
    );
    const regrant = planDocument([revoke("legal@contoso.com", "FullAccess", "a@contoso.com"), grant("legal@contoso.com", "FullAccess", "a@contoso.com")]);
    const context = { fullAccessCounts: new Map([["legal@contoso.com", 3]]) };
    expect(evaluatePolicy(regrant, policy({ ...base, id: "m", kind: "maxMembers", max: 3 }), context)[0]?.passed).toBe(true);
  });

  it("noDestructive names every destructive action", () => {
    const [r] = evaluatePolicy(plan, policy({ ...base, id: "safe", kind: "noDestructive" }));
    expect(r?.violations.map((v) => v.target)).toEqual(["events-2025@contoso.com", "support@contoso.com"]);
    expect(r?.violations[0]?.message).toBe("mailbox.delete:events-2025@contoso.com is destructive: mailbox.delete on events-2025@contoso.com");
  });

  it("holdReview flags access granted on a mailbox on hold, from the context, the rule, the plan's own update or the action's flag", () => {
    const rule = { ...base, id: "hold", kind: "holdReview" as const };
    expect(evaluatePolicy(plan, policy(rule))[0]?.passed).toBe(true);
    const fromContext = evaluatePolicy(plan, policy(rule), policyContextFromObserved(appliedContoso()))[0];
    expect(fromContext?.violations).toEqual([
      { target: "legal@contoso.com", message: 'gina.rossi@contoso.com would gain FullAccess on legal@contoso.com, which is on litigation hold; have it reviewed and list it under "reviewed" in rule hold' },
    ]);
    expect(evaluatePolicy(plan, policy({ ...rule, holdMailboxes: ["legal@contoso.com"] }))[0]?.passed).toBe(false);
    const turnsOn = planDocument([action("mailbox.update", "info@contoso.com", { changes: { litigationHold: { from: false, to: true } } }), ...plan.actions]);
    expect(evaluatePolicy(turnsOn, policy(rule))[0]?.violations.map((v) => v.target)).toEqual(["info@contoso.com", "info@contoso.com", "info@contoso.com"]);
    const flagged = planDocument([grant("support@contoso.com", "SendAs", "ann.lee@contoso.com", { mailboxOnHold: true } as object)]);
    expect(evaluatePolicy(flagged, policy(rule))[0]?.passed).toBe(false);
  });

  it("holdReview passes a grant a reviewer listed", () => {
    const rule = { ...base, id: "hold", kind: "holdReview" as const, holdMailboxes: ["legal@contoso.com"], reviewed: [{ mailbox: "legal@contoso.com", trustee: "gina.rossi@contoso.com", right: "FullAccess" as const }] };
    expect(evaluatePolicy(plan, policy(rule))[0]?.passed).toBe(true);
    const wrongRight = { ...rule, reviewed: [{ mailbox: "legal@contoso.com", trustee: "gina.rossi@contoso.com", right: "SendAs" as const }] };
    expect(evaluatePolicy(plan, policy(wrongRight))[0]?.passed).toBe(false);
  });
});

describe("evaluatePolicy: advisory and mandatory", () => {
  const advisory = { id: "safe", kind: "noDestructive" as const, level: "advisory" as const, description: "deletions need a second look" };
  const mandatory = { id: "who", kind: "fullAccessTrustees" as const, level: "mandatory" as const, description: "staff only", allow: ["fabrikam.com"] };

  it("an advisory failure does not fail the plan; a mandatory one does", () => {
    const onlyAdvisory = evaluatePolicy(plan, policy(advisory));
    expect(onlyAdvisory[0]?.passed).toBe(false);
    expect(mandatoryFailed(onlyAdvisory)).toBe(false);
    expect(mandatoryFailed(evaluatePolicy(plan, policy(advisory, mandatory)))).toBe(true);
  });

  it("turns violations into diagnostics: errors for mandatory, warnings for advisory", () => {
    const diagnostics = policyDiagnostics(evaluatePolicy(planDocument([action("mailbox.delete", "events-2025@contoso.com"), grant("info@contoso.com", "FullAccess", "carla.diaz@contoso.com")]), policy(advisory, mandatory)));
    expect(diagnostics.map((d) => [d.severity, d.code, d.location])).toEqual([
      ["warning", "policy_noDestructive", "policy rule safe (advisory)"],
      ["error", "policy_fullAccessTrustees", "policy rule who (mandatory)"],
    ]);
  });

  it("shows a mandatory failure in every render format (golden files)", async () => {
    const results = evaluatePolicy(plan, policy(advisory, mandatory, { ...base, id: "max", kind: "maxMembers", max: 25, description: "25 concurrent users (R3.9)" }));
    const text = renderPolicyResults(results, "text");
    const markdown = renderPolicyResults(results, "markdown");
    const json = renderPolicyResults(results, "json");
    await expect(text).toMatchFileSnapshot("__golden__/results.txt");
    await expect(markdown).toMatchFileSnapshot("__golden__/results.md");
    await expect(json).toMatchFileSnapshot("__golden__/results.json");
    expect(text).toContain("[FAIL mandatory] who");
    expect(markdown).toContain(":x: **policy: 3 rules, 1 mandatory failed");
    expect(JSON.parse(json)).toMatchObject({ passed: false, mandatoryFailed: 1, advisoryFailed: 1 });
    expect(renderPolicyResults(results, "text", { color: true })).toContain("\u001b[1;31m[FAIL mandatory]");
  });
});

describe("evaluatePolicy: forbidSignInExceptions", () => {
  const rule: PolicyRule = { ...base, id: "no-sign-in", kind: "forbidSignInExceptions", allow: ["scanner@contoso.com"] };
  const desired = (...signIns: Array<[string, { allowed: boolean; reason?: string } | undefined]>) => ({
    sharedMailboxes: signIns.map(([address, signIn]) => ({ address, ...(signIn ? { signIn } : {}) })),
  });

  it("fails for each declared sign-in exception that is not allowed, naming the mailbox, the reason and the fix", () => {
    const context = policyContextFromDesired(
      desired(
        ["Support@contoso.com", { allowed: true, reason: "legacy app" }],
        ["scanner@contoso.com", { allowed: true, reason: "the scanner sends as this mailbox" }],
        ["info@contoso.com", { allowed: false }],
        ["legal@contoso.com", undefined],
      ),
    );
    const [result] = evaluatePolicy(plan, policy(rule), context);
    expect(result!.passed).toBe(false);
    expect(result!.violations.map((v) => v.target)).toEqual(["support@contoso.com"]);
    expect(result!.violations[0]!.message).toContain('("legacy app")');
    expect(result!.violations[0]!.message).toContain('list support@contoso.com under "allow" in rule no-sign-in');
  });

  it("passes when no mailbox declares an exception", () => {
    const [result] = evaluatePolicy(plan, policy(rule), policyContextFromDesired(desired(["info@contoso.com", { allowed: false }])));
    expect(result!.passed).toBe(true);
  });

  it("fails, saying why, when the policy check was not given the desired state", () => {
    const [result] = evaluatePolicy(plan, policy(rule), policyContextFromObserved(appliedContoso()));
    expect(result!.passed).toBe(false);
    expect(result!.violations[0]!.message).toContain("needs the desired state's sign-in exceptions");
  });

  it("loads the rule with its allow list lower-cased, and refuses an allow entry that is not an address", () => {
    const ok = writePolicy("sign-in.json", { formatVersion: 1, rules: [{ id: "s", kind: "forbidSignInExceptions", level: "mandatory", description: "x", allow: ["Scanner@Contoso.com"] }] });
    expect(loadPolicy(ok).rules[0]).toMatchObject({ allow: ["scanner@contoso.com"] });
    const bad = writePolicy("sign-in-bad.json", { formatVersion: 1, rules: [{ id: "s", kind: "forbidSignInExceptions", level: "mandatory", description: "x", allow: ["scanner"] }] });
    expect(loadError(bad).diagnostics.map((d) => d.location)).toEqual([`${bad}#/rules/0/allow/0`]);
  });
});
