import fastifyCookie from '@fastify/cookie';
import type { DynamicModule, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { lingerOnRefusedBody, sendFrameworkError } from '@dais/shared/fastify';
import type { ManagerConfig } from '../config/manager.config';
import { DaisSocketIoAdapter } from '../infrastructure/realtime/socket-io.adapter';

/** Creates the HTTP application (REST API, docs, Socket.IO) on Fastify and starts listening. */
export async function serveApi(root: DynamicModule, config: ManagerConfig, logger: LogLevel[]): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    root,
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
  // A 413 reaches the client as a 413, not as a connection reset mid-upload.
  lingerOnRefusedBody(app.getHttpAdapter().getInstance());
  app.useWebSocketAdapter(new DaisSocketIoAdapter(app, config.http.allowedOrigins));
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
}
