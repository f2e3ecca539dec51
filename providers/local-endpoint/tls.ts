/**
 * The local endpoint's TLS: a certificate authority and a server certificate
 * for 127.0.0.1, made fresh at every start (selfsigned, docs/decisions/0008).
 * Only the CA certificate is written to disk, where NODE_EXTRA_CA_CERTS can
 * point; no private key ever leaves memory.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lazyModule } from "../../lib/private/lazy-module.js";

/** selfsigned, loaded when a certificate is first made (not at every command's start). */
const selfsignedPackage = lazyModule<typeof import("selfsigned")>("selfsigned");

export interface EndpointTls {
  /** PEM of the CA that signed the server certificate: what clients trust. */
  readonly caPem: string;
  /** Where caPem was written (the value of NODE_EXTRA_CA_CERTS), or null when kept in memory. */
  readonly caPath: string | null;
  readonly certPem: string;
  readonly keyPem: string;
}

const DAY_MS = 86_400_000;

export interface CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A new certificate authority, valid for 30 days (wall time: TLS checks wall time). */
export async function makeCertificateAuthority(): Promise<CertificateAuthority> {
  const { notBeforeDate, notAfterDate } = validity();
  const ca = await selfsignedPackage().generate([{ name: "commonName", value: "exoform local endpoint CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { certPem: ca.cert, keyPem: ca.private };
}

/**
 * A server certificate for 127.0.0.1 signed by `ca` (a new CA when none is given). The CA certificate is
 * written to `stateDir` when given; tests pass the run's CA instead (test/support/test-ca.ts).
 */
export async function makeTls(stateDir: string | null, ca?: CertificateAuthority): Promise<EndpointTls> {
  const authority = ca ?? (await makeCertificateAuthority());
  const { notBeforeDate, notAfterDate } = validity();
  const server = await selfsignedPackage().generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    ca: { key: authority.keyPem, cert: authority.certPem },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    ],
  });
  let caPath: string | null = null;
  if (stateDir !== null) {
    mkdirSync(stateDir, { recursive: true });
    caPath = join(stateDir, "local-endpoint-ca.pem");
    const tmp = `${caPath}.${process.pid}.tmp`;
    writeFileSync(tmp, authority.certPem, { mode: 0o644 });
    renameSync(tmp, caPath);
  }
  return { caPem: authority.certPem, caPath, certPem: server.cert, keyPem: server.private };
}

function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  return { notBeforeDate: new Date(Date.now() - 60_000), notAfterDate: new Date(Date.now() + 30 * DAY_MS) };
}

/** A client certificate and key for certificate credentials (tests and demos; never written by the endpoint). */
export async function makeClientCertificate(subject: string): Promise<{ certPem: string; keyPem: string }> {
  const pems = await selfsignedPackage().generate([{ name: "commonName", value: subject }], { keyType: "rsa", keySize: 2048, algorithm: "sha256" });
  return { certPem: pems.cert, keyPem: pems.private };
}
