/** The Dais services that run as long-lived Node processes. */
export type ServiceName = 'manager' | 'orchestrator' | 'router' | 'shell';

/** Node flags and environment a service process is started with. */
export interface ServiceRuntime {
  nodeArgs: readonly string[];
  env: Readonly<Record<string, string>>;
}

/**
 * Settings that keep idle services small without changing what they do; measured in
 * bench/RESULTS.md ("Manager memory"), where they take an idle manager API + worker from about
 * 490 MB to about 200 MB of RSS together (with Prisma's small query compiler).
 *
 * - `--max-semi-space-size=1`: V8's young generation grows to 16 MB × 3 per process by default; a
 *   control plane allocates little per request, so 1 MB semi-spaces cost only more frequent, tiny
 *   scavenges.
 * - `MALLOC_ARENA_MAX=2`: glibc gives every thread that allocates (libuv pool, V8 compiler threads)
 *   its own 64 MB arena, each holding freed memory it never returns.
 * - `MALLOC_MMAP_THRESHOLD_=65536`: large native blocks (compiler zones) come from mmap and go back
 *   to the system when freed instead of fragmenting the heap.
 * - manager only, `--liftoff-only`: Prisma's query compiler is WebAssembly; V8's optimising tier
 *   recompiles it a second time for ~10 MB more memory, for query planning that is not our
 *   bottleneck (the API benchmark runs with these flags).
 *
 * npm start and the test stack start services with these; a container image sets the same.
 */
export function serviceRuntime(service: ServiceName): ServiceRuntime {
  return {
    nodeArgs: ['--max-semi-space-size=1', ...(service === 'manager' ? ['--liftoff-only'] : [])],
    env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '65536' },
  };
}
