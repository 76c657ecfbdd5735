import {
  type DataDestinationType,
  findDestination,
  updateDestination,
} from '../../../../database/repos/data-destinations-repo.js';
import { pipelineIdsOfDestination } from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { newName, oneOf } from './input.js';
import { loadDestinationView } from './views.js';

// dataDestinationMutations { updateDataDestination(input: {id, name, destinationType, active}) }:
// fields left out keep their value. A pixel connection's destination takes only a new name (its
// publishing switch is the pixel's: updateSignalConfigCapiPublish).

const SETTABLE = ['META_CONVERSIONS_API', 'CUSTOM_HTTP_API'] as const;

interface DataDestinationInput {
  id: string;
  name?: string | null;
  destinationType?: DataDestinationType | null;
  active?: boolean | null;
}

export async function updateDataDestination(
  parent: TenantParent,
  args: { input: DataDestinationInput },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const id = String(args.input.id);
  const name = newName(args.input.name);
  const active = args.input.active ?? null;
  const scope = scopeOf(ctx, tenantId);
  const { db, log } = ctx.deps;
  const destination = await findDestination(db, scope, id);
  if (!destination) throw notFound(`data destination ${id} not found in account ${tenantId}`);

  let type: DataDestinationType | null = null;
  const requestedType = args.input.destinationType ?? null;
  if (destination.pixelId !== null) {
    if (requestedType !== null && requestedType !== destination.type) {
      throw badInput(`data destination ${id} is pixel ${destination.pixelId}'s Conversions API: its type is fixed`);
    }
    if (active !== null) {
      throw badInput(
        `data destination ${id} is pixel ${destination.pixelId}'s Conversions API: switch publishing with ` +
          'signalMutations.updateSignalConfigCapiPublish',
      );
    }
  } else if (requestedType !== null) {
    type = oneOf(requestedType, SETTABLE, 'destinationType');
  }

  await updateDestination(db, scope, id, { name, type, active });
  await changed(ctx, tenantId, { pipelineIds: await pipelineIdsOfDestination(db, scope, id) });
  log.info({ tenantId, destinationId: id, type, active }, 'data destination updated');
  return loadDestinationView(ctx, tenantId, id);
}
