// Renders a balancer description (JSON) to an nginx.conf:
//   npx tsx nginx/lb/render.ts nginx/lb/examples/manager-balancer.json /etc/dais/manager-balancer.conf
// then `nginx -t -c` and reload it. Prints every problem in the description and exits 1 if any.
import { readFileSync, writeFileSync } from 'node:fs';
import { BalancerConfigError, parseBalancerConfig } from './balancer-config';
import { renderBalancerConfig } from './balancer.render';

const [descriptionFile, outputFile] = process.argv.slice(2);
if (!descriptionFile) {
  console.error('usage: npx tsx nginx/lb/render.ts <description.json> [<output.conf>]');
  process.exit(2);
}
try {
  const rendered = renderBalancerConfig(parseBalancerConfig(JSON.parse(readFileSync(descriptionFile, 'utf8'))));
  if (outputFile) writeFileSync(outputFile, rendered, { mode: 0o644 });
  else process.stdout.write(rendered);
} catch (error) {
  console.error(error instanceof BalancerConfigError || error instanceof SyntaxError ? error.message : error);
  process.exit(1);
}
