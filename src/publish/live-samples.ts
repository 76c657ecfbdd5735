import type { LiveSample } from '../database/repos/recent-events-repo.js';
import type { QueuedEvent } from '../queue/event-queue.js';
import type { DeliveryOutcome } from './deliver-batch.js';

// What a delivered batch shows on the dashboard's Live events: a few of its published events with
// Meta's answer, and every dead letter and held event (up to a cap) with the reason. Sampling keeps
// the cost flat however large the batch.

const PUBLISHED_PER_BATCH = 10;
const OTHERS_PER_BATCH = 20;

export function liveSamples(o: DeliveryOutcome, opts: { includePublished: boolean }): LiveSample[] {
  const samples: LiveSample[] = [];
  if (opts.includePublished) {
    // The newest events of the batch: the ones a person watching the page has just sent.
    for (const { events, response } of o.accepted) {
      for (const e of events.slice(-PUBLISHED_PER_BATCH)) {
        // Meta's answer is its count and trace id; a custom destination's is its status and body.
        const answer = response.answer ?? {
          events_received: response.eventsReceived,
          fbtrace_id: response.fbtraceId,
        };
        samples.push(sample(e, 'PUBLISHED', null, answer));
      }
    }
    samples.splice(0, Math.max(0, samples.length - PUBLISHED_PER_BATCH));
  }
  for (const letter of o.deadLetters.slice(0, OTHERS_PER_BATCH)) {
    const error =
      letter.errorCode === null
        ? null
        : {
            error: {
              code: letter.errorCode,
              error_subcode: letter.errorSubcode,
              message: letter.errorMessage,
              fbtrace_id: letter.fbtraceId,
            },
          };
    samples.push(sample(letter.event, 'DEAD_LETTERED', `${letter.reason}: ${letter.errorMessage}`, error));
  }
  if (o.held) {
    const { response, failure } = o.held;
    const answer = response.error ? { error: response.error } : { status: response.status };
    for (const e of o.held.events.slice(0, OTHERS_PER_BATCH)) {
      samples.push(sample(e, 'RETRYING', `${failure.replace('_', ' ')}: ${response.description}; will retry`, answer));
    }
  }
  return samples;
}

function sample(e: QueuedEvent, outcome: LiveSample['outcome'], reason: string | null, response: unknown): LiveSample {
  // Only the few sampled events are parsed; the queue hands the rest over as text.
  const payload = JSON.parse(e.eventJson) as { event_id?: unknown };
  return {
    tenantId: e.tenantId,
    pixelId: e.pixelId,
    eventName: e.eventName,
    eventId: typeof payload.event_id === 'string' ? payload.event_id : '',
    outcome,
    reason,
    payload,
    response,
  };
}
