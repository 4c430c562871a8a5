import { SealedSecret, type SecretOpener, type SecretPlace } from '../infrastructure/secrets/sealed-secret';

const PREFIX = 'fake-sealed:';

/** Seals a value the way the fakes store secrets: not kept as given (nor encrypted), and opened only for its place. */
export function fakeSeal(value: string, place: SecretPlace): SealedSecret {
  return new SealedSecret(`${PREFIX}${JSON.stringify(place)}:${Buffer.from(value).toString('base64url')}`, place);
}

/** Opens what `fakeSeal` sealed, refusing a secret moved to another place like the SecretBox does. */
export const fakeSecretOpener: SecretOpener = {
  open(secret: SealedSecret): string {
    const expected = `${PREFIX}${JSON.stringify(secret.place)}:`;
    if (!secret.stored.startsWith(expected)) throw new Error('this secret was not sealed for its place');
    return Buffer.from(secret.stored.slice(expected.length), 'base64url').toString();
  },
};
