import { type ActivityRow, activityInWindow } from '../../../database/repos/tenant-metrics-repo.js';
import type { ControlContext } from '../../context.js';
import { pixelIdList, scopeOf, type TenantParent, windowMinutes } from './common.js';

// tenantQueries(tenantId) { eventMetrics(pixelIds, timeWindowMin) } (Meta's HomeViewQuery): the
// account's traffic over the last timeWindowMin minutes (default 60), for all its pixels or those
// of pixelIds. Ids of other accounts' pixels match nothing: counts are read per account in SQL.

/**
 * Outcomes of received events the gateway was told not to publish: the publishing switch, filters
 * and duplicates. They leave the success rate's denominator. (Events of a deactivated pixel or
 * account were never received: they are not in it to begin with.) What stays in it and is not published is a failure or not
 * yet decided: invalid events, dead letters, events still queued.
 */
const NOT_MEANT_TO_PUBLISH = new Set([
  'deduplicated',
  'dropped.duplicate',
  'dropped.domain_blocked',
  'dropped.event_blocked',
  'dropped.publishing_disabled',
]);

interface Tally {
  received: number;
  published: number;
  lastMinute: number;
}

export async function eventMetrics(
  parent: TenantParent,
  args: { pixelIds?: string[] | null; timeWindowMin?: number | null },
  ctx: ControlContext,
) {
  const minutes = windowMinutes(args.timeWindowMin);
  const pixelIds = pixelIdList(args.pixelIds, 'eventMetrics');
  const rows = await activityInWindow(ctx.deps.db, scopeOf(ctx, parent.tenantId), minutes, pixelIds);
  const byName = tally(rows, (r) => r.eventName);
  const byDomain = tally(rows, (r) => r.domain);
  let received = 0;
  let published = 0;
  let notMeant = 0;
  for (const r of rows) {
    if (r.outcome === 'received') received += r.count;
    else if (r.outcome === 'published') published += r.count;
    else if (NOT_MEANT_TO_PUBLISH.has(r.outcome)) notMeant += r.count;
  }
  const names = [...byName.entries()].filter(([name]) => name !== '');
  return {
    id: `EventMetricsSnapshot:${parent.tenantId}`,
    incoming: {
      id: 'EventTrafficSummary:incoming',
      eventNamesCount: names.filter(([, t]) => t.received > 0).length,
      eventsCount: received,
    },
    outgoing: {
      id: 'ConversionsApiPublishSummary:global',
      eventNamesCount: names.filter(([, t]) => t.published > 0).length,
      eventsCount: published,
      publishSuccessRate: successRate(published, received - notMeant),
    },
    activity: names
      .filter(([, t]) => t.received > 0 || t.published > 0)
      .sort(([a, x], [b, y]) => y.received - x.received || (a < b ? -1 : 1))
      .map(([name, t]) => ({
        id: `EventActivity:${name}`,
        name,
        receivedCount: t.received,
        publishedCount: t.published,
        // Counts are kept per minute: the start of the last minute this event name was counted in.
        lastUpdated: String(t.lastMinute),
      })),
    domainActivity: [...byDomain.entries()]
      .filter(([domain, t]) => domain !== '' && (t.received > 0 || t.published > 0))
      .sort(([a, x], [b, y]) => y.received - x.received || (a < b ? -1 : 1))
      .map(([domain, t]) => ({
        id: `DomainActivity:${domain}`,
        domainName: domain,
        receivedCount: t.received,
        publishedCount: t.published,
      })),
  };
}

/**
 * publishSuccessRate, from 0 to 1: published / events meant to be published, where events meant
 * to be published are those received minus those a switch, a filter or deduplication kept back.
 * 0 when no event was meant to be published. Events received before the window but published in it
 * could push it past 1; it is capped there.
 */
export function successRate(published: number, meant: number): number {
  if (meant <= 0) return 0;
  return Math.min(1, Math.max(0, published / meant));
}

function tally(rows: readonly ActivityRow[], key: (r: ActivityRow) => string): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const r of rows) {
    const k = key(r);
    const t = out.get(k) ?? { received: 0, published: 0, lastMinute: 0 };
    if (r.outcome === 'received') t.received += r.count;
    if (r.outcome === 'published') t.published += r.count;
    t.lastMinute = Math.max(t.lastMinute, r.lastMinute);
    out.set(k, t);
  }
  return out;
}
