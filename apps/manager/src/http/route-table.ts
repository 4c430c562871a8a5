import { RequestMethod, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';

/** One HTTP route as clients call it: `GET /api/sites/{id}` (OpenAPI-style parameters). */
export interface ApiRoute {
  method: string;
  path: string;
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : ['']);
const join = (...parts: string[]) =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/')}`;

/** One route with the controller and handler that serve it: what a guard's execution context names. */
export interface RouteHandler {
  /** `METHOD /path/{param}`, as {@link routesOf} spells it. */
  route: string;
  controller: Type;
  handler: (...args: unknown[]) => unknown;
  /** Guards the controller and the handler declare with `@UseGuards` (the global AuthGuard is not among them). */
  guards: unknown[];
}

/** Every route of a Nest module and the modules it imports (e.g. FilesModule), with its handler, read from the decorators. */
export function routeHandlersOf(module: Type): RouteHandler[] {
  const imported = ((Reflect.getMetadata(MODULE_METADATA.IMPORTS, module) ?? []) as unknown[]).filter(
    (entry): entry is Type => typeof entry === 'function',
  );
  const handlers = imported.flatMap((entry) => routeHandlersOf(entry));
  for (const controller of (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) ?? []) as Type[]) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const guards = [
        ...((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as unknown[]),
        ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[]),
      ];
      for (const prefix of asList(Reflect.getMetadata(PATH_METADATA, controller)))
        for (const path of asList(Reflect.getMetadata(PATH_METADATA, handler)))
          handlers.push({
            route: `${RequestMethod[method]} ${join(prefix, path).replace(/:([A-Za-z]+)/g, '{$1}')}`,
            controller,
            handler: handler as RouteHandler['handler'],
            guards,
          });
    }
  }
  return handlers;
}

/**
 * Every route the controllers of a Nest module declare: tests use it to prove the OpenAPI document,
 * the permission matrix and the fuzzing cover all of them.
 */
export function routesOf(module: Type): ApiRoute[] {
  return routeHandlersOf(module).map(({ route }) => {
    const space = route.indexOf(' ');
    return { method: route.slice(0, space), path: route.slice(space + 1) };
  });
}
