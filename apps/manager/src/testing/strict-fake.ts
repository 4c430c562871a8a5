/**
 * A stand-in for `T` that has only the members a test arranged: reading any other member throws,
 * naming the fake and the member, instead of quietly answering undefined. Type the arrangement
 * against the real class (`strictFake<SiteRepository>(...)`) so a changed signature fails to compile.
 */
export function strictFake<T extends object>(name: string, arranged: Partial<T>): T {
  return new Proxy(arranged, {
    get(target, property, receiver) {
      if (Reflect.has(target, property)) return Reflect.get(target, property, receiver) as unknown;
      // Promise resolution and inspection probe these; a fake is not a thenable nor a special object.
      if (property === 'then' || typeof property === 'symbol' || property === 'toJSON') return undefined;
      throw new Error(`${name}.${property} was called, but the test did not arrange it`);
    },
  }) as T;
}

/** A member the test arranged to fail, e.g. `failing('database down')`. */
export function failing(message: string): () => Promise<never> {
  return () => Promise.reject(new Error(message));
}
