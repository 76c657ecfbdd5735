import type { ApiAccountsRepo } from '../../database/repos/api-accounts-repo.js';
import type { Signer } from '../../platform/signer.js';
import type { Principal } from '../access.js';

// Bearer tokens for API accounts: signed, 10 hours (Meta's lifetime), no refresh; ask again.
export const API_TOKEN_TTL_SEC = 36_000;
const CACHE_MS = 5_000;

export function createApiTokens(deps: { signer: Signer; apiAccounts: ApiAccountsRepo; now?: () => number }) {
  const now = deps.now ?? Date.now;
  // A deleted API account must stop working at once on this instance, within seconds elsewhere.
  const alive = new Map<string, { at: number; name: string | null }>();
  return {
    issue(apiAccountId: string): { token: string; expiresIn: number } {
      const exp = Math.floor(now() / 1000) + API_TOKEN_TTL_SEC;
      return { token: `capig_${deps.signer.sign({ a: apiAccountId, exp })}`, expiresIn: API_TOKEN_TTL_SEC };
    },

    async principal(token: string): Promise<Principal | null> {
      if (!token.startsWith('capig_')) return null;
      const payload = deps.signer.verify(token.slice(6));
      if (!payload || typeof payload.a !== 'string' || typeof payload.exp !== 'number') return null;
      if (payload.exp * 1000 <= now()) return null;
      let hit = alive.get(payload.a);
      if (!hit || now() - hit.at > CACHE_MS) {
        const account = await deps.apiAccounts.get(payload.a);
        hit = { at: now(), name: account?.name ?? null };
        alive.set(payload.a, hit);
      }
      return hit.name === null ? null : { kind: 'api', apiAccountId: payload.a, name: hit.name };
    },

    forget(apiAccountId: string) {
      alive.delete(apiAccountId);
    },
  };
}

export type ApiTokens = ReturnType<typeof createApiTokens>;
