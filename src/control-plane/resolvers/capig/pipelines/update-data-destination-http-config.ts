import { findDestination, httpSecretsEnc, setHttpConfig } from '../../../../database/repos/data-destinations-repo.js';
import { pipelineIdsOfDestination } from '../../../../database/repos/pipelines-repo.js';
import type {
  HttpDestinationConfig,
  HttpDestinationSecrets,
} from '../../../../publish/http-destination/http-destination-config.js';
import { validateHttpConfig } from '../../../../publish/http-destination/http-destination-config.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { type HttpConfigInput, mergeHttpSettings } from './http-settings.js';

// dataDestinationMutations { updateDataDestinationHttpConfig(input) } → true: a custom HTTP
// destination's endpoint, method, auth and payload template. Every problem is listed in one 400
// (the template is parsed, not run); the auth secrets are stored sealed and never returned, and
// those left out keep their stored value. Held events are tried again with the new settings.
export async function updateDataDestinationHttpConfig(
  parent: TenantParent,
  args: { input: HttpConfigInput },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const id = String(args.input.id);
  const scope = scopeOf(ctx, tenantId);
  const { db, box, log } = ctx.deps;
  const destination = await findDestination(db, scope, id);
  if (!destination) throw notFound(`data destination ${id} not found in account ${tenantId}`);
  if (destination.type !== 'CUSTOM_HTTP_API') {
    throw badInput(`data destination ${id} is a ${destination.type} destination, not CUSTOM_HTTP_API`);
  }
  const sealed = await httpSecretsEnc(db, scope, id);
  const { config, secrets } = mergeHttpSettings(args.input, {
    config: destination.httpConfig as Partial<HttpDestinationConfig> | null,
    secrets: sealed ? (JSON.parse(box.open(sealed)) as HttpDestinationSecrets) : null,
  });
  const problems = validateHttpConfig(config, secrets);
  if (problems.length > 0) throw badInput(`the destination's settings cannot be used: ${problems.join('; ')}`);

  const secretsEnc = Object.keys(secrets).length > 0 ? box.seal(JSON.stringify(secrets)) : null;
  await setHttpConfig(db, scope, id, config as unknown as Record<string, unknown>, secretsEnc);
  await changed(ctx, tenantId, { pipelineIds: await pipelineIdsOfDestination(db, scope, id) });
  log.info({ tenantId, destinationId: id, authType: config.authType }, 'custom HTTP destination configured');
  return true;
}
