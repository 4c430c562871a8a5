import type { FastifyInstance } from 'fastify';
import { certificateListSchema, type CertificateList } from '@dais/shared';
import type { CertificateService } from '../certificates/certificate.service';

/** `GET /v1/certificates`: every hostname's certificate state, for the manager to show owners. */
export function registerCertificateRoutes(app: FastifyInstance, certificates: CertificateService): void {
  app.get('/v1/certificates', (): CertificateList => certificateListSchema.parse({ certificates: certificates.list() }));
}
