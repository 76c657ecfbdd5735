import { createDeadLettersRepo } from '../../../database/repos/dead-letters-repo.js';
import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';
import { pixelIdList, scopeOf, type TenantParent } from './common.js';

// tenantQueries { deadLetters(pixelIds, limit, before) } (extension): events Meta rejected or that
// expired before delivery, newest first, a page at a time.

const MAX_LIMIT = 200;

export async function deadLetters(
  parent: TenantParent,
  args: { pixelIds?: string[] | null; limit?: number | null; before?: string | null },
  ctx: ControlContext,
) {
  const limit = args.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw badInput(`limit must be a whole number from 1 to ${MAX_LIMIT} (got ${limit})`);
  }
  const before = args.before ?? null;
  if (before !== null && !/^\d{1,18}$/.test(before))
    throw badInput(`before must be an id from deadLetters (got "${before}")`);
  // One more than asked tells whether another page follows.
  const rows = await createDeadLettersRepo(ctx.deps.db).page(
    scopeOf(ctx, parent.tenantId),
    pixelIdList(args.pixelIds, 'deadLetters'),
    limit + 1,
    before,
  );
  const items = rows.slice(0, limit).map((r) => ({ ...r, payload: JSON.stringify(r.payload) }));
  return { items, nextBefore: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
