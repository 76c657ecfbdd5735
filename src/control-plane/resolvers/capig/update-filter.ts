import { createAccountsRepo } from '../../../database/repos/accounts-repo.js';
import { clearPixelRows, type FilterKind } from '../../../database/repos/filters-repo.js';
import { foreignPixelIds } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { pixelIdList, pixelNotFound, scopeOf, type TenantParent } from './common.js';
import { type FilterView, filterId, readFilters } from './filters.js';
import * as valid from './validate.js';

// tenantMutations(tenantId) { updateEventFilter(input) } (Meta's EventFilterStatusMutation:
// publishing by event name) and { updateDomainFilter(input) } (Meta's
// useComitDomainFilterChangeMutation: DROP blocks a website and its subdomains, PUBLISH unblocks).
//
// pixelIds null: every pixel of the account (the pixels' own rows for that name are removed and
// the account-wide row set, so all pixels follow). pixelIds given: those pixels' own rows; each
// must belong to the account (404). The answer is the filter as it now reads: for one pixel, that
// pixel's state; otherwise the account-wide state, MIXED if other pixels still differ.

interface FilterInput {
  pixelIds?: string[] | null;
  filterState: string;
}

export async function updateEventFilter(
  parent: TenantParent,
  args: { input: FilterInput & { eventName: string } },
  ctx: ControlContext,
) {
  const name = valid.eventName(args.input.eventName);
  const view = await updateFilter(ctx, parent.tenantId, 'event', name, args.input);
  return { updatedFilter: { id: view.id, eventName: view.name, pixelId: view.pixelId, filterState: view.filterState } };
}

export async function updateDomainFilter(
  parent: TenantParent,
  args: { input: FilterInput & { domain: string } },
  ctx: ControlContext,
) {
  const domain = valid.domain(args.input.domain);
  const view = await updateFilter(ctx, parent.tenantId, 'domain', domain, args.input);
  return { updatedFilter: { id: view.id, domain: view.name, pixelId: view.pixelId, filterState: view.filterState } };
}

async function updateFilter(
  ctx: ControlContext,
  tenantId: string,
  kind: FilterKind,
  name: string,
  input: FilterInput,
): Promise<FilterView> {
  ctx.access.require(tenantId, 'manage');
  const state = valid.filterState(input.filterState);
  const pixelIds = pixelIdList(input.pixelIds, kind === 'event' ? 'updateEventFilter' : 'updateDomainFilter');
  const scope = scopeOf(ctx, tenantId);
  const { db, box, directory, log } = ctx.deps;
  if (pixelIds) {
    const foreign = await foreignPixelIds(db, scope, pixelIds);
    if (foreign.length > 0) throw pixelNotFound(tenantId, foreign);
  }
  await db.transaction(async (tx) => {
    const accounts = createAccountsRepo(tx, box);
    const set = kind === 'event' ? accounts.setEventFilter : accounts.setDomainFilter;
    if (pixelIds === null) {
      await clearPixelRows(tx, scope, kind, name);
      await set(tenantId, null, name, state);
    } else {
      for (const pixelId of pixelIds) await set(tenantId, pixelId, name, state);
    }
  });
  // Account-wide rules touch every pixel of the account: drop the whole cache, it refills itself.
  if (pixelIds === null) directory.invalidate();
  else for (const pixelId of pixelIds) directory.invalidate(pixelId);
  log.info({ tenantId, kind, name, pixelIds, state }, 'filter updated');

  const single = pixelIds?.length === 1 ? pixelIds : null;
  const [view] = await readFilters(ctx, tenantId, kind, single, name);
  return (
    view ?? { id: filterId(kind, name, single?.[0] ?? null), name, pixelId: single?.[0] ?? null, filterState: state }
  );
}
