import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaisError } from '@dais/shared';
import type { ChallengeStore } from '../../apps/router/src/certificates/certificate-ports';

/**
 * A ChallengeStore that is a folder nginx serves at `/.well-known/acme-challenge/` (the real one
 * is the issuer's; this one lets the pre-flight be tested on its own). Remembers every token it
 * was asked to publish, so a test can prove nothing was.
 */
export class FolderChallengeStore implements ChallengeStore {
  readonly published: string[] = [];

  constructor(readonly dir: string) {}

  async put(token: string, content: string): Promise<void> {
    assertToken(token);
    this.published.push(token);
    // nginx workers run as another user: the answer must be world-readable (it is public anyway).
    await writeFile(join(this.dir, token), content, { mode: 0o644 });
  }

  async remove(token: string): Promise<void> {
    assertToken(token);
    await rm(join(this.dir, token), { force: true });
  }

  /** Tokens currently published. */
  async current(): Promise<string[]> {
    return readdir(this.dir);
  }
}

function assertToken(token: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(token)) throw new DaisError('VALIDATION_FAILED', 'A challenge token is base64url characters only.');
}
