import { describe, expect, it } from 'vitest';
import { certificateRequestNames } from './acme-client.adapter';

describe('certificate request names', () => {
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.example.org`;

  it('puts every name in the alternative names and the first short enough one as common name', () => {
    expect(certificateRequestNames(['shop.example.org', long])).toEqual({
      commonName: 'shop.example.org',
      altNames: ['shop.example.org', long],
    });
    expect(certificateRequestNames([long, 'shop.example.org'])).toEqual({
      commonName: 'shop.example.org',
      altNames: [long, 'shop.example.org'],
    });
  });

  it('leaves the common name out when every name is longer than X.509 allows (64 characters)', () => {
    expect(certificateRequestNames([long])).toEqual({ altNames: [long] });
  });
});
