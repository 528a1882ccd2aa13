/**
 * API keys and OAuth access tokens. Both are signed JWT-shaped strings (as Qlik's are), bound to one
 * tenant (or, for regional Platform Operations tokens, to one region). Verification is stateless except
 * for revocation, so 1,000 tenants need no per-tenant key material until a key is used.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { hmacHex } from "./random.ts";

export interface TokenClaims {
  /** "apikey" | "oauth" */
  kind: "apikey" | "oauth";
  sub: string;
  /** Tenant the token is valid on; absent for regional registration tokens. */
  tenantId?: string;
  /** Region a regional token belongs to. */
  region?: string;
  clientId?: string;
  regionalClientId?: string;
  jti: string;
  iat: number;
  /** Expiry (seconds since epoch); API keys have none. */
  exp?: number;
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export class CredentialSigner {
  private readonly secret: string;
  constructor(seed: string) {
    this.secret = hmacHex(`qlik-sim:${seed}`, "signing-key");
  }

  sign(claims: TokenClaims): string {
    const header = b64({ alg: "HS256", typ: "JWT", kid: claims.kind });
    const payload = b64(claims);
    const sig = createHmac("sha256", this.secret).update(`${header}.${payload}`).digest("base64url");
    return `${header}.${payload}.${sig}`;
  }

  /** The claims of a well-formed, correctly signed, unexpired token; otherwise null. */
  verify(token: string, nowMs: number): TokenClaims | null {
    const parts = token.split(".");
    if (parts.length !== 3) return null;
    const expected = createHmac("sha256", this.secret).update(`${parts[0]}.${parts[1]}`).digest();
    let given: Buffer;
    try {
      given = Buffer.from(parts[2], "base64url");
    } catch {
      return null;
    }
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as TokenClaims;
      if (claims.exp !== undefined && claims.exp * 1000 <= nowMs) return null;
      return claims;
    } catch {
      return null;
    }
  }

  /** A stable secret derived for a named purpose (OAuth client secrets). */
  derive(purpose: string, length = 64): string {
    return hmacHex(this.secret, purpose, length);
  }
}
