/**
 * Contoso's shared mailboxes, as the platform team declares them.
 *
 * Run it the way the cdktf CLI would (cdktf.json "app"):
 *   npx tsx examples/contoso/main.ts        # writes cdktf.out/stacks/contoso/cdk.tf.json
 *   node bin/exoform.js synth               # runs it, validates, summarizes
 *   node bin/exoform.js plan                # compares it with the tenant
 *
 * Every mailbox is identified by its address. The construct ids ("Support",
 * "Info"...) only name things in this file: renaming one changes nothing in
 * the tenant.
 */
import { App } from "cdktf";
import { RemovalPolicy, SharedMailbox, TenantStack, UserMailbox } from "../../lib/index.js";

const app = new App();

const contoso = new TenantStack(app, "contoso", {
  tenantId: "contoso",
  // Every mailbox and every person granted access must be in one of these (R3.8).
  domains: ["contoso.com", "contoso.onmicrosoft.com"],
  // Accounts exoform must license need a usage location first (R7.1); new shared
  // mailbox accounts have none, so this is the one they get.
  usageLocation: "US",
});

// The people who appear below, named once so a typo cannot grant the wrong person.
const ann = "ann.lee@contoso.com";
const ben = "ben.ortiz@contoso.com";
const carla = "carla.diaz@contoso.com";
const dev = "dev.patel@contoso.com"; // the CEO's assistant
const erin = "erin.kim@contoso.com"; // the CEO
const gina = "gina.rossi@contoso.com";

// --- Team mailboxes ---------------------------------------------------------

// The support desk already exists. Its grants are authoritative (the
// default): anyone not listed here loses access when the plan is applied,
// so Gina's old FullAccess is revoked. Members get FullAccess and SendAs.
new SharedMailbox(contoso, "Support", {
  address: "support@contoso.com",
  displayName: "Contoso Support",
  members: [ann, ben],
});

// A new general enquiries mailbox. Erin reads it but does not want it opened
// in her Outlook on every start, hence autoMapping off. It holds nothing worth
// keeping once we stop declaring it, so removing it from this file deletes it.
const info = new SharedMailbox(contoso, "Info", {
  address: "info@contoso.com",
  displayName: "Contoso Info",
  members: [carla],
  removalPolicy: RemovalPolicy.DELETE,
});
info.grantFullAccess(erin, { autoMapping: false });

// The CEO's office: Erin works in it, Dev sends on her behalf, so recipients
// see "Dev Patel on behalf of Office of the CEO".
const ceoOffice = new SharedMailbox(contoso, "CeoOffice", {
  address: "ceo-office@contoso.com",
  displayName: "Office of the CEO",
});
ceoOffice.grantFullAccess(erin);
ceoOffice.grantSendOnBehalf(dev);

// Legal keeps 62 GB under litigation hold: both need Exchange Online Plan 2
// (R1.5, R1.6), so the anchor account keeps its EXCHANGEENTERPRISE license.
// Gina has no Exchange license of her own; the plan warns that she cannot
// open the mailbox until she gets one.
new SharedMailbox(contoso, "Legal", {
  address: "legal@contoso.com",
  displayName: "Legal Hold",
  license: "EXCHANGEENTERPRISE",
  litigationHold: true,
  members: [erin],
  fullAccess: [gina],
});

// --- People who left --------------------------------------------------------

// When someone leaves, their mailbox becomes a shared mailbox so the team can
// keep answering their mail, and their license goes back to the pool. These
// addresses are people's mailboxes today, hence origin "convert". A converted
// mailbox is always retained: it holds that person's mail.

// Harry left last week; Ben takes over his customers.
new SharedMailbox(contoso, "HarryWells", {
  address: "harry.wells@contoso.com",
  displayName: "Harry Wells (departed)",
  origin: "convert",
  members: [ben],
});

// Ivy's license was already removed: her mailbox is in its 30-day grace
// period and must be converted before it is disconnected (R1.12).
new SharedMailbox(contoso, "IvyChen", {
  address: "ivy.chen@contoso.com",
  displayName: "Ivy Chen (departed)",
  origin: "convert",
  fullAccess: [carla],
});

// Jack's account was deleted ten days ago, so his mailbox is soft-deleted
// (recoverable for 30 days). It is still his mailbox, not a new one: "convert"
// tells exoform to bring that mailbox back as a shared one, with his mail,
// rather than create an empty mailbox at the same address.
new SharedMailbox(contoso, "JackHale", {
  address: "jack.hale@contoso.com",
  displayName: "Jack Hale (departed)",
  origin: "convert",
  fullAccess: [ann],
});

// --- People who came back ---------------------------------------------------

// Kim's mailbox was converted to shared when she left. She is back: it
// becomes her own mailbox again, with a license.
new UserMailbox(contoso, "KimNguyen", {
  address: "kim.nguyen@contoso.com",
  license: "EXCHANGESTANDARD",
});

// Not declared on purpose: old-projects@ (retained by default, so left alone)
// and events-2025@ (declared earlier with removalPolicy "delete": the plan
// now deletes it, and marks that step destructive).

app.synth();
