import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { ConstructMisuseError, SharedMailbox, TenantStack, Testing, UserMailbox } from "../../lib/constructs/index.js";

const stack = () => Testing.stack("contoso", { tenantId: "contoso", domains: ["contoso.com"] });

/** The codes of the ConstructMisuseError `fn` throws. */
function misuseCodes(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (!ConstructMisuseError.is(e)) throw e;
    return e.diagnostics.map((d) => d.code);
  }
  throw new Error("expected a ConstructMisuseError, nothing was thrown");
}

describe("SharedMailbox misuse", () => {
  it("rejects an address that is not an address and names the construct", () => {
    const s = stack();
    expect(() => new SharedMailbox(s, "Support", { address: "support", displayName: "Support" })).toThrow(
      /invalid SharedMailbox "contoso\/Support" \(support\):\n {2}error: contoso\/Support#\/address: support: "address" "support" is not valid/,
    );
  });

  it("rejects an address in a domain the tenant does not own", () => {
    expect(misuseCodes(() => new SharedMailbox(stack(), "Support", { address: "support@fabrikam.com", displayName: "Support" }))).toEqual(["address_outside_tenant"]);
  });

  it("rejects a member listed twice, whatever the case", () => {
    const s = stack();
    expect(() => new SharedMailbox(s, "Support", { address: "support@contoso.com", displayName: "S", members: ["ann@contoso.com", "ANN@contoso.com"] })).toThrow(
      /"ann@contoso.com" is listed twice in members; list each member once \[duplicate_member\]/,
    );
  });

  it("rejects a member also listed in fullAccess, since members already have it", () => {
    expect(
      misuseCodes(() => new SharedMailbox(stack(), "Support", { address: "support@contoso.com", displayName: "S", members: ["ann@contoso.com"], fullAccess: [{ trustee: "ann@contoso.com", autoMapping: false }] })),
    ).toEqual(["member_also_granted"]);
  });

  it("rejects origin convert with removalPolicy delete: a converted mailbox holds a person's mail", () => {
    expect(() => new SharedMailbox(stack(), "Harry", { address: "harry@contoso.com", displayName: "H", origin: "convert", removalPolicy: "delete" })).toThrow(
      /may not have removalPolicy "delete".*use "retain" \[delete_converted_mailbox\]/,
    );
  });

  it("reports every problem of one mailbox at once", () => {
    const codes = misuseCodes(
      () =>
        new SharedMailbox(stack(), "Bad", {
          address: "bad@contoso.com",
          displayName: "Bad",
          alias: ".bad",
          license: "e3",
          origin: "convert",
          removalPolicy: "delete",
          sendAs: ["bob@gmail.com"],
          sendOnBehalf: ["bad@contoso.com"],
        }),
    );
    expect(codes.sort()).toEqual(["delete_converted_mailbox", "schema_pattern", "schema_pattern", "self_grant", "trustee_outside_tenant"]);
  });

  it("rejects litigation hold without a license (R1.6)", () => {
    expect(misuseCodes(() => new SharedMailbox(stack(), "Legal", { address: "legal@contoso.com", displayName: "L", litigationHold: true }))).toEqual(["litigation_hold_needs_license"]);
  });

  it("rejects a mailbox outside any TenantStack and says where to put it", () => {
    const root = new Construct(undefined as unknown as Construct, "");
    expect(() => new SharedMailbox(root, "Loose", { address: "loose@contoso.com", displayName: "L" })).toThrow(/no TenantStack encloses this construct/);
  });

  it("rejects a grant helper call that grants twice, and leaves the grants unchanged", () => {
    const mbx = new SharedMailbox(stack(), "Info", { address: "info@contoso.com", displayName: "Info", members: ["carla@contoso.com"] });
    expect(() => mbx.grantFullAccess("carla@contoso.com", { autoMapping: false })).toThrow(/"carla@contoso.com" is a member and is also given fullAccess/);
    expect(() => mbx.grantSendOnBehalf("x@gmail.com")).toThrow(/trustee_outside_tenant/);
    expect(() => mbx.grantSendAs("not-an-address")).toThrow(/bad_trustee/);
    mbx.grantSendOnBehalf("dev@contoso.com");
    expect(() => mbx.grantSendOnBehalf("Dev@contoso.com")).toThrow(/given sendOnBehalf twice/);
    expect(mbx.toSpec()).toMatchObject({ fullAccess: [{ trustee: "carla@contoso.com", autoMapping: true }], sendAs: ["carla@contoso.com"], sendOnBehalf: ["dev@contoso.com"] });
  });

  it("rejects a self grant through a helper", () => {
    const mbx = new SharedMailbox(stack(), "Info", { address: "info@contoso.com", displayName: "Info" });
    expect(() => mbx.addMember("INFO@contoso.com")).toThrow(/grants fullAccess to itself/);
  });
});

describe("UserMailbox misuse", () => {
  it("rejects license none: a person's mailbox needs a license", () => {
    expect(misuseCodes(() => new UserMailbox(stack(), "Kim", { address: "kim@contoso.com", license: "none" }))).toEqual(["schema_pattern"]);
  });
});

describe("TenantStack misuse", () => {
  it("rejects a bad stack name, no domains and a malformed domain together", () => {
    const app = Testing.app();
    expect(misuseCodes(() => new TenantStack(app, "my stack", { tenantId: "contoso", domains: [] }))).toEqual(["bad_stack_name", "bad_tenant"]);
    expect(misuseCodes(() => new TenantStack(app, "ok", { tenantId: "", domains: ["contoso"] }))).toEqual(["bad_tenant", "bad_tenant"]);
  });

  it("rejects a TenantStack inside another", () => {
    expect(misuseCodes(() => new TenantStack(stack(), "inner", { tenantId: "contoso", domains: ["contoso.com"] }))).toEqual(["nested_stack"]);
  });

  it("rejects an ignore rule whose mailbox is not an address or *", () => {
    expect(() => stack().addIgnore({ mailbox: "support" })).toThrow(/must be a mailbox address or "\*"/);
  });
});

describe("cross-mailbox rules (checked at synth, every one at once)", () => {
  it("fails synth on a duplicate address and a mailbox both shared and user, naming both constructs", () => {
    const s = stack();
    new SharedMailbox(s, "A", { address: "a@contoso.com", displayName: "A" });
    new SharedMailbox(s, "B", { address: "A@contoso.com", displayName: "B" });
    new UserMailbox(s, "C", { address: "a@contoso.com", license: "EXCHANGESTANDARD" });
    expect(s.validateDesiredState().map((d) => `${d.location} ${d.code}`)).toEqual(["contoso/B duplicate_address", "contoso/C listed_as_shared_and_user"]);
    expect(() => Testing.synth(s)).toThrow(/\[contoso\] error: contoso\/B: a@contoso.com: mailbox "a@contoso.com" is declared more than once \(also at contoso\/A\)/);
  });
});

describe("identity and brands", () => {
  it("recognises constructs by brand and finds their stack", () => {
    const s = stack();
    const mbx = new SharedMailbox(s, "Support", { address: "Support@Contoso.com", displayName: "S" });
    const user = new UserMailbox(s, "Kim", { address: "kim@contoso.com", license: "EXCHANGESTANDARD" });
    expect(SharedMailbox.isSharedMailbox(mbx)).toBe(true);
    expect(SharedMailbox.isSharedMailbox(user)).toBe(false);
    expect(SharedMailbox.isSharedMailbox({})).toBe(false);
    expect(UserMailbox.isUserMailbox(user)).toBe(true);
    expect(TenantStack.isTenantStack(s)).toBe(true);
    expect(TenantStack.of(mbx)).toBe(s);
    expect(TenantStack.of(s)).toBe(s);
    expect(mbx.address).toBe("support@contoso.com");
  });

  it("synthesizes the same file whatever the construct ids: the address is the identity", () => {
    const build = (ids: [string, string]) => {
      const s = stack();
      new SharedMailbox(s, ids[0], { address: "support@contoso.com", displayName: "S", members: ["ann@contoso.com"] });
      new SharedMailbox(s, ids[1], { address: "info@contoso.com", displayName: "I" });
      const json = JSON.parse(Testing.synth(s).get("contoso")!);
      // only cdktf's "//" metadata (the construct path) may differ
      return JSON.stringify(json, (k, v) => (k === "//" ? undefined : v));
    };
    expect(build(["Support", "Info"])).toBe(build(["Helpdesk", "Enquiries"]));
  });
});
