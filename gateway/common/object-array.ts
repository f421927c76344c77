// Arrays that live as long as a connection and hold objects. V8 starts a `[]` written in a class field
// as an array of small integers; the first object stored in it changes its kind, and every function
// already optimised on the arrays of earlier connections (whose kind had changed) is thrown away and
// compiled again: measured on the session's queues, once per function per new connection. Made here,
// the array already has the kind it will keep.

/** An empty array already of the kind V8 gives arrays of objects. */
export function emptyObjectArray<T extends object>(): T[] {
  const array = [null] as unknown as T[];
  array.length = 0;
  return array;
}
