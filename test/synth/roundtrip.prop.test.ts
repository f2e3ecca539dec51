import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SharedMailbox, Testing, UserMailbox, type SharedMailboxProps } from "../../lib/constructs/index.js";
import { canonicalize } from "../../lib/model/normalize.js";
import { isValidDisplayName } from "../../lib/model/service-rules.js";
import type { DesiredState, SharedMailboxSpec } from "../../lib/model/generated/desired-state.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { desiredStateFromTerraformJson } from "../../lib/synth/read.js";

const DOMAINS = ["contoso.com", "contoso.onmicrosoft.com"];
const people = ["ann.lee", "ben.ortiz", "carla.diaz", "dev.patel", "Erin.Kim", "gina.rossi"].map((p, i) => `${p}@${DOMAINS[i % 2]}`);

/** Trustee lists unique by lower-cased address, as the constructs require. */
const trustees = fc.uniqueArray(fc.constantFrom(...people), { maxLength: 4, selector: (t) => t.toLowerCase() });

const mailboxProps = fc.record({
  local: fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/).filter((s) => !/\.\.|\.$/.test(s)),
  domain: fc.constantFrom(...DOMAINS, "CONTOSO.COM"),
  // valid names only (the property is about valid mailboxes): not all spaces, no control characters (R5.1)
  displayName: fc.oneof(fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }).filter(isValidDisplayName), fc.constantFrom("Cost ${var.x}", "%{if} \"quoted\" \\ back")),
  alias: fc.option(fc.stringMatching(/^[a-z0-9]{1,12}$/), { nil: undefined }),
  origin: fc.option(fc.constantFrom("new" as const, "convert" as const), { nil: undefined }),
  members: trustees,
  fullAccess: fc.array(fc.record({ trustee: fc.constantFrom(...people), autoMapping: fc.option(fc.boolean(), { nil: undefined }) }), { maxLength: 3 }),
  sendAs: trustees,
  sendOnBehalf: trustees,
  permissionsMode: fc.option(fc.constantFrom("authoritative" as const, "additive" as const), { nil: undefined }),
  licensed: fc.boolean(),
  litigationHold: fc.option(fc.boolean(), { nil: undefined }),
  archive: fc.option(fc.boolean(), { nil: undefined }),
  removalPolicy: fc.option(fc.constantFrom("retain" as const, "delete" as const), { nil: undefined }),
});

type Generated = typeof mailboxProps extends fc.Arbitrary<infer T> ? T : never;

/** Props the constructs accept: grants beyond the members exclude them, a converted mailbox is retained, hold needs a license. */
function toProps(g: Generated): SharedMailboxProps {
  const isMember = new Set(g.members.map((m) => m.toLowerCase()));
  const seen = new Set<string>();
  const fullAccess = g.fullAccess.filter((f) => !isMember.has(f.trustee.toLowerCase()) && !seen.has(f.trustee.toLowerCase()) && seen.add(f.trustee.toLowerCase()));
  return {
    address: `${g.local}@${g.domain}`,
    displayName: g.displayName,
    ...(g.alias !== undefined ? { alias: g.alias } : {}),
    ...(g.origin !== undefined ? { origin: g.origin } : {}),
    members: g.members,
    fullAccess: fullAccess.map((f) => (f.autoMapping === undefined ? f.trustee : { trustee: f.trustee, autoMapping: f.autoMapping })),
    sendAs: g.sendAs.filter((t) => !isMember.has(t.toLowerCase())),
    sendOnBehalf: g.sendOnBehalf,
    ...(g.permissionsMode !== undefined ? { permissionsMode: g.permissionsMode } : {}),
    ...(g.licensed ? { license: "EXCHANGEENTERPRISE" } : {}),
    ...(g.licensed && g.litigationHold !== undefined ? { litigationHold: g.litigationHold } : {}),
    ...(g.licensed && g.archive !== undefined ? { archive: g.archive } : {}),
    ...(g.origin !== "convert" && g.removalPolicy !== undefined ? { removalPolicy: g.removalPolicy } : {}),
  };
}

/** The spec the props mean, written independently of the constructs: members are FullAccess + SendAs. */
function specOf(p: SharedMailboxProps): SharedMailboxSpec {
  const { members = [], fullAccess = [], sendAs = [], ...rest } = p;
  return {
    ...rest,
    fullAccess: [...members.map((trustee) => ({ trustee })), ...fullAccess.map((f) => (typeof f === "string" ? { trustee: f } : f))],
    sendAs: [...members, ...sendAs],
    sendOnBehalf: [...(p.sendOnBehalf ?? [])],
  } as SharedMailboxSpec;
}

describe("synth round trip", () => {
  it("reads back canonicalize(what was declared), for any valid mailboxes", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(mailboxProps, { maxLength: 6, selector: (g) => g.local }),
        fc.uniqueArray(fc.stringMatching(/^u[a-z]{1,8}$/), { maxLength: 2 }),
        (generated, users) => {
          const stack = Testing.stack("prop", { tenantId: "contoso", domains: DOMAINS });
          const shared = generated.map(toProps);
          shared.forEach((p, i) => new SharedMailbox(stack, `M${i}`, p));
          users.forEach((u, i) => new UserMailbox(stack, `U${i}`, { address: `${u}@contoso.com`, license: "EXCHANGESTANDARD" }));
          const declared: DesiredState = {
            formatVersion: 1,
            stack: "prop",
            tenant: { id: "contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"] },
            sharedMailboxes: shared.map(specOf),
            userMailboxes: users.map((u) => ({ address: `${u}@contoso.com`, license: "EXCHANGESTANDARD" })),
          };
          const text = Testing.synth(stack).get("prop")!;
          const read = desiredStateFromTerraformJson(JSON.parse(text), "cdk.tf.json");
          expect(read).toEqual(canonicalize(declared));
          expect(validateDesiredState(read, "cdk.tf.json").diagnostics.filter((d) => d.severity === "error")).toEqual([]);
          // Terraform would read "${" as a template
          expect(text).not.toMatch(/[$%]\{/);
        },
      ),
      { numRuns: 40 },
    );
  });
});
