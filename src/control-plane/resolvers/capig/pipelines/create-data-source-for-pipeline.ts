import { randomBytes } from 'node:crypto';
import {
  type DataSourceType,
  findSource,
  insertSource,
  sourceIdHolder,
} from '../../../../database/repos/data-sources-repo.js';
import { findPipeline, linkSource } from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, conflict, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { defaultSourceName, newSourceId, SOURCE_ID } from './ids.js';
import { oneOf, optionalName } from './input.js';
import { loadSourceView } from './views.js';

// dataSourceMutations { createDataSourceForPipeline(dataSourceId, name, dataSourceType, pipelineId) }:
// a Signals Gateway source (our tag, a server SDK, file uploads) in a gateway pipeline, with its
// own key for server events. dataSourceId (19 digits) is generated when left out; naming a source
// the account already has adds it to this pipeline too. Meta pixels connect only to Meta CAPI
// pipelines (createConversionApiGatewayPipeline), whose sources are fixed.

const CREATABLE = ['ADVERTISER_HOSTED_PIXEL', 'ADVERTISER_HOSTED_SDK', 'FILE_UPLOAD'] as const;

interface Args {
  dataSourceId?: string | null;
  name: string;
  dataSourceType: DataSourceType;
  pipelineId: string;
}

export async function createDataSourceForPipeline(parent: TenantParent, args: Args, ctx: ControlContext) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  if (args.dataSourceType === 'META_PIXEL') {
    throw badInput(
      'a Meta pixel connects only to a Meta CAPI pipeline: use createConversionApiGatewayPipeline ' +
        '(or setupPixelSignalConfig), which creates the pipeline with the pixel as its source',
    );
  }
  const type = oneOf(args.dataSourceType, CREATABLE, 'dataSourceType');
  const scope = scopeOf(ctx, tenantId);
  const { db, box, log } = ctx.deps;
  const pipeline = await findPipeline(db, scope, args.pipelineId);
  if (!pipeline) throw notFound(`pipeline ${args.pipelineId} not found in account ${tenantId}`);
  if (pipeline.type === 'META_CAPI_PIPELINE') {
    throw badInput(
      `pipeline ${pipeline.id} is a Meta CAPI pipeline: its source (the pixel) and destination are fixed; ` +
        'create a Signals Gateway pipeline (createPipeline) for other sources',
    );
  }

  const requested = args.dataSourceId == null ? null : String(args.dataSourceId).trim();
  if (requested !== null && !SOURCE_ID.test(requested)) {
    throw badInput(
      `dataSourceId must be 19 digits (the first 1 to 9), or left out to get a new one (got "${requested}")`,
    );
  }
  if (requested !== null) {
    const holder = await sourceIdHolder(db, scope, requested);
    if (holder === 'other') throw conflict(`data source ${requested} belongs to another account on this gateway`);
    if (holder === 'this') return addExisting(ctx, tenantId, requested, type, pipeline.id);
  }

  const id = requested ?? newSourceId();
  const name = optionalName(args.name) ?? defaultSourceName(type);
  const accessKeyEnc = box.seal(randomBytes(24).toString('base64url'));
  try {
    await db.transaction(async (tx) => {
      await insertSource(tx, { id, tenantId, name, type, accessKeyEnc });
      await linkSource(tx, pipeline.id, id);
    });
  } catch (err) {
    // The same id created by two requests at once: the second is told, not answered 500.
    if ((err as { code?: string }).code === '23505') throw conflict(`data source ${id} already exists`);
    throw err;
  }
  await changed(ctx, tenantId, { sourceIds: [id] });
  log.info({ tenantId, sourceId: id, type, pipelineId: pipeline.id }, 'data source created');
  return loadSourceView(ctx, tenantId, id);
}

/** A source the account has, named again for another pipeline: linked, not created. */
async function addExisting(
  ctx: ControlContext,
  tenantId: string,
  id: string,
  type: DataSourceType,
  pipelineId: string,
) {
  const source = await findSource(ctx.deps.db, scopeOf(ctx, tenantId), id);
  if (!source) throw conflict(`${id} is a Meta pixel of this account, not a Signals Gateway source`);
  if (source.type !== type) {
    throw badInput(`data source ${id} is a ${source.type} source, not ${type}`);
  }
  await linkSource(ctx.deps.db, pipelineId, id);
  await changed(ctx, tenantId, { sourceIds: [id] });
  ctx.deps.log.info({ tenantId, sourceId: id, pipelineId }, 'data source added to pipeline');
  return loadSourceView(ctx, tenantId, id);
}
