/** What `fn` throws (undefined when it returns), for tests that look inside an error. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
