import { describe, expect, it } from 'vitest';
import { OpenApiController } from './openapi.controller';

describe('OpenApiController', () => {
  it('serves one OpenAPI document, built once', () => {
    const controller = new OpenApiController();
    expect(controller.get()).toMatchObject({ openapi: expect.stringMatching(/^3\./), paths: expect.any(Object) });
    expect(controller.get()).toBe(controller.get());
  });
});
