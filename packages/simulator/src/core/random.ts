/**
 * Deterministic randomness: every stream is a small PRNG (sfc32) seeded from the simulator seed and
 * the stream name, so the same seed and the same sequence of requests give the same faults and ids.
 */
import { createHash, createHmac } from "node:crypto";

function sha256(...parts: string[]): Buffer {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\u0000");
  return h.digest();
}

export function hmacHex(secret: string, data: string, length = 64): string {
  return createHmac("sha256", secret).update(data).digest("hex").slice(0, length);
}

/** sfc32 seeded from a SHA-256 of the seed and stream; returns numbers in [0, 1). */
function createPrng(seed: string, stream: string): () => number {
  const h = sha256(seed, stream);
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** Named PRNG streams over one seed. */
export class RandomStreams {
  readonly seed: string;
  private readonly streams = new Map<string, () => number>();
  constructor(seed: string) {
    this.seed = seed;
  }
  next(stream: string): number {
    let s = this.streams.get(stream);
    if (!s) {
      s = createPrng(this.seed, stream);
      this.streams.set(stream, s);
    }
    return s();
  }
  reset(): void {
    this.streams.clear();
  }
}

/**
 * Deterministic ids: the n-th id is derived from (seed, n), so a restarted simulator that loaded its
 * state continues the sequence without collisions (the counter is persisted).
 */
export class IdSource {
  readonly seed: string;
  counter = 0;
  constructor(seed: string) {
    this.seed = seed;
  }
  next(kind: "hex" | "uuid" = "hex"): string {
    const hex = sha256(this.seed, "id", String(this.counter++)).toString("hex");
    if (kind === "hex") return hex.slice(0, 24);
    // Version-4-shaped UUID, as Qlik uses for app ids.
    const v = `4${hex.slice(13, 16)}`;
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16) + hex.slice(17, 20);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${v}-${variant}-${hex.slice(20, 32)}`;
  }
}

/** A base64url string of `length` characters derived from the seed (tenant ids look like this). */
export function derivedToken(seed: string, purpose: string, length = 32): string {
  return sha256(seed, purpose).toString("base64url").slice(0, length);
}
