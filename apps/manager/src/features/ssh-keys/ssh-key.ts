/** A user's SSH public key as services see it. */
export interface SshKeyRecord {
  id: number;
  userId: number;
  name: string;
  type: string;
  bits: number;
  publicKey: string;
  fingerprint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}
