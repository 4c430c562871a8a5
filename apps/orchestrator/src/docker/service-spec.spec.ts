import { describe, expect, it } from 'vitest';
import type { RuntimeSite } from '../sites/runtime-driver';
import { HARDENED_ENGINE_LABEL, SERVICE_SPEC_LABEL, serviceSpec } from './service-spec';

const site: RuntimeSite = {
  siteId: 7,
  name: 'seven',
  image: 'dais/busybox:latest',
  command: { kind: 'image' },
  env: { PORT: '8080' },
  limits: { memoryMb: 64, cpus: 0.5, pids: 64 },
  replicas: 1,
  running: true,
  siteDir: '/srv/dais/sites/7',
  uid: 200_007,
};

describe('a site as a Swarm service', () => {
  const spec = serviceSpec(site, { namePrefix: 'dais-site-', network: 'dais-swarm' });
  const template = spec.TaskTemplate as {
    ContainerSpec: { CapabilityDrop: string[]; User: string; ReadOnly: boolean };
    Networks: { Target: string }[];
    Placement: { Constraints: string[] };
  };

  it('joins the sites swarm bridge, not the default one', () => {
    expect(template.Networks).toEqual([{ Target: 'dais-swarm' }]);
  });

  it('runs only on nodes whose engine gives containers no-new-privileges', () => {
    expect(template.Placement.Constraints).toEqual([`engine.labels.${HARDENED_ENGINE_LABEL} == true`]);
  });

  it('drops every capability and runs as the site user on a read-only root', () => {
    expect(template.ContainerSpec).toMatchObject({ CapabilityDrop: ['ALL'], User: '200007:200007', ReadOnly: true });
  });

  it('says which shape of spec made it, so services of an older Dais get updated', () => {
    expect(spec.Labels[SERVICE_SPEC_LABEL]).toBe('2');
  });

  it('runs the registry reference and obeys the extra constraints of a multi-node Swarm', () => {
    const image = '172.17.0.1:5000/dais/busybox@sha256:' + 'a'.repeat(64);
    const multi = serviceSpec(
      site,
      { namePrefix: 'dais-site-', network: 'dais-swarm' },
      { image, constraints: ['node.labels.sites == yes'] },
    );
    const multiTemplate = multi.TaskTemplate as { ContainerSpec: { Image: string }; Placement: { Constraints: string[] } };
    expect(multiTemplate.ContainerSpec.Image).toBe(image);
    expect(multiTemplate.Placement.Constraints).toEqual([`engine.labels.${HARDENED_ENGINE_LABEL} == true`, 'node.labels.sites == yes']);
    expect((spec.TaskTemplate as { ContainerSpec: { Image: string } }).ContainerSpec.Image).toBe('dais/busybox:latest');
  });
});
