import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

// Signed, expiring tokens (API bearer tokens): payload.signature, HMAC-SHA256 with a key derived
// from CAPIG_SECRET_KEY for one purpose, so a token of one kind never verifies as another.
export interface Signer {
  sign(payload: Record<string, unknown>): string;
  /** The payload, or null when the signature is wrong or the token is malformed. */
  verify(token: string): Record<string, unknown> | null;
}

export function createSigner(secret: string, purpose: string): Signer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'capig', `capig/signer/${purpose}`, 32));
  const mac = (data: string) => createHmac('sha256', key).update(data).digest();
  return {
    sign(payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${body}.${mac(body).toString('base64url')}`;
    },
    verify(token) {
      const [body, sig] = token.split('.');
      if (!body || !sig || token.length > 2048) return null;
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      try {
        const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
        return payload && typeof payload === 'object' ? payload : null;
      } catch {
        return null;
      }
    },
  };
}
