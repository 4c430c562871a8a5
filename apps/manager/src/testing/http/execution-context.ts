import type { ExecutionContext, Type } from '@nestjs/common';

/** The execution context a guard sees for one HTTP request to a handler. */
export function httpContext(
  controller: Type,
  handler: (...args: unknown[]) => unknown,
  request: unknown,
  reply: unknown = {},
): ExecutionContext {
  return {
    getHandler: () => handler,
    getClass: () => controller,
    getType: () => 'http',
    getArgs: () => [request, reply],
    getArgByIndex: (index: number) => [request, reply][index],
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply, getNext: () => undefined }),
    switchToRpc: () => {
      throw new Error('not an RPC context');
    },
    switchToWs: () => {
      throw new Error('not a websocket context');
    },
  } as unknown as ExecutionContext;
}
