import type { FilesClient } from '../infrastructure/peers/files.client';
import type { OrchestratorClient, RouterClient } from '../infrastructure/peers/peer-clients';

/** The names of T's methods. */
type MethodOf<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T] & string;
type Args<T, K extends MethodOf<T>> = T[K] extends (...args: infer A) => unknown ? A : never;
type Reply<T, K extends MethodOf<T>> = T[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/** One call a service made to a peer. */
export interface PeerCall {
  method: string;
  args: unknown[];
}

/**
 * A peer client (orchestrator, router, files) that answers only what the test arranged: it
 * records every call, answers with the arranged reply or fails as told, and throws for any
 * method nobody arranged, so an unexpected call to a peer fails the test loudly.
 */
export class ScriptedPeer<T extends object> {
  readonly calls: PeerCall[] = [];
  readonly client: T;
  private readonly replies = new Map<string, (...args: unknown[]) => unknown>();

  constructor(private readonly name: string) {
    this.client = new Proxy({} as T, {
      get: (_target, property) => {
        if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
        const reply = this.replies.get(property);
        if (!reply) throw new Error(`${this.name}.${property} was called, but the test did not arrange it`);
        return (...args: unknown[]) => {
          this.calls.push({ method: property, args });
          return Promise.resolve().then(() => reply(...args));
        };
      },
    });
  }

  /** Answers `method` with what `reply` returns or resolves to (it sees the call's arguments). */
  answer<K extends MethodOf<T>>(method: K, reply: (...args: Args<T, K>) => Reply<T, K> | Promise<Reply<T, K>>): this {
    this.replies.set(method, reply as (...args: unknown[]) => unknown);
    return this;
  }

  /** Makes `method` fail like an unreachable peer. */
  fail(method: MethodOf<T>, message = `${this.name} is unreachable`): this {
    this.replies.set(method, () => {
      throw new Error(message);
    });
    return this;
  }

  /** The arguments of each call to `method`, in order. */
  callsTo<K extends MethodOf<T>>(method: K): Args<T, K>[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args as Args<T, K>);
  }
}

export const fakeOrchestrator = (): ScriptedPeer<OrchestratorClient> => new ScriptedPeer<OrchestratorClient>('orchestrator');
export const fakeRouter = (): ScriptedPeer<RouterClient> => new ScriptedPeer<RouterClient>('router');
export const fakeFilesClient = (): ScriptedPeer<FilesClient> => new ScriptedPeer<FilesClient>('files');
