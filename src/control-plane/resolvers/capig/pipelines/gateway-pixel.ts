import { ADVANCED_MATCHING_KEYS } from '../../../../domain/customer-information.js';
import { findSource, setPixelConfig } from '../../../../database/repos/data-sources-repo.js';
import { createIngressDomainsRepo } from '../../../../database/repos/ingress-domains-repo.js';
import { gatewayPixelHeaderCode } from '../../../../ingest/pixel-sdk.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { gatewayPixelConfigView, type StoredPixelConfig } from './gateway-pixel-config-view.js';

// dataSourceMutations { createGatewayPixelHeaderCode(dataSourceId) } → the <head> snippet of a
// Signals Gateway pixel, and { updateGatewayPixelConfig(pixelId, config) } → its settings (Meta's
// GatewayPixelConfig, `plugins` derived from the switches).

const SCRIPT_MAX = 64 * 1024;

async function gatewayPixel(ctx: ControlContext, tenantId: string, id: string) {
  const source = await findSource(ctx.deps.db, scopeOf(ctx, tenantId), String(id));
  if (!source) throw notFound(`data source ${id} not found in account ${tenantId}`);
  if (source.type !== 'ADVERTISER_HOSTED_PIXEL') {
    throw badInput(
      `data source ${id} is a ${source.type} source, not a Signals Gateway pixel (ADVERTISER_HOSTED_PIXEL)`,
    );
  }
  return source;
}

/**
 * Reads only, so the view level is enough. The tag is served from the account's first-party
 * domain when one is set (data routing), else from the gateway's public address.
 */
export async function createGatewayPixelHeaderCode(
  parent: TenantParent,
  args: { dataSourceId: string },
  ctx: ControlContext,
): Promise<string> {
  const { tenantId } = parent;
  const source = await gatewayPixel(ctx, tenantId, args.dataSourceId);
  const ingress = await createIngressDomainsRepo(ctx.deps.db).get(ctx.access.visibleTenantIds, tenantId);
  const endpoint = ingress?.ingress ? `https://${ingress.ingress}` : ctx.publicUrl;
  return gatewayPixelHeaderCode({ sourceId: source.id, endpoint });
}

interface GatewayPixelConfigurationInput {
  enabledStatus?: boolean | null;
  enableAam?: boolean | null;
  enableFirstPartyCookie?: boolean | null;
  aamFields?: string[] | null;
  enableAutomaticForkMetaPixelEvent?: boolean | null;
  enableContactDataHash?: boolean | null;
  customIntegrityScript?: string | null;
}

/** Fields left out keep their value; customIntegrityScript "" removes the script. */
export async function updateGatewayPixelConfig(
  parent: TenantParent,
  args: { pixelId: string; config?: GatewayPixelConfigurationInput | null },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const source = await gatewayPixel(ctx, tenantId, args.pixelId);
  const input = args.config ?? {};
  const next: StoredPixelConfig = { ...(source.pixelConfig as StoredPixelConfig) };
  for (const key of [
    'enabledStatus',
    'enableAam',
    'enableFirstPartyCookie',
    'enableAutomaticForkMetaPixelEvent',
    'enableContactDataHash',
  ] as const) {
    const v = input[key];
    if (v !== null && v !== undefined) next[key] = v;
  }
  if (input.aamFields != null) {
    const unknown = input.aamFields.filter((f) => !ADVANCED_MATCHING_KEYS.has(f));
    if (unknown.length > 0) {
      throw badInput(`aamFields: ${unknown.join(', ')} not known; use any of ${[...ADVANCED_MATCHING_KEYS].join(' ')}`);
    }
    next.aamFields = [...new Set(input.aamFields)];
  }
  if (input.customIntegrityScript != null) {
    if (input.customIntegrityScript.length > SCRIPT_MAX) {
      throw badInput(`customIntegrityScript is longer than ${SCRIPT_MAX} characters`);
    }
    next.customIntegrityScript = input.customIntegrityScript === '' ? null : input.customIntegrityScript;
  }
  await setPixelConfig(ctx.deps.db, scopeOf(ctx, tenantId), source.id, next as Record<string, unknown>);
  await changed(ctx, tenantId, { sourceIds: [source.id] });
  ctx.deps.log.info({ tenantId, sourceId: source.id }, 'gateway pixel settings updated');
  return gatewayPixelConfigView({ ...source, pixelConfig: next as Record<string, unknown> });
}
