import { timeline } from '../../../database/repos/tenant-metrics-repo.js';
import type { ControlContext } from '../../context.js';
import { pixelIdList, scopeOf, type TenantParent, windowMinutes } from './common.js';

// tenantQueries { eventTimeline(pixelIds, timeWindowMin) } (extension): the Overview chart. The
// window is cut into about 60 buckets of a round size; every bucket is present, empty ones as 0.

const BUCKET_SIZES_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];
const TARGET_POINTS = 60;

export function bucketMinutes(windowMin: number): number {
  return BUCKET_SIZES_MIN.find((size) => windowMin / size <= TARGET_POINTS) ?? 1440;
}

export async function eventTimeline(
  parent: TenantParent,
  args: { pixelIds?: string[] | null; timeWindowMin: number },
  ctx: ControlContext,
) {
  const minutes = windowMinutes(args.timeWindowMin);
  const size = bucketMinutes(minutes);
  const rows = await timeline(
    ctx.deps.db,
    scopeOf(ctx, parent.tenantId),
    minutes,
    pixelIdList(args.pixelIds, 'eventTimeline'),
    size,
  );
  const byStart = new Map(rows.map((r) => [r.at, r]));
  // Buckets are aligned to UTC multiples of their size (date_bin from 2000-01-01), as in SQL.
  const sizeMs = size * 60_000;
  const lastMinute = Math.floor(Date.now() / 60_000) * 60_000;
  const first = Math.floor((lastMinute - (minutes - 1) * 60_000 - Date.UTC(2000, 0, 1)) / sizeMs) * sizeMs;
  const points = [];
  for (let at = first + Date.UTC(2000, 0, 1); at <= lastMinute; at += sizeMs) {
    points.push(byStart.get(at) ?? { at, received: 0, published: 0, dropped: 0, discarded: 0 });
  }
  return points;
}
