import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaisError } from '@dais/shared';
import type { ChallengeStore } from './certificate-ports';

/** RFC 8555 tokens are base64url; Let's Encrypt's are 43 characters. Anything else never reaches a path. */
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
/** A key authorization is `<token>.<base64url thumbprint>`; probes publish similar plain words. */
const CONTENT = /^[A-Za-z0-9_.-]{1,512}$/;

/**
 * HTTP-01 answers as files the edge nginx serves at `/.well-known/acme-challenge/<token>`. Files
 * are written in a staging folder beside the served one and renamed in, so nginx never serves a
 * half-written answer, and a staging file is never reachable by URL.
 */
export class FileChallengeStore implements ChallengeStore {
  private readonly staging: string;

  /** `servedDir` is the folder nginx aliases; it must be readable by nginx's workers. */
  constructor(readonly servedDir: string) {
    this.staging = `${servedDir}.staging`;
  }

  /** Creates both folders (0755: nginx workers may run as another user). */
  async init(): Promise<void> {
    for (const dir of [this.servedDir, this.staging]) {
      await mkdir(dir, { recursive: true, mode: 0o755 });
      await chmod(dir, 0o755);
    }
  }

  async put(token: string, content: string): Promise<void> {
    const name = checkedToken(token);
    if (!CONTENT.test(content)) throw new DaisError('VALIDATION_FAILED', 'A challenge answer must be 1-512 base64url characters and dots.');
    const temp = join(this.staging, `${name}.${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, content, { mode: 0o644 });
      await chmod(temp, 0o644);
      await rename(temp, join(this.servedDir, name));
    } catch (error) {
      await rm(temp, { force: true });
      throw new DaisError('FILESYSTEM_ERROR', `Could not publish challenge answer ${name}.`, undefined, { cause: error });
    }
  }

  async remove(token: string): Promise<void> {
    await rm(join(this.servedDir, checkedToken(token)), { force: true });
  }
}

function checkedToken(token: string): string {
  if (!TOKEN.test(token)) throw new DaisError('VALIDATION_FAILED', 'A challenge token must be 1-128 base64url characters.');
  return token;
}
