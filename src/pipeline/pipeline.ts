import type { EventSource, RequestInfo } from '../domain/event.js';
import { drop, ok, type StepResult } from '../domain/outcome.js';
import type { PixelSettings } from '../domain/pixel.js';
import type { PipelineEvent, Step } from './step.js';
import { consentStep } from './steps/consent.js';
import { dataProcessingStep } from './steps/data-processing.js';
import { dedupKeyStep } from './steps/dedup-key.js';
import { domainFilterStep } from './steps/domain-filter.js';
import { enrichStep } from './steps/enrich.js';
import { addRememberedMatchingStep, rememberMatchingStep } from './steps/enrichment.js';
import { eventFilterStep } from './steps/event-filter.js';
import { hashUserDataStep } from './steps/hash-user-data.js';
import { publishingSwitchStep } from './steps/publishing-switch.js';
import { receivingSwitchStep } from './steps/receiving-switch.js';
import { requiredFieldsStep } from './steps/required-fields.js';
import { resolvePixelStep } from './steps/resolve-pixel.js';
import { routeStep } from './steps/route.js';
import { validateEvent } from './steps/validate-event.js';

// THE order an event goes through. Read this file first.
//   validate -> resolve pixel and account -> receiving switch -> domain filter -> event filter
//   -> dedup key -> remembered matching -> enrich -> required fields -> hash -> consent
//   -> remember matching -> data processing options -> publishing switch -> route -> (enqueue + dedup)
export const STEPS: readonly Step[] = [
  resolvePixelStep,
  receivingSwitchStep,
  // Filters look at the event as the client sent it, before we add anything.
  domainFilterStep,
  eventFilterStep,
  // Taken before enrich, which generates an event_id when there is none.
  dedupKeyStep,
  // The enrichment cookie's values go in before hashing (they are hashed already and pass as they are).
  addRememberedMatchingStep,
  enrichStep,
  requiredFieldsStep,
  // Hash before anything is remembered or sent, so no step after it sees raw customer information.
  hashUserDataStep,
  // After enrich, so a limited event loses the cookies and matching enrich added too.
  consentStep,
  // After consent: an event limited for want of consent leaves nothing to remember.
  rememberMatchingStep,
  dataProcessingStep,
  publishingSwitchStep,
  routeStep,
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
  const consent = takeConsent(input.raw);
  if (consent === 'invalid') return drop('invalid', 'consent must be "granted" or "denied"');
  const validation = validateEvent(consent.raw, {
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
    consent: consent.signal,
    lanes: [],
  };
  for (const step of STEPS) {
    const result = step(current);
    if (!result.ok) return result;
    current = result.value;
  }
  return ok(current);
}

/** The consent signal rides on the event as `consent`; Meta must not see the field. */
function takeConsent(raw: unknown): { raw: unknown; signal: PipelineEvent['consent'] } | 'invalid' {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('consent' in raw)) {
    return { raw, signal: null };
  }
  const { consent, ...rest } = raw as Record<string, unknown>;
  if (consent === undefined || consent === null) return { raw: rest, signal: null };
  if (consent === 'granted' || consent === true) return { raw: rest, signal: 'granted' };
  if (consent === 'denied' || consent === false) return { raw: rest, signal: 'denied' };
  return 'invalid';
}
