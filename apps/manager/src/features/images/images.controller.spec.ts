import { describe, expect, it, vi } from 'vitest';
import { bodyTable } from '../../testing/http/input-tables';
import { refusalOf } from '../../testing/http/refusal';
import { strictFake } from '../../testing/http/strict-fake';
import { ADMIN, MEMBER, OUTSIDER } from '../../testing/http/users';
import type { ImageRepository } from './image.repository';
import { ImagesController } from './images.controller';

const ROW = {
  id: 2,
  name: 'busybox',
  baseImage: 'dais/busybox:latest',
  description: 'small',
  packageUpdate: null,
  packageInstall: null,
  runScript: '#!/bin/sh\n',
  createdAt: new Date(),
};
const VIEW = {
  id: 2,
  name: 'busybox',
  baseImage: 'dais/busybox:latest',
  description: 'small',
  packageUpdate: null,
  packageInstall: null,
  runScript: '#!/bin/sh\n',
};
const NEW_IMAGE = {
  name: 'tiny',
  baseImage: 'dais/busybox:latest',
  packageUpdate: null,
  packageInstall: null,
  runScript: '#!/bin/sh\nexec httpd\n',
};

const controllerWith = (arranged: Partial<ImageRepository>) =>
  new ImagesController(strictFake<ImageRepository>('ImageRepository', arranged));

describe('ImagesController', () => {
  it('lists the catalogue as views', async () => {
    const list = vi.fn().mockResolvedValue([ROW]);
    expect(await controllerWith({ list }).list()).toEqual({ images: [VIEW] });
  });

  it('adds a checked image for admins, answering its view', async () => {
    const create = vi.fn().mockResolvedValue(ROW);
    const controller = controllerWith({ create });
    expect(await controller.create(ADMIN, NEW_IMAGE)).toEqual(VIEW);
    expect(create).toHaveBeenCalledWith(expect.objectContaining(NEW_IMAGE));
    expect(await bodyTable(NEW_IMAGE, (body) => controller.create(ADMIN, body), create)).toMatchSnapshot();
  });

  it('refuses anyone but an admin before reading the body', async () => {
    const controller = controllerWith({});
    for (const user of [MEMBER, OUTSIDER])
      expect((await refusalOf(() => controller.create(user, { not: 'checked' }))).code).toBe('FORBIDDEN');
  });

  it('answers NAME_TAKEN when the name is in the catalogue already', async () => {
    const controller = controllerWith({ create: vi.fn().mockResolvedValue(null) });
    expect((await refusalOf(() => controller.create(ADMIN, NEW_IMAGE))).code).toBe('NAME_TAKEN');
  });
});
