import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, createLogger } from '@dais/shared';
import { AppModule } from './app.module';
import { loadManagerConfig } from './config/manager.config';
import { NestLogger } from './infrastructure/logging/nest-logger';
import { SecretBox } from './infrastructure/secrets/secret-box';
import { SecretsKeyError } from './infrastructure/secrets/secrets-keyring';
import { MigrationError } from './startup/apply-migrations';
import { prepareDatabase } from './startup/prepare-database';

async function bootstrap(): Promise<void> {
  const config = loadManagerConfig();
  const log = createLogger({ component: 'manager', level: config.logLevel });
  const logger = new NestLogger(log);
  const secrets = SecretBox.load(config.secrets.keyFile, (message) => log.warn(message));
  await prepareDatabase(config, (text) => console.log(text));
  const root = await AppModule.forRole(config, secrets);
  if (config.role === 'worker') {
    const worker = await NestFactory.createApplicationContext(root, { logger });
    worker.enableShutdownHooks();
    return;
  }
  // Loaded only here: a worker process never needs the HTTP server (see AppModule.forRole).
  const { serveApi } = await import('./http/serve-api.js');
  await serveApi(root, config, { nest: logger, log });
}

bootstrap().catch((error: unknown) => {
  // What an admin must fix is said in the message itself; anything else also gets its stack.
  const known = error instanceof ConfigError || error instanceof SecretsKeyError || error instanceof MigrationError;
  console.error(`manager could not start: ${known ? error.message : ''}`);
  if (!known) console.error(error);
  process.exit(1);
});
