import type { DeadLetter, QueuedEvent } from '../queue/event-queue.js';
import type { CapiBatch, CapiResponse } from './capi-client.js';
import { classifyFailure, type FailureClass } from './classify-response.js';

// Delivers one claimed batch of a pixel and says, as data, what became of each event. Meta rejects
// a whole batch for one bad event, so an invalid-parameter answer is bisected until the offending
// events stand alone; they are dead-lettered with Meta's error and the rest are delivered.

export interface HeldEvents {
  events: QueuedEvent[];
  failure: FailureClass;
  response: Extract<CapiResponse, { ok: false }>;
}

export interface DeliveryOutcome {
  delivered: QueuedEvent[];
  deadLetters: DeadLetter[];
  /** Not delivered for a reason that is not the events' fault; to be retried. */
  held: HeldEvents | null;
  requests: number;
  /** Each accepted request: its events and Meta's answer (for the dashboard's live events). */
  accepted: Array<{ events: QueuedEvent[]; response: Extract<CapiResponse, { ok: true }> }>;
}

export interface DeliverContext {
  send(batch: Omit<CapiBatch, 'pixelId' | 'apiVersion' | 'accessToken'>): Promise<CapiResponse>;
  nowSec: number;
  /** What a failed answer means; Meta's error codes unless the destination says otherwise. */
  classify?: (res: Extract<CapiResponse, { ok: false }>) => FailureClass;
  /** Meta's event_time limit applies (off for custom HTTP destinations, which have their own rules). */
  expires?: boolean;
}

const DAY = 86_400;
/** Leave room for the request itself: an event this close to Meta's limit would be rejected anyway. */
const EXPIRY_MARGIN_SEC = 10 * 60;

export async function deliverBatch(events: QueuedEvent[], ctx: DeliverContext): Promise<DeliveryOutcome> {
  const outcome: DeliveryOutcome = { delivered: [], deadLetters: [], held: null, requests: 0, accepted: [] };
  const live: QueuedEvent[] = [];
  for (const e of events) {
    if (ctx.expires !== false && isExpired(e, ctx.nowSec)) {
      outcome.deadLetters.push({
        event: e,
        reason: 'expired',
        errorCode: null,
        errorSubcode: null,
        errorMessage: 'not delivered before Meta’s event_time limit (7 days; 62 for physical_store)',
        fbtraceId: null,
      });
    } else live.push(e);
  }
  // Meta takes one test_event_code per request.
  const byTestCode = new Map<string, QueuedEvent[]>();
  for (const e of live) byTestCode.set(e.testEventCode, [...(byTestCode.get(e.testEventCode) ?? []), e]);
  for (const group of byTestCode.values()) {
    if (outcome.held) outcome.held.events.push(...group);
    else await sendOrBisect(group, ctx, outcome);
  }
  return outcome;
}

async function sendOrBisect(events: QueuedEvent[], ctx: DeliverContext, out: DeliveryOutcome): Promise<void> {
  out.requests++;
  const testEventCode = events[0]?.testEventCode || undefined;
  const res = await ctx.send({ eventsJson: events.map((e) => e.eventJson), testEventCode });
  if (res.ok) {
    out.delivered.push(...events);
    out.accepted.push({ events, response: res });
    return;
  }
  const failure = (ctx.classify ?? classifyFailure)(res);
  if (failure !== 'invalid_events') {
    out.held = { events: [...events], failure, response: res };
    return;
  }
  if (events.length === 1) {
    out.deadLetters.push({
      event: events[0] as QueuedEvent,
      reason: 'rejected',
      errorCode: res.error?.code ?? null,
      errorSubcode: res.error?.error_subcode ?? null,
      errorMessage:
        [res.error?.message, res.error?.error_user_title, res.error?.error_user_msg].filter(Boolean).join(' — ') ||
        res.description,
      fbtraceId: res.error?.fbtrace_id ?? null,
    });
    return;
  }
  const mid = Math.ceil(events.length / 2);
  for (const half of [events.slice(0, mid), events.slice(mid)]) {
    // Once Meta answers with something other than "invalid", stop sending and hold the rest.
    if (out.held) out.held.events.push(...half);
    else await sendOrBisect(half, ctx, out);
  }
}

function isExpired(e: QueuedEvent, nowSec: number): boolean {
  const maxAge = (e.physicalStore ? 62 : 7) * DAY;
  return e.eventTime < nowSec - maxAge + EXPIRY_MARGIN_SEC;
}
