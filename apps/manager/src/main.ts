import 'reflect-metadata';
import { type LogLevel } from '@nestjs/common';
import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@dais/shared';
import { sendFrameworkError } from '@dais/shared/fastify';
import { AppModule } from './app.module';
import { loadManagerConfig, type ManagerConfig } from './config/manager.config';
import { DaisSocketIoAdapter } from './events/socket-io.adapter';

const LOG_LEVELS: Record<ManagerConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

async function bootstrap(): Promise<void> {
  const config = loadManagerConfig();
  const logger = LOG_LEVELS[config.logLevel];
  if (config.role === 'worker') {
    const worker = await NestFactory.createApplicationContext(AppModule.forRole(config), { logger });
    worker.enableShutdownHooks();
    return;
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRole(config),
    new FastifyAdapter({
      bodyLimit: config.http.bodyLimitBytes,
      frameworkErrors: sendFrameworkError,
      // Behind a load balancer, request.ip is the client only if we trust the balancer's X-Forwarded-For.
      ...(config.http.trustedProxies.length > 0 ? { trustProxy: [...config.http.trustedProxies] } : {}),
    }),
    // rawBody: /shell-server/ checks the shell's signature over the exact bytes it sent.
    { logger, rawBody: true },
  );
  await app.register(fastifyCookie);
  app.useWebSocketAdapter(new DaisSocketIoAdapter(app, config.http.allowedOrigins));
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
}

bootstrap().catch((error: unknown) => {
  console.error(`manager could not start: ${error instanceof ConfigError ? error.message : ''}`);
  if (!(error instanceof ConfigError)) console.error(error);
  process.exit(1);
});
