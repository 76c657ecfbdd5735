import type { EventSource, RequestInfo, ServerEvent } from '../domain/event.js';
import type { StepResult } from '../domain/outcome.js';
import type { PixelSettings } from '../domain/pixel.js';

/** An event in flight through the pipeline, with everything the steps may look at. */
export interface PipelineEvent {
  pixelId: string;
  /** Settings of the pixel, or null when no account has connected it. */
  pixel: PixelSettings | null;
  source: EventSource;
  event: ServerEvent;
  request: RequestInfo;
  testEventCode: string;
  /** Website domain of event_source_url (lowercase, no "www."), set by the domain filter; '' before. */
  domain: string;
  /** The client's event_id, taken before enrichment may generate one; null: nothing to deduplicate. */
  dedupKey: string | null;
  /** Cleared by the publishing switch: the event is counted but not sent. */
  publish: boolean;
  /** Set by the publishing switch when publish is false. */
  notPublishedReason?: 'publishing_disabled';
  /** The page's or sender's consent signal, taken off the event before validation; null: none given. */
  consent: 'granted' | 'denied' | null;
  /** Sent limited (no customer information, Limited Data Use) because consent was denied. */
  consentLimited?: boolean;
  /** Hashed advanced matching for the enrichment cookie, when it should be (re)set. */
  remember?: Record<string, string>;
  /** The lanes the event goes to, set by the route step. */
  lanes: readonly string[];
}

/** A pipeline step: pure, synchronous, one event in, the event (maybe changed) or a drop out. */
export type Step = (e: PipelineEvent) => StepResult<PipelineEvent>;
