// The compose `sites-network` service: makes sure the network site containers join exists with
// the subnet and gateway the sites' database server listens on (DAIS_SITES_SUBNET, _GATEWAY), then
// exits. It is created here through the Docker socket, not declared in docker-compose.yml: site
// containers are the orchestrator's, not compose's, and stay attached through `docker-compose
// down`, so a compose-owned network could never be removed and made every `down` fail. Labelled as
// the orchestrator labels its own (dais.managed-by=<DAIS_SITE_NAME_PREFIX>).
import { createRequire } from 'node:module';

const require = createRequire('/app/apps/orchestrator/package.json');
const Docker = require('dockerode');

const name = process.env.DAIS_SITES_NETWORK ?? '';
const subnet = process.env.DAIS_SITES_SUBNET ?? '';
const gateway = process.env.DAIS_SITES_GATEWAY ?? '';
const fail = (line) => {
  console.error(`sites-network: ${line}`);
  process.exit(78);
};
if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name)) fail('invalid setting DAIS_SITES_NETWORK: must be a Docker network name');
if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(subnet)) fail('invalid setting DAIS_SITES_SUBNET: must be an IPv4 subnet (a.b.c.d/nn)');
if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(gateway)) fail('invalid setting DAIS_SITES_GATEWAY: must be an IPv4 address in DAIS_SITES_SUBNET');

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const [existing] = (await docker.listNetworks({ filters: { name: [name] } })).filter((network) => network.Name === name);
if (existing) {
  const config = existing.IPAM?.Config?.[0] ?? {};
  if (config.Subnet !== subnet || config.Gateway !== gateway)
    fail(
      `network ${name} exists with subnet ${config.Subnet} gateway ${config.Gateway}, not ${subnet} ${gateway}: fix DAIS_SITES_* or remove the network`,
    );
  console.log(`sites-network: ✓ ${name} (${subnet}, gateway ${gateway})`);
} else {
  await docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    CheckDuplicate: true,
    // Site containers never talk to each other (docs/architecture.md).
    Options: { 'com.docker.network.bridge.enable_icc': 'false' },
    IPAM: { Config: [{ Subnet: subnet, Gateway: gateway }] },
    Labels: { 'dais.managed-by': process.env.DAIS_SITE_NAME_PREFIX ?? 'dais-site-' },
  });
  console.log(`sites-network: + created ${name} (${subnet}, gateway ${gateway})`);
}
