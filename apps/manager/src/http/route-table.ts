import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';

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

/**
 * Every route the controllers of a Nest module declare, read from their decorators: tests use
 * it to prove the OpenAPI document, the permission matrix and the fuzzing cover all of them.
 */
export function routesOf(module: Type): ApiRoute[] {
  const controllers = (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) ?? []) as Type[];
  // Feature modules the module imports (e.g. FilesModule) serve routes too.
  const imported = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, module) ?? []) as unknown[];
  const routes: ApiRoute[] = imported.filter((entry): entry is Type => typeof entry === 'function').flatMap((entry) => routesOf(entry));
  for (const controller of controllers) {
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller));
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      for (const prefix of prefixes) {
        for (const path of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
          routes.push({ method: RequestMethod[method], path: join(prefix, path).replace(/:([A-Za-z]+)/g, '{$1}') });
        }
      }
    }
  }
  return routes;
}
