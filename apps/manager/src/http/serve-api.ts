import fastifyCookie from '@fastify/cookie';
import type { DynamicModule, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from '@dais/shared';
import { correlateRequests, lingerOnRefusedBody, sendFrameworkError } from '@dais/shared/fastify';
import type { ManagerConfig } from '../config/manager.config';
import { DaisSocketIoAdapter } from '../infrastructure/realtime/socket-io.adapter';

/** Creates the HTTP application (REST API, docs, Socket.IO) on Fastify and starts listening. */
export async function serveApi(root: DynamicModule, config: ManagerConfig, logging: { nest: LoggerService; log: Logger }): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    root,
    new FastifyAdapter({
      bodyLimit: config.http.bodyLimitBytes,
      frameworkErrors: sendFrameworkError,
      // Behind a load balancer, request.ip is the client only if we trust the balancer's X-Forwarded-For.
      ...(config.http.trustedProxies.length > 0 ? { trustProxy: [...config.http.trustedProxies] } : {}),
    }),
    // rawBody: /shell-server/ checks the shell's signature over the exact bytes it sent.
    { logger: logging.nest, rawBody: true },
  );
  await app.register(fastifyCookie);
  // Each request runs under the correlation id it came with (or a new one), echoed in its answer.
  correlateRequests(app.getHttpAdapter().getInstance(), { log: logging.log });
  // A 413 reaches the client as a 413, not as a connection reset mid-upload.
  lingerOnRefusedBody(app.getHttpAdapter().getInstance());
  app.useWebSocketAdapter(new DaisSocketIoAdapter(app, config.http.allowedOrigins));
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
}
