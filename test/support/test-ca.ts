/**
 * vitest globalSetup: one certificate authority for the whole test run.
 * Its certificate goes to a temporary file named by NODE_EXTRA_CA_CERTS, set
 * here before the test workers start, so Node's own fetch (and msal-node) in
 * every worker and child process trusts the local endpoints tests start,
 * exactly as a user's process trusts `exoform tenant serve` through the same
 * variable. The CA's key stays in memory (an environment variable of the
 * workers), never on disk; test/local-endpoint/serve.ts signs with it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCertificateAuthority } from "../../providers/local-endpoint/tls.js";

export default async function setup(): Promise<() => void> {
  const ca = await makeCertificateAuthority();
  const dir = mkdtempSync(join(tmpdir(), "exoform-test-ca-"));
  const path = join(dir, "ca.pem");
  writeFileSync(path, ca.certPem);
  process.env["NODE_EXTRA_CA_CERTS"] = path;
  process.env["EXOFORM_TEST_CA_CERT"] = ca.certPem;
  process.env["EXOFORM_TEST_CA_KEY"] = ca.keyPem;
  return () => rmSync(dir, { recursive: true, force: true });
}
