/**
 * Graph's group routes on the local endpoint: the tenant's mail-enabled
 * security groups (the grant trustees exoform reads, never changes) and
 * their members. Groups have no writes, so they are read from the tenant
 * directly, without the read-lag model.
 */
import type { ObservedGroup } from "../../lib/provider/observed.js";
import { requirePermission, resourceNotFound, type GraphCall } from "./graph-http.js";
import { answerCollection, parseCollectionQuery, type QuerySchema } from "./graph-query.js";
import { PERMISSION } from "./permissions.js";
import type { WireResponse } from "./wire.js";

const GROUP_DEFAULT_SELECT = ["id", "displayName", "mail", "mailEnabled", "securityEnabled", "groupTypes"];

const GROUP_SCHEMA: QuerySchema = {
  typeName: "microsoft.graph.group",
  resourceName: "Group",
  properties: [...GROUP_DEFAULT_SELECT, "description", "mailNickname"],
  filterable: {
    id: { type: "string", in: true },
    mail: { type: "string", in: true },
    mailEnabled: { type: "boolean" },
    securityEnabled: { type: "boolean" },
  },
};

const MEMBER_SCHEMA: QuerySchema = {
  typeName: "microsoft.graph.directoryObject",
  resourceName: "DirectoryObject",
  properties: ["id", "userPrincipalName", "displayName"],
  filterable: {},
};

const READ_GROUPS = [PERMISSION.groupReadAll, PERMISSION.groupMemberReadAll, PERMISSION.directoryReadAll, PERMISSION.directoryReadWriteAll];

/** A group's Graph shape: every group the tenant models is a mail-enabled security group. */
function graphGroup(g: ObservedGroup): Record<string, unknown> {
  const local = g.address.slice(0, g.address.indexOf("@"));
  return { id: g.id, displayName: g.displayName, mail: g.address, mailEnabled: true, securityEnabled: true, groupTypes: [], description: null, mailNickname: local };
}

/** GET /groups: the mail-enabled security groups, queried and paged like /users. */
export async function listGroups(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, READ_GROUPS);
  const query = parseCollectionQuery(call.req, "groups", GROUP_SCHEMA);
  const rows = (await call.ctx.tenant.listGroups()).map((g) => ({ key: [g.address, g.id], record: graphGroup(g) }));
  return answerCollection(call, query, rows, { collection: "groups", context: "groups", defaultSelect: GROUP_DEFAULT_SELECT });
}

/** GET /groups/{id}/members: the group's user members as directory objects. */
export async function listGroupMembers(call: GraphCall): Promise<WireResponse> {
  requirePermission(call.caller, READ_GROUPS);
  const id = call.params["id"]!;
  const group = (await call.ctx.tenant.listGroups()).find((g) => g.id.toLowerCase() === id.toLowerCase());
  if (group === undefined) throw resourceNotFound(id);
  const query = parseCollectionQuery(call.req, `members:${group.id}`, MEMBER_SCHEMA);
  const byUpn = new Map((await call.reads.listUsers()).filter((u) => u.deletedAt === null).map((u) => [u.userPrincipalName, u]));
  const rows = group.members.map((upn) => {
    const user = byUpn.get(upn);
    return { key: [upn], record: { "@odata.type": "#microsoft.graph.user", id: user?.id ?? upn, userPrincipalName: upn, displayName: user?.displayName ?? upn } };
  });
  return answerCollection(call, query, rows, { collection: `members:${group.id}`, context: "directoryObjects", defaultSelect: ["@odata.type", ...MEMBER_SCHEMA.properties] });
}
