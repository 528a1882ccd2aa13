/**
 * A value made on the first call and kept: for work a module should not do when it is loaded (compiling
 * a JSON schema, say), because most of its importers never need it.
 */
export function lazy<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}
