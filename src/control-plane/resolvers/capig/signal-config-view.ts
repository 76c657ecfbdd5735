import { listPixels, type PixelRecord } from '../../../database/repos/signal-configs-repo.js';
import { lastActivity, pixelWindows } from '../../../database/repos/tenant-metrics-repo.js';
import { atLeast } from '../../access.js';
import type { ControlContext } from '../../context.js';
import { scopeOf } from './common.js';

// SignalConfig and ConnectionStatus as Meta shapes them, computed from the pixel's row, the
// data plane's counters and who is asking. Every operation that returns one builds it here.

export interface ConnectionStatusView {
  id: string;
  /** Pixel id and access token present. */
  connected: boolean;
  /** The receiving switch. */
  active: boolean;
  /** Registered with Meta as the pixel's OpenBridge endpoint, or registration is switched off. */
  eventBridgeActive: boolean;
  publishingEnabled: boolean;
  /** Opened only when selected, and only for callers with at least manage on the account. */
  accessKey: () => string | null;
  apiErrorCode: string | null;
  apiErrorMessage: string | null;
  pixelID: string;
  pixelName: string;
  accessTokenAvailable: boolean;
  accessTokenVerified: boolean;
  badToken: boolean;
  targetId: string;
  /** Within the time window. */
  totalEventsReceived: number;
  totalEventsPublished: number;
  /** Within the time window: events that arrived while the pixel or its account was deactivated. */
  totalEventsDiscarded: number;
  /** Epoch milliseconds, 0 when never (all time). */
  lastReceived: number;
  lastPublished: number;
}

export interface SignalConfigView {
  id: string;
  connectionId: string;
  dataSetType: 'PIXEL';
  /** Websites the pixel received events from within the time window. */
  domains: string[];
  connectionStatus: ConnectionStatusView;
}

/** The account's pixels (or those of pixelIds in it) with their status over the last `minutes`. */
export async function loadSignalConfigs(
  ctx: ControlContext,
  tenantId: string,
  minutes: number,
  pixelIds?: readonly string[],
): Promise<SignalConfigView[]> {
  const { db } = ctx.deps;
  const scope = scopeOf(ctx, tenantId);
  const pixels = await listPixels(db, scope, pixelIds);
  if (pixels.length === 0) return [];
  const ids = pixels.map((p) => p.pixelId);
  const [windows, last] = await Promise.all([pixelWindows(db, scope, minutes, ids), lastActivity(db, scope, ids)]);
  const mayManage = atLeast(ctx.access.levelOf(tenantId), 'manage');
  return pixels.map((p) => {
    const w = windows.get(p.pixelId) ?? { received: 0, published: 0, discarded: 0, domains: [] };
    const l = last.get(p.pixelId) ?? { lastReceived: 0, lastPublished: 0 };
    return {
      id: `SignalConfig:${p.pixelId}`,
      connectionId: p.pixelId,
      dataSetType: 'PIXEL',
      domains: w.domains,
      connectionStatus: connectionStatus(ctx, p, mayManage, {
        received: w.received,
        published: w.published,
        discarded: w.discarded,
        ...l,
      }),
    };
  });
}

export async function loadSignalConfig(
  ctx: ControlContext,
  tenantId: string,
  pixelId: string,
  minutes = 60,
): Promise<SignalConfigView | null> {
  return (await loadSignalConfigs(ctx, tenantId, minutes, [pixelId]))[0] ?? null;
}

function connectionStatus(
  ctx: ControlContext,
  p: PixelRecord,
  mayManage: boolean,
  c: { received: number; published: number; discarded: number; lastReceived: number; lastPublished: number },
): ConnectionStatusView {
  return {
    id: `ConnectionStatus:${p.pixelId}`,
    connected: p.hasToken,
    active: p.receiving,
    eventBridgeActive: p.openbridgeId !== null || !ctx.deps.config.registerOpenBridge,
    publishingEnabled: p.publishing,
    accessKey: () => (mayManage ? ctx.deps.box.open(p.accessKeyEnc) : null),
    apiErrorCode: p.lastErrorCode,
    apiErrorMessage: p.lastErrorMessage,
    pixelID: p.pixelId,
    pixelName: p.name,
    accessTokenAvailable: p.hasToken,
    accessTokenVerified: p.tokenVerified,
    badToken: p.badToken,
    targetId: '',
    totalEventsReceived: c.received,
    totalEventsPublished: c.published,
    totalEventsDiscarded: c.discarded,
    lastReceived: c.lastReceived,
    lastPublished: c.lastPublished,
  };
}
