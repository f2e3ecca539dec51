/**
 * Properties of desiredToTypeScript over arbitrary documents with hostile
 * strings (quotes, backslashes, "${", comment ends, line separators, lone
 * surrogates): the program is deterministic, and running it (against
 * recording stand-ins for the constructs, so thousands of cases stay fast;
 * contoso.test.ts and scale.test.ts run real programs with tsx) declares
 * exactly the document's mailboxes, each under its own construct id.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { constructIdFor, desiredToTypeScript } from "../../lib/export/index.js";
import type { SharedMailboxSpec } from "../../lib/model/generated/desired-state.js";
import { canonicalize, type CanonicalDesiredState } from "../../lib/model/normalize.js";

const hostile = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
  fc
    .array(fc.constantFrom('"', "'", "\\", "${x}", "`", "*/", "/*", "\n", "\u2028", "\u0000", "\ud800", "é", "日本", "🙂", "%{y}", " "), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join("")),
);
const locals = fc.constantFrom("a.b", "a-b", "ab", "tenant", "resource", "default", "2025", "x!!", "support", "support2", "ceo-office", "kim.nguyen");
const people = ["ann.lee@contoso.com", "ben.ortiz@contoso.com", "carla.diaz@contoso.com"];
const grants = fc.uniqueArray(fc.constantFrom(...people), { maxLength: 3 });

const mailboxArb: fc.Arbitrary<SharedMailboxSpec> = fc
  .record({
    local: locals,
    domain: fc.constantFrom("contoso.com", "contoso.onmicrosoft.com"),
    displayName: hostile,
    alias: fc.option(fc.constantFrom("help", "x.y", "a!b"), { nil: undefined }),
    convert: fc.boolean(),
    fullAccess: fc.uniqueArray(fc.record({ trustee: fc.constantFrom(...people), autoMapping: fc.boolean() }), { selector: (g) => g.trustee, maxLength: 3 }),
    sendAs: grants,
    sendOnBehalf: grants,
    additive: fc.boolean(),
    licenses: fc.constantFrom([], ["EXCHANGEENTERPRISE"], ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"]),
    signInReason: fc.option(hostile, { nil: undefined }),
    hidden: fc.boolean(),
    emailAddresses: fc.uniqueArray(fc.constantFrom("help@contoso.com", "desk@contoso.com"), { maxLength: 2 }),
    previousAddresses: fc.uniqueArray(fc.constantFrom("old@contoso.com", "older@contoso.com"), { maxLength: 2 }),
    copySentAs: fc.boolean(),
    copyOnBehalf: fc.boolean(),
    usageLocation: fc.option(fc.constantFrom("US", "DE"), { nil: undefined }),
    hold: fc.boolean(),
    archive: fc.boolean(),
    del: fc.boolean(),
  })
  .map((r) => ({
    address: `${r.local}@${r.domain}`,
    displayName: r.displayName,
    ...(r.alias !== undefined ? { alias: r.alias } : {}),
    origin: r.convert ? "convert" : "new",
    fullAccess: r.fullAccess,
    sendAs: r.sendAs,
    sendOnBehalf: r.sendOnBehalf,
    permissionsMode: r.additive ? "additive" : "authoritative",
    licenses: [...r.licenses],
    ...(r.signInReason !== undefined ? { signIn: { allowed: true, reason: r.signInReason } } : {}),
    hiddenFromAddressLists: r.hidden,
    emailAddresses: r.emailAddresses,
    previousAddresses: r.previousAddresses,
    messageCopyForSentAs: r.copySentAs,
    messageCopyForSendOnBehalf: r.copyOnBehalf,
    ...(r.usageLocation !== undefined ? { usageLocation: r.usageLocation } : {}),
    litigationHold: r.hold,
    archive: r.archive,
    removalPolicy: r.del && !r.convert ? "delete" : "retain",
  }));

const docArb: fc.Arbitrary<CanonicalDesiredState> = fc
  .record({
    tenantId: hostile,
    mailboxes: fc.uniqueArray(mailboxArb, { selector: (m) => m.address, maxLength: 8 }),
    users: fc.uniqueArray(fc.constantFrom("kim.nguyen@contoso.com", "zed@contoso.com"), { maxLength: 2 }),
    ignoreReason: fc.option(hostile, { nil: undefined }),
    usageLocation: fc.option(fc.constantFrom("US", "GB"), { nil: undefined }),
  })
  .map((r) =>
    canonicalize({
      formatVersion: 1,
      stack: "contoso",
      tenant: { id: r.tenantId, domains: ["contoso.com", "contoso.onmicrosoft.com"], ...(r.usageLocation !== undefined ? { usageLocation: r.usageLocation } : {}) },
      sharedMailboxes: r.mailboxes,
      userMailboxes: r.users.filter((u) => !r.mailboxes.some((m) => m.address === u)).map((address) => ({ address, license: "EXCHANGESTANDARD" })),
      ...(r.ignoreReason !== undefined ? { ignore: [{ mailbox: "*", field: "sendAs", reason: r.ignoreReason }] } : {}),
    }),
  );

interface Recorded {
  readonly kind: string;
  readonly id: string;
  readonly props: Record<string, unknown>;
}

/** Run the program with stand-ins for App and the constructs that record what it declares. */
function run(program: string): { stack: { id: string; props: Record<string, unknown> }; declared: Recorded[]; synthesized: boolean } {
  const declared: Recorded[] = [];
  let stack: { id: string; props: Record<string, unknown> } | undefined;
  let synthesized = false;
  class App {
    synth(): void {
      synthesized = true;
    }
  }
  class TenantStack {
    constructor(_app: unknown, id: string, props: Record<string, unknown>) {
      stack = { id, props };
    }
  }
  const recorder = (kind: string) =>
    class {
      constructor(scope: unknown, id: string, props: Record<string, unknown>) {
        expect(scope).toBeInstanceOf(TenantStack);
        declared.push({ kind, id, props });
      }
    };
  const imports = /^import \{ ([A-Za-z, ]+) \} from "[^"]+";$/gm;
  const names = [...program.matchAll(imports)].flatMap((m) => m[1]!.split(", "));
  const values: Record<string, unknown> = {
    App,
    TenantStack,
    SharedMailbox: recorder("SharedMailbox"),
    UserMailbox: recorder("UserMailbox"),
    MailboxOrigin: { NEW: "new", CONVERT: "convert" },
    PermissionsMode: { AUTHORITATIVE: "authoritative", ADDITIVE: "additive" },
    RemovalPolicy: { RETAIN: "retain", DELETE: "delete" },
  };
  // the generated program is plain JavaScript apart from its imports
  new Function(...names, program.replace(imports, ""))(...names.map((n) => values[n]));
  return { stack: stack!, declared, synthesized };
}

/** What the recorded SharedMailbox props declare, as a spec (members are FullAccess with automapping and SendAs). */
function specOf(props: Record<string, unknown>): SharedMailboxSpec {
  const members = (props["members"] as string[] | undefined) ?? [];
  const fullAccess = ((props["fullAccess"] as Array<string | { trustee: string; autoMapping: boolean }> | undefined) ?? []).map((g) =>
    typeof g === "string" ? { trustee: g } : g,
  );
  const { members: _m, fullAccess: _f, sendAs, ...rest } = props;
  return {
    ...(rest as unknown as SharedMailboxSpec),
    fullAccess: [...members.map((trustee) => ({ trustee })), ...fullAccess],
    sendAs: [...members, ...((sendAs as string[] | undefined) ?? [])],
  };
}

describe("desiredToTypeScript", () => {
  it("is deterministic: the same document always gives the same program", () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        expect(desiredToTypeScript(structuredClone(doc))).toBe(desiredToTypeScript(doc));
      }),
      { numRuns: 200 },
    );
  });

  it("declares exactly the document's mailboxes and stack, whatever the strings hold", () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        const { stack, declared, synthesized } = run(desiredToTypeScript(doc));
        expect(synthesized).toBe(true);
        expect(stack.id).toBe(doc.stack);
        expect(stack.props["tenantId"]).toBe(doc.tenant.id);
        expect(stack.props["domains"]).toEqual(doc.tenant.domains);
        expect(stack.props["ignore"]).toEqual(doc.ignore);
        expect(stack.props["usageLocation"]).toBe(doc.tenant.usageLocation);
        const shared = declared.filter((d) => d.kind === "SharedMailbox").map((d) => specOf(d.props));
        const users = declared.filter((d) => d.kind === "UserMailbox").map((d) => d.props);
        expect(canonicalize({ ...doc, sharedMailboxes: shared, userMailboxes: users } as never)).toEqual(doc);
        const ids = declared.map((d) => d.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(["Tenant", "Resource", "Default"]).not.toContain(id);
      }),
      { numRuns: 300 },
    );
  });

  it("writes only the properties that differ from their defaults", () => {
    const doc = canonicalize({
      formatVersion: 1,
      stack: "contoso",
      tenant: { id: "contoso", domains: ["contoso.com"] },
      sharedMailboxes: [{ address: "plain@contoso.com", displayName: "Plain" }],
      userMailboxes: [],
    });
    expect(run(desiredToTypeScript(doc)).declared[0]!.props).toEqual({ address: "plain@contoso.com", displayName: "Plain" });
  });
});

describe("constructIdFor", () => {
  it("PascalCases the local part, and never starts with a digit or is empty", () => {
    expect(constructIdFor("ceo-office@contoso.com")).toBe("CeoOffice");
    expect(constructIdFor("kim.nguyen@contoso.com")).toBe("KimNguyen");
    expect(constructIdFor("events-2025@contoso.com")).toBe("Events2025");
    expect(constructIdFor("2025@contoso.com")).toBe("Mailbox2025");
    expect(constructIdFor("!!@contoso.com")).toBe("Mailbox");
  });

  it("makes colliding ids unique in address order, around the ids the stack itself uses", () => {
    const doc = canonicalize({
      formatVersion: 1,
      stack: "contoso",
      tenant: { id: "contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"] },
      sharedMailboxes: ["a-b@contoso.com", "a.b@contoso.com", "ab@contoso.com", "tenant@contoso.com", "support@contoso.com", "support@contoso.onmicrosoft.com"].map(
        (address) => ({ address, displayName: "X" }),
      ),
      userMailboxes: [],
    });
    expect(run(desiredToTypeScript(doc)).declared.map((d) => `${d.id} ${d.props["address"] as string}`)).toEqual([
      "AB a-b@contoso.com",
      "AB2 a.b@contoso.com",
      "Ab ab@contoso.com",
      "Support support@contoso.com",
      "Support2 support@contoso.onmicrosoft.com",
      "Tenant2 tenant@contoso.com",
    ]);
  });
});
