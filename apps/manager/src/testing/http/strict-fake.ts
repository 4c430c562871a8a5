/**
 * A stand-in for a service or repository that answers only what the test arranged: reading any
 * other member throws, so a controller that calls something unexpected fails the test instead of
 * getting `undefined` back.
 */
export function strictFake<T extends object>(name: string, arranged: Partial<T> = {}): T {
  return new Proxy(arranged as T, {
    get(target, property) {
      // Promise resolution and inspection probe these; they are not calls the controller makes.
      if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
      if (property in target) return (target as Record<string, unknown>)[property];
      throw new Error(`${name}.${property} was used, but this test did not arrange it`);
    },
  });
}
