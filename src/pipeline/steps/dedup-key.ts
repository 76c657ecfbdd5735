import { ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

// Deduplication itself happens in the enqueue transaction (queue/event-writer.ts): a key is taken
// only by an event that is stored, so a client retrying after an error is never told "duplicate"
// for an event we lost. This step fixes the key before enrichment can generate an event_id.
export const dedupKeyStep: Step = (e) => ok({ ...e, dedupKey: e.event.event_id ?? null });
