import type { EventSource, RequestInfo } from '../domain/event.js';
import { drop, ok, type StepResult } from '../domain/outcome.js';
import type { PixelSettings } from '../domain/pixel.js';
import type { PipelineEvent, Step } from './step.js';
import { dedupKeyStep } from './steps/dedup-key.js';
import { domainFilterStep } from './steps/domain-filter.js';
import { enrichStep } from './steps/enrich.js';
import { eventFilterStep } from './steps/event-filter.js';
import { hashUserDataStep } from './steps/hash-user-data.js';
import { publishingSwitchStep } from './steps/publishing-switch.js';
import { receivingSwitchStep } from './steps/receiving-switch.js';
import { requiredFieldsStep } from './steps/required-fields.js';
import { resolvePixelStep } from './steps/resolve-pixel.js';
import { validateEvent } from './steps/validate-event.js';

// THE order an event goes through. Read this file first.
//   validate -> resolve pixel and account -> receiving switch -> domain filter -> event filter
//   -> dedup key -> enrich -> required fields -> hash -> publishing switch -> (enqueue + dedup)
export const STEPS: readonly Step[] = [
  resolvePixelStep,
  receivingSwitchStep,
  // Filters look at the event as the client sent it, before we add anything.
  domainFilterStep,
  eventFilterStep,
  // Taken before enrich, which generates an event_id when there is none.
  dedupKeyStep,
  enrichStep,
  requiredFieldsStep,
  // Hash last, so no step after it sees raw customer information.
  hashUserDataStep,
  publishingSwitchStep,
];

export interface PipelineInput {
  pixelId: string;
  pixel: PixelSettings | null;
  source: EventSource;
  raw: unknown;
  request: RequestInfo;
  testEventCode?: string;
}

export function runPipeline(input: PipelineInput): StepResult<PipelineEvent> {
  const validation = validateEvent(input.raw, {
    nowSec: Math.floor(input.request.receivedAt / 1000),
    source: input.source,
  });
  if (!validation.ok) return drop('invalid', validation.errors.join('; '));
  let current: PipelineEvent = {
    pixelId: input.pixelId,
    pixel: input.pixel,
    source: input.source,
    event: validation.event,
    request: input.request,
    testEventCode: input.testEventCode ?? '',
    domain: '',
    dedupKey: null,
    publish: true,
  };
  for (const step of STEPS) {
    const result = step(current);
    if (!result.ok) return result;
    current = result.value;
  }
  return ok(current);
}
