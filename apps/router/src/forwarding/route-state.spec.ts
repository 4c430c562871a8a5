import { isDaisError, routeSpecSchema, routeStateDigest, routeStateSchema, type RouteSpec } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { HOSTILE_VALUES } from '../../../../test/support/hostile-values';
import { routeStateOf } from './route-state';

const route = (siteId: number, hostnames: string[] = [`s${siteId}.dais.localhost`], certificateHostnames: string[] = []): RouteSpec =>
  routeSpecSchema.parse({ siteId, hostnames, certificateHostnames });

function refusal(routes: RouteSpec[]): { message: string; details: Record<string, unknown> | undefined } {
  try {
    routeStateOf(routes);
  } catch (error) {
    if (isDaisError(error, 'VALIDATION_FAILED')) return { message: error.message, details: error.details };
    throw error;
  }
  throw new Error('the state was accepted');
}

describe('routeStateOf', () => {
  it('keys a valid state by site id', () => {
    const state = routeStateOf([route(1), route(2, ['b.example.org', 'www.b.example.org'])]);
    expect([...state.keys()]).toEqual([1, 2]);
    expect(state.get(2)?.hostnames).toEqual(['b.example.org', 'www.b.example.org']);
  });

  it('accepts the empty state (a router routing nothing)', () => {
    expect(routeStateOf([]).size).toBe(0);
  });

  it('refuses a site sent twice, naming it', () => {
    const { message, details } = refusal([route(1), route(7), route(7, ['other.example.org'])]);
    expect(message).toContain('site more than once: 7');
    expect(details).toMatchObject({ reason: 'duplicate-site', siteIds: [7] });
  });

  it('refuses a hostname routed by two sites, naming the hostname and both sites', () => {
    const { message, details } = refusal([route(3, ['shared.example.org']), route(9, ['x.example.org', 'shared.example.org'])]);
    expect(message).toContain('shared.example.org (sites 3, 9)');
    expect(details).toMatchObject({ reason: 'hostname-conflict', conflicts: [{ hostname: 'shared.example.org', siteIds: [3, 9] }] });
  });

  it('does not count a hostname listed twice by the same site as a conflict', () => {
    expect(routeStateOf([route(4, ['same.example.org', 'same.example.org'])]).size).toBe(1);
  });

  it('names at most 20 conflicts and counts the rest', () => {
    const routes = Array.from({ length: 30 }, (_, i) => [
      route(i * 2 + 1, [`h${i}.example.org`]),
      route(i * 2 + 2, [`h${i}.example.org`]),
    ]).flat();
    const { message, details } = refusal(routes);
    expect(message).toMatch(/^30 hostnames would be routed by more than one site: .* and 10 more\./);
    expect((details?.conflicts as unknown[]).length).toBe(20);
  });

  // How long it takes is bench/router-fill.ts's business (100,000 sites; a pairwise check would take minutes).
  it('checks 100,000 sites', () => {
    const routes = Array.from({ length: 100_000 }, (_, i) => route(i + 1, [`s${i}.dais.localhost`, `www.s${i}.example.org`]));
    expect(routeStateOf(routes).size).toBe(100_000);
  });
});

describe('routeStateSchema', () => {
  it.each(HOSTILE_VALUES.map((value) => [value]))('refuses %j as a site id, and accepts it as a hostname only once made safe', (value) => {
    expect(routeStateSchema.safeParse({ routes: [{ siteId: value, hostnames: ['ok.example.org'] }] }).success).toBe(false);
    const parsed = routeStateSchema.safeParse({
      routes: [
        { siteId: 1, hostnames: ['ok.example.org'] },
        { siteId: 2, hostnames: [value] },
      ],
    });
    if (parsed.success) expect(parsed.data.routes[1]?.hostnames[0]).toMatch(/^[a-z0-9.-]+$/);
  });

  it.each(HOSTILE_VALUES.map((value) => [value]))('refuses %j in place of the route list', (value) => {
    expect(routeStateSchema.safeParse({ routes: value }).success).toBe(Array.isArray(value) && value.length === 0);
  });

  it('refuses unknown fields and a missing route list', () => {
    expect(routeStateSchema.safeParse({ routes: [], extra: 1 }).success).toBe(false);
    expect(routeStateSchema.safeParse({}).success).toBe(false);
  });
});

describe('routeStateDigest', () => {
  it('is the same for the same routes in any order, hostnames included', () => {
    const a = [route(1, ['a.example.org', 'www.a.example.org'], ['www.a.example.org']), route(2)];
    const b = [route(2), route(1, ['www.a.example.org', 'a.example.org'], ['www.a.example.org'])];
    expect(routeStateDigest(a)).toBe(routeStateDigest(b));
  });

  it('changes with any part of a route', () => {
    const base = routeStateDigest([route(1, ['a.example.org'])]);
    expect(routeStateDigest([route(2, ['a.example.org'])])).not.toBe(base);
    expect(routeStateDigest([route(1, ['b.example.org'])])).not.toBe(base);
    expect(routeStateDigest([route(1, ['a.example.org'], ['a.example.org'])])).not.toBe(base);
    expect(routeStateDigest([routeSpecSchema.parse({ siteId: 1, hostnames: ['a.example.org'], clientMaxBodyMb: 5 })])).not.toBe(base);
    expect(routeStateDigest([])).not.toBe(base);
  });
});
