import { Module } from '@nestjs/common';
import { SiteEventsPublisher } from '../site-events/site-events.publisher';
import { DnsTxtReader, TXT_READER } from './dns-txt.adapter';
import { DomainProofService } from './domain-proof.service';
import { DomainRepository } from './domain.repository';

/** Custom domains' store and proof checks, shared by the API ("Check now") and the workers (periodic checks). */
@Module({
  providers: [DomainRepository, DomainProofService, SiteEventsPublisher, { provide: TXT_READER, useClass: DnsTxtReader }],
  exports: [DomainRepository, DomainProofService, SiteEventsPublisher],
})
export class DomainProofModule {}
