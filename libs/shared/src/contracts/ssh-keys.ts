import { z } from 'zod';
import { sshKeyViewSchema } from './accounts';

/** `GET /api/ssh-keys`: the caller's SSH public keys, oldest first. */
export const sshKeyListViewSchema = z.object({ keys: z.array(sshKeyViewSchema) });
