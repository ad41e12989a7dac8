import { generateKeyPairSync, createHash } from 'node:crypto';

/**
 * n fresh private RS256 JWKs ({keys:[...]}) with kid derived from the modulus.
 * The IdP signs with the first key and publishes the public part of all of them,
 * so [new, old] models a rotation in progress and [new] a finished one.
 */
export function generateJwks(n = 1) {
  return {
    keys: Array.from({ length: n }, () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = privateKey.export({ format: 'jwk' });
      const kid = createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
      return { ...jwk, kid, alg: 'RS256', use: 'sig' };
    }),
  };
}
