// HEALTHCHECK of the Dais images: healthy when the URL answers 2xx (http://…) or the port accepts
// a connection (tcp://host:port), within 4 s. No curl in the images: Node is already there.
//   node /usr/local/lib/dais/healthcheck.mjs http://127.0.0.1:7000/ready | tcp://127.0.0.1:2222
import { connect } from 'node:net';

const target = new URL(process.argv[2] ?? '');
const fail = (why) => {
  console.error(`unhealthy: ${target.href}: ${why}`);
  process.exit(1);
};
setTimeout(() => fail('no answer within 4 s'), 4_000).unref();
if (target.protocol === 'tcp:') {
  const socket = connect({ host: target.hostname, port: Number(target.port) });
  socket.on('connect', () => process.exit(0));
  socket.on('error', (error) => fail(error.message));
} else {
  const response = await fetch(target).catch((error) => fail(error.message));
  if (!response.ok) fail(`HTTP ${response.status}`);
  process.exit(0);
}
