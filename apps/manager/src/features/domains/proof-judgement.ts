import { randomBytes } from 'node:crypto';
import type { DomainCheckProblem } from '@dais/shared';
import type { TxtLookup } from './dns-txt.adapter';

/** The label under a domain where its owner publishes the proof. */
export const CHALLENGE_LABEL = '_dais-challenge';

/** A fresh per-claim token: 128 random bits as 32 hex characters (what the TXT record must hold). */
export function newVerificationToken(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Where the TXT record of a domain lives: `_dais-challenge.<hostname>`, and for a wildcard
 * `*.example.org` at `_dais-challenge.example.org` (control of the zone). Null when that name
 * would be longer than DNS allows (253 characters): such a domain is verified by an admin.
 */
export function challengeRecordName(hostname: string): string | null {
  const base = hostname.startsWith('*.') ? hostname.slice(2) : hostname;
  const name = `${CHALLENGE_LABEL}.${base}`;
  return name.length <= 253 ? name : null;
}

/** What one look at the record proved. `definite` failures are answers (the record is not there), not outages. */
export type ProofOutcome = { proven: true } | { proven: false; problem: DomainCheckProblem; definite: boolean; message: string };

/** The value as people paste it into DNS consoles: spaces and one pair of quotes around it are forgiven. */
function cleaned(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed;
}

/**
 * Judges a lookup of the domain's record against its token. Messages say what was seen and what
 * to do, but never repeat what the DNS answered: its content is the domain owner's (or anyone's,
 * for a hostile zone) and may be huge or contain markup.
 */
export function judgeProof(lookup: TxtLookup, expected: { recordName: string; token: string }): ProofOutcome {
  const { recordName, token } = expected;
  const publish = `publish a TXT record named ${recordName} with the value ${token}`;
  switch (lookup.kind) {
    case 'records': {
      if (lookup.values.some((value) => cleaned(value) === token)) return { proven: true };
      const count = lookup.values.length === 1 ? 'a TXT record' : `${lookup.values.length} TXT records`;
      return {
        proven: false,
        problem: 'wrong-value',
        definite: true,
        message: `${recordName} has ${count}, but none holds this domain's token: ${publish} (other records there may stay).`,
      };
    }
    case 'no-domain':
      return { proven: false, problem: 'no-domain', definite: true, message: `${recordName} does not exist (NXDOMAIN): ${publish}.` };
    case 'no-record':
      return { proven: false, problem: 'no-record', definite: true, message: `${recordName} has no TXT record: ${publish}.` };
    case 'timeout':
      return {
        proven: false,
        problem: 'timeout',
        definite: false,
        message: `The DNS did not answer in time for ${recordName}: check that the domain's nameservers work; it is tried again by itself.`,
      };
    case 'failed':
      return {
        proven: false,
        problem: 'dns-failed',
        definite: false,
        message: `The DNS lookup of ${recordName} failed (${lookup.code}): check that the domain's nameservers work; it is tried again by itself.`,
      };
  }
}
