import { type FilterKind, filterRows } from '../../../database/repos/filters-repo.js';
import { listPixels } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { pixelIdList, pixelNotFound, scopeOf, type TenantParent } from './common.js';
import { accountView, pixelView, type ViewState } from './filter-view.js';

// Extensions: tenantQueries(tenantId) { eventFilters(pixelIds) } and { domainFilters(pixelIds) }
// read the current filters back (Meta documents only the updates). Without pixelIds: one entry per
// filtered name for the whole account, MIXED when its pixels disagree. With pixelIds: one entry per
// pixel and name, the state that pixel applies.

export interface FilterView {
  id: string;
  name: string;
  pixelId: string | null;
  filterState: ViewState;
}

export const filterId = (kind: FilterKind, name: string, pixelId: string | null) =>
  `${kind === 'event' ? 'EventFilter' : 'DomainFilter'}:${name}:${pixelId ?? 'global'}`;

export async function readFilters(
  ctx: ControlContext,
  tenantId: string,
  kind: FilterKind,
  pixelIds: string[] | null,
  name: string | null = null,
): Promise<FilterView[]> {
  const scope = scopeOf(ctx, tenantId);
  const [rows, pixels] = await Promise.all([
    filterRows(ctx.deps.db, scope, kind, name),
    listPixels(ctx.deps.db, scope, pixelIds ?? undefined),
  ]);
  if (pixelIds === null) {
    const view = accountView(
      rows,
      pixels.map((p) => p.pixelId),
    );
    return [...view].map(([n, state]) => ({ id: filterId(kind, n, null), name: n, pixelId: null, filterState: state }));
  }
  const foreign = pixelIds.filter((id) => !pixels.some((p) => p.pixelId === id));
  if (foreign.length > 0) throw pixelNotFound(tenantId, foreign);
  return pixelIds.flatMap((pixelId) =>
    [...pixelView(rows, pixelId)].map(([n, state]) => ({
      id: filterId(kind, n, pixelId),
      name: n,
      pixelId,
      filterState: state,
    })),
  );
}

export async function eventFilters(parent: TenantParent, args: { pixelIds?: string[] | null }, ctx: ControlContext) {
  const views = await readFilters(ctx, parent.tenantId, 'event', pixelIdList(args.pixelIds, 'eventFilters'));
  return views.map(({ name, ...v }) => ({ ...v, eventName: name }));
}

export async function domainFilters(parent: TenantParent, args: { pixelIds?: string[] | null }, ctx: ControlContext) {
  const views = await readFilters(ctx, parent.tenantId, 'domain', pixelIdList(args.pixelIds, 'domainFilters'));
  return views.map(({ name, ...v }) => ({ ...v, domain: name }));
}
