import { type DataSourceType, findSource, updateSource } from '../../../../database/repos/data-sources-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { newName, oneOf } from './input.js';
import { loadSourceView } from './views.js';

// dataSourceMutations { updateDataSource(input: {id, name, dataSourceType, active}) }: fields left
// out keep their value. Meta's schema says dataSourceType, its sample variables say type: either
// is accepted. A Meta pixel's source takes only a new name (its switches are the pixel's own:
// updateSignalConfigEventsStatus).

const SETTABLE = ['ADVERTISER_HOSTED_PIXEL', 'ADVERTISER_HOSTED_SDK', 'FILE_UPLOAD'] as const;

interface DataSourceInput {
  id: string;
  name?: string | null;
  dataSourceType?: DataSourceType | null;
  type?: DataSourceType | null;
  active?: boolean | null;
}

export async function updateDataSource(parent: TenantParent, args: { input: DataSourceInput }, ctx: ControlContext) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const input = args.input;
  const id = String(input.id);
  if (input.dataSourceType != null && input.type != null && input.dataSourceType !== input.type) {
    throw badInput('dataSourceType and type disagree: send one of them (they are the same field)');
  }
  const requestedType = input.dataSourceType ?? input.type ?? null;
  const name = newName(input.name);
  const active = input.active ?? null;
  const scope = scopeOf(ctx, tenantId);
  const source = await findSource(ctx.deps.db, scope, id);
  if (!source) throw notFound(`data source ${id} not found in account ${tenantId}`);

  let type: DataSourceType | null = null;
  if (source.type === 'META_PIXEL') {
    if (requestedType !== null && requestedType !== 'META_PIXEL') {
      throw badInput(`data source ${id} is a Meta pixel: its type cannot change`);
    }
    if (active !== null) {
      throw badInput(
        `data source ${id} is a Meta pixel: switch it with signalMutations.updateSignalConfigEventsStatus`,
      );
    }
  } else if (requestedType !== null) {
    type = oneOf(requestedType, SETTABLE, 'dataSourceType');
  }

  await updateSource(ctx.deps.db, scope, id, { name, type, active });
  await changed(ctx, tenantId, { sourceIds: [id] });
  ctx.deps.log.info({ tenantId, sourceId: id, type, active }, 'data source updated');
  return loadSourceView(ctx, tenantId, id);
}
