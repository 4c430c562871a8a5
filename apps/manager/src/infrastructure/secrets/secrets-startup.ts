import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SEALED, SecretBox } from './secret-box';
import { SecretRepository } from './secret.repository';
import { assertKeysOpenSecrets, reseal } from './secrets-upkeep';

/**
 * Before a manager process serves or works: refuses to start (one line naming the key file) when the
 * key file cannot open the secrets in PostgreSQL, and seals the secrets still kept in plain text
 * (written before secrets were sealed; the migration cannot, it has no key). Several managers
 * starting at once do the same work safely: each write is conditional on the value read.
 */
@Injectable()
export class SecretsStartup implements OnModuleInit {
  private readonly logger = new Logger(SecretsStartup.name);

  constructor(
    private readonly box: SecretBox,
    private readonly store: SecretRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await assertKeysOpenSecrets(this.box, this.store);
    const { resealed } = await reseal(this.box, this.store, SEALED);
    if (resealed > 0) this.logger.log(`sealed ${resealed} secret(s) that were kept in plain text, with key ${this.box.sealingKeyId}`);
  }
}
