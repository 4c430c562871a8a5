import type { ManagerConfig } from '../config/manager.config';
import type { PrismaService } from '../infrastructure/prisma/prisma.service';
import { rotateSecretsKey } from '../infrastructure/secrets/key-rotation';
import { describePlace, remedyFor } from '../infrastructure/secrets/sealed-secret';
import { SecretRepository } from '../infrastructure/secrets/secret.repository';
import type { CliOptions } from './cli-options';

const BAR_WIDTH = 30;

/** A progress bar on a terminal, a line per step otherwise (logs, CI). */
function progressBar(): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    const share = total === 0 ? 1 : done / total;
    const text = `  [${'#'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] ${done}/${total} secrets sealed again`;
    if (process.stdout.isTTY) process.stdout.write(`\r${text}`);
    else if (done !== last) console.log(text);
    last = done;
  };
}

/** `rotate-secrets-key`: a new key for every secret kept in PostgreSQL, the old one retired. */
export async function rotateSecretsKeyCommand(prisma: PrismaService, _options: CliOptions, config: ManagerConfig): Promise<void> {
  const report = await rotateSecretsKey(config.secrets.keyFile, new SecretRepository(prisma), {
    progress: progressBar(),
    say: (line) => console.log(line),
  });
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(`every secret is sealed with key ${report.keyId} (${report.resealed} sealed again)`);
  if (report.retired.length > 0) console.log(`took key ${report.retired.join(', ')} out of ${config.secrets.keyFile}`);
  for (const secret of report.unreadable) {
    console.log(`could not open ${describePlace(secret.place)}: ${remedyFor(secret.place)}, then run this again`);
  }
  if (report.unreadable.length > 0) process.exitCode = 1;
}
