/**
 * JSON Web Tokens, as much as the local endpoint needs: sign with its own RSA
 * key (RS256), verify a client's assertion signed with RS256, PS256 or ES256
 * against a certificate's public key. node:crypto only.
 */
import { createHash, createPublicKey, sign, verify, constants, type KeyObject } from "node:crypto";

export interface JwtParts {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

export function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const header = { typ: "JWT", alg: "RS256", kid };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(sign("sha256", Buffer.from(input), key))}`;
}

/** Split and decode a compact JWT; null when it is not one. */
export function decodeJwt(token: string): JwtParts | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    if (typeof header !== "object" || header === null || typeof payload !== "object" || payload === null) return null;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, "base64url"),
    };
  } catch {
    return null;
  }
}

/** Whether `jwt` carries a valid signature by `key` under the algorithm its header names (RS256, PS256, ES256). */
export function verifySignature(jwt: JwtParts, key: KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  try {
    switch (jwt.header["alg"]) {
      case "RS256":
        return verify("sha256", data, key, jwt.signature);
      case "PS256":
        return verify("sha256", data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jwt.signature);
      case "ES256":
        return verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, jwt.signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/** A registered client certificate: its public key and the thumbprints an assertion's header may name. */
export interface CertificateCredential {
  readonly publicKey: KeyObject;
  /** base64url SHA-1 of the DER certificate (the `x5t` header). */
  readonly x5t: string;
  /** base64url SHA-256 of the DER certificate (the `x5t#S256` header). */
  readonly x5tS256: string;
}

export function certificateCredential(certPem: string): CertificateCredential {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(certPem);
  if (!match) throw new Error("not a PEM certificate");
  const der = Buffer.from(match[1]!.replace(/\s+/g, ""), "base64");
  return {
    publicKey: createPublicKey(certPem),
    x5t: createHash("sha1").update(der).digest("base64url"),
    x5tS256: createHash("sha256").update(der).digest("base64url"),
  };
}
