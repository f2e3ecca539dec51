/**
 * The shared mailboxes of {{name}}, declared as code.
 *
 *   npx exoform plan     # what would change in the tenant, and why
 *   npx exoform apply    # do it (asks first)
 *
 * Until you connect your own tenant (README.md, "Connect your tenant"),
 * exoform plans against the simulated tenant "contoso" that `exoform init`
 * created in .exoform/tenant.db: ann.lee@contoso.com and ben.ortiz@contoso.com
 * are two of its people. To manage your tenant, set tenantId and domains to
 * yours and declare your mailboxes below.
 *
 * Every mailbox is identified by its address. The construct ids ("Team")
 * only name things in this file: renaming one changes nothing in the tenant.
 */
import { App } from "cdktf";
import { SharedMailbox, TenantStack } from "@exoform/exoform";

const app = new App();

const stack = new TenantStack(app, "mailboxes", {
  tenantId: "contoso",
  // Every mailbox and every person granted access must be in one of these.
  domains: ["contoso.com"],
  // Accounts exoform must license need a usage location first.
  usageLocation: "US",
});

new SharedMailbox(stack, "Team", {
  address: "team@contoso.com",
  displayName: "Team inbox",
  // members get FullAccess and SendAs; see the README for the other rights
  members: ["ann.lee@contoso.com", "ben.ortiz@contoso.com"],
});

app.synth();
