/**
 * `exoform tenant set` for groups and custom attributes
 * (lib/cli/commands/tenant-set.ts), through the whole CLI in this process:
 * out-of-band edits of the simulated tenant, their one-line confirmations,
 * `tenant show`, and refusals that name the object and the fix, exit 1 and
 * change nothing.
 */
import { describe, expect, it } from "vitest";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { tempTenants } from "../providers/simulated/helpers.js";
import { exoformInProcess } from "./in-process.js";

const tenants = tempTenants();

/** A fresh contoso tenant file and a runner of `exoform tenant <args> --tenant <it>`. */
async function contoso(): Promise<{ path: string; tenant(...args: string[]): ReturnType<typeof exoformInProcess> }> {
  const path = tenants.path();
  const tenant = (...args: string[]) => exoformInProcess("tenant", ...args, "--tenant", path);
  expect((await tenant("init")).status).toBe(0);
  return { path, tenant };
}

/** Read the tenant file directly (another process's view), closed afterwards. */
async function reading<T>(path: string, read: (t: SimulatedTenant) => Promise<T>): Promise<T> {
  const t = SimulatedTenant.open(path);
  try {
    return await read(t);
  } finally {
    t.close();
  }
}

describe("exoform tenant set: mail-enabled security groups", () => {
  it("creates a group, adds and removes members, and tenant show lists it with its members", async () => {
    const { path, tenant } = await contoso();
    expect((await tenant("set", "group", "Helpdesk@contoso.com", "Help Desk")).stdout).toBe('created group "Help Desk" (helpdesk@contoso.com)\n');
    expect((await tenant("set", "group-member", "helpdesk@contoso.com", "add", "Ann.Lee@contoso.com")).stdout).toBe("added ann.lee@contoso.com to group helpdesk@contoso.com\n");
    await tenant("set", "group-member", "helpdesk@contoso.com", "add", "ben.ortiz@contoso.com");
    await tenant("set", "group-member", "helpdesk@contoso.com", "add", "carla.diaz@contoso.com");
    expect((await tenant("set", "group-member", "helpdesk@contoso.com", "remove", "ben.ortiz@contoso.com")).status).toBe(0);
    expect(await reading(path, (t) => t.listGroups())).toEqual([
      { id: "g-0001", address: "helpdesk@contoso.com", displayName: "Help Desk", members: ["ann.lee@contoso.com", "carla.diaz@contoso.com"] },
    ]);
    const text = (await tenant("show")).stdout;
    expect(text).toContain('mail-enabled security groups\n  helpdesk@contoso.com  "Help Desk"  ann.lee@contoso.com, carla.diaz@contoso.com');
    const json = JSON.parse((await tenant("show", "--json")).stdout) as { groups: unknown[] };
    expect(json.groups).toEqual([{ address: "helpdesk@contoso.com", displayName: "Help Desk", id: "g-0001", members: ["ann.lee@contoso.com", "carla.diaz@contoso.com"] }]);
    expect(await reading(path, async (t) => t.readLog().filter((e) => e.operation.includes("Group")).map((e) => e.operation))).toEqual([
      "admin.createGroup", "admin.addGroupMember", "admin.addGroupMember", "admin.addGroupMember", "admin.removeGroupMember",
    ]);
  });

  it("makes a group created here a trustee grants may name, and deleting it takes its grants and keeps its members' accounts", async () => {
    const { path, tenant } = await contoso();
    await tenant("set", "group", "helpdesk@contoso.com", "Helpdesk");
    await tenant("set", "group-member", "helpdesk@contoso.com", "add", "ann.lee@contoso.com");
    expect((await tenant("set", "grant", "support@contoso.com", "FullAccess", "helpdesk@contoso.com")).status).toBe(0);
    expect((await tenant("set", "delete-group", "helpdesk@contoso.com")).stdout).toBe("deleted group helpdesk@contoso.com and the grants it held\n");
    await reading(path, async (t) => {
      expect(await t.listGroups()).toEqual([]);
      expect((await t.getGrants("support@contoso.com")).some((g) => g.trustee === "helpdesk@contoso.com")).toBe(false);
      expect((await t.getUser("ann.lee@contoso.com"))?.deletedAt).toBeNull();
    });
  });

  it("refuses a group at a taken address or outside the accepted domains, and a member who is not a live user, naming the object and the fix, changing nothing", async () => {
    const { path, tenant } = await contoso();
    const taken = await tenant("set", "group", "support@contoso.com", "Support again");
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('error: support@contoso.com: the proxy address "smtp:support@contoso.com" is already being used');
    expect(taken.stderr).toContain("Please choose another proxy address");
    expect((await tenant("set", "group", "team@fabrikam.com", "Team")).stderr).toContain("is not an accepted domain of the tenant (contoso.com, contoso.onmicrosoft.com); use one of them");
    await tenant("set", "group", "helpdesk@contoso.com", "Helpdesk");
    const nobody = await tenant("set", "group-member", "helpdesk@contoso.com", "add", "nobody@contoso.com");
    expect(nobody.stderr).toBe('error: helpdesk@contoso.com: "nobody@contoso.com" is not a user of the tenant, so it cannot be a member of group "helpdesk@contoso.com"; check the name [Request_ResourceNotFound]\n');
    const deleted = await tenant("set", "group-member", "helpdesk@contoso.com", "add", "jack.hale@contoso.com");
    expect(deleted.stderr).toContain("is a deleted user, so it cannot be a member of group \"helpdesk@contoso.com\"; restore the user first");
    const missing = await tenant("set", "group-member", "sales@contoso.com", "add", "ann.lee@contoso.com");
    expect(missing.stderr).toBe("error: sales@contoso.com: the operation couldn't be performed because group 'sales@contoso.com' couldn't be found; the tenant's groups are listed by: exoform tenant show [ManagementObjectNotFound]\n");
    expect((await tenant("set", "group-member", "helpdesk@contoso.com", "remove", "ann.lee@contoso.com")).stderr).toContain("isn't a member of the group \"helpdesk@contoso.com\"; its members are listed by: exoform tenant show");
    expect((await tenant("set", "group-member", "helpdesk@contoso.com", "join", "ann.lee@contoso.com")).stderr).toContain('group member action "join" is not one of add, remove');
    for (const r of [taken, nobody, deleted, missing]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await reading(path, (t) => t.listGroups())).toEqual([{ id: "g-0001", address: "helpdesk@contoso.com", displayName: "Helpdesk", members: [] }]);
  });
});

describe("exoform tenant set attribute", () => {
  it("sets and clears a mailbox's custom attribute, which tenant show lists", async () => {
    const { path, tenant } = await contoso();
    expect((await tenant("set", "attribute", "support@contoso.com", "customattribute3", "DEPT-42")).stdout).toBe('CustomAttribute3 of support@contoso.com set to "DEPT-42"\n');
    expect(await reading(path, (t) => t.getCustomAttributes("support@contoso.com"))).toEqual({ CustomAttribute3: "DEPT-42" });
    expect((await tenant("show", "support@contoso.com")).stdout).toMatch(/attributes\n {4}CustomAttribute3 +DEPT-42\n/);
    expect((await tenant("set", "attribute", "support@contoso.com", "CustomAttribute3")).stdout).toBe("cleared CustomAttribute3 of support@contoso.com\n");
    expect(await reading(path, (t) => t.getCustomAttributes("support@contoso.com"))).toEqual({});
  });

  it("refuses an attribute that is not CustomAttribute1..15 and a value over 1024 characters, changing nothing", async () => {
    const { path, tenant } = await contoso();
    const bad = await tenant("set", "attribute", "support@contoso.com", "Department", "x");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('attribute "Department" is not one of CustomAttribute1 .. CustomAttribute15; give one such as CustomAttribute3');
    expect((await tenant("set", "attribute", "support@contoso.com", "CustomAttribute16", "x")).status).toBe(1);
    const long = await tenant("set", "attribute", "support@contoso.com", "CustomAttribute2", "x".repeat(1025));
    expect(long.stderr).toBe("error: support@contoso.com: the value for CustomAttribute2 of support@contoso.com is longer than 1024 characters; shorten it [InvalidArgument]\n");
    expect(await reading(path, (t) => t.getCustomAttributes("support@contoso.com"))).toEqual({});
  });
});
