import { createHash, randomUUID } from 'node:crypto';
import { findDestination, httpSecretsEnc } from '../../../../database/repos/data-destinations-repo.js';
import type {
  HttpDestinationConfig,
  HttpDestinationSecrets,
} from '../../../../publish/http-destination/http-destination-config.js';
import { parseBoundedJson } from '../../../../platform/bounded-json.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';

// dataDestinationMutations { sendTestEvent(input: {id, event}) } (extension): renders one event with
// a custom HTTP destination's saved settings and sends it, answering what was sent (secrets masked
// by the client) and what the destination answered. `event` is JSON of one Conversions API event;
// left out, a sample Purchase. Nothing is queued or counted.

const EVENT_MAX_CHARS = 64 * 1024;

export async function sendTestEvent(
  parent: TenantParent,
  args: { input: { id: string; event?: string | null } },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const id = String(args.input.id);
  const eventJson = testEvent(args.input.event);
  const scope = scopeOf(ctx, tenantId);
  const { db, box, httpDestinations, log } = ctx.deps;
  const destination = await findDestination(db, scope, id);
  if (!destination) throw notFound(`data destination ${id} not found in account ${tenantId}`);
  if (destination.type !== 'CUSTOM_HTTP_API') {
    throw badInput(`data destination ${id} is a ${destination.type} destination: test events go to custom HTTP ones`);
  }
  if (!destination.httpConfig) {
    throw badInput(`data destination ${id} has no settings yet: save them with updateDataDestinationHttpConfig`);
  }
  const sealed = await httpSecretsEnc(db, scope, id);
  const result = await httpDestinations.test(
    {
      kind: 'http',
      destinationId: id,
      config: destination.httpConfig as unknown as HttpDestinationConfig,
      secrets: sealed ? (JSON.parse(box.open(sealed)) as HttpDestinationSecrets) : {},
    },
    [eventJson],
  );
  log.info({ tenantId, destinationId: id, status: result.response?.status ?? null }, 'test event sent');
  return {
    request: result.request && { ...result.request, headers: JSON.stringify(result.request.headers) },
    response: result.response && { ...result.response, headers: JSON.stringify(result.response.headers) },
    error: result.error,
  };
}

/** The event as JSON text: the one given (an object), or a sample Purchase. */
function testEvent(text: string | null | undefined): string {
  if (text === null || text === undefined || text.trim() === '') return JSON.stringify(samplePurchase());
  if (text.length > EVENT_MAX_CHARS) throw badInput(`event is longer than ${EVENT_MAX_CHARS} characters`);
  const result = parseBoundedJson(text);
  if (!result.ok) throw badInput(`event is not JSON: ${result.message}`);
  const parsed = result.value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badInput('event must be one Conversions API event, a JSON object such as {"event_name":"Purchase",...}');
  }
  return JSON.stringify(parsed);
}

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

function samplePurchase() {
  return {
    event_name: 'Purchase',
    event_time: Math.floor(Date.now() / 1000),
    event_id: `test-${randomUUID()}`,
    action_source: 'website',
    event_source_url: 'https://shop.example/checkout',
    user_data: {
      em: [sha256('test@example.com')],
      client_ip_address: '203.0.113.7',
      client_user_agent: 'Mozilla/5.0 (capig test event)',
    },
    custom_data: { currency: 'USD', value: 42.5, num_items: 1, content_ids: ['SKU-1'] },
  };
}
