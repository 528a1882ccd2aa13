// Compile-time equality of two unions: a list that misses or adds a value fails `npm run typecheck`.
export type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Accepts only `true`; used as `assertSameUnion<SameUnion<Ours, Qliks>>(true)`. */
export function assertSameUnion<T extends true>(ok: T): T {
  return ok;
}
