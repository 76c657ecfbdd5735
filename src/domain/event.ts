// The shapes an event takes on its way through the gateway. Types only, no I/O.

export const ACTION_SOURCES = [
  'email',
  'website',
  'app',
  'phone_call',
  'chat',
  'physical_store',
  'system_generated',
  'business_messaging',
  'other',
] as const;
export type ActionSource = (typeof ACTION_SOURCES)[number];

/** Customer information as Meta's Conversions API takes it (capi-contract.md section 3). */
export type UserData = Record<string, string | string[] | number | undefined>;

/** One event in the Conversions API's `data` array, as we send it to Meta. */
export interface ServerEvent {
  event_name: string;
  event_time: number;
  event_id?: string;
  action_source: ActionSource;
  event_source_url?: string;
  referrer_url?: string;
  user_data: UserData;
  custom_data?: Record<string, unknown>;
  opt_out?: boolean;
  data_processing_options?: string[];
  data_processing_options_country?: number;
  data_processing_options_state?: number;
  [field: string]: unknown;
}

export type EventSource = 'browser' | 'server';

/** What the edge knows about the request an event came in, used to enrich browser events. */
export interface RequestInfo {
  /** Client address without port, after trusted-proxy resolution. */
  ip: string | null;
  userAgent: string | null;
  /** First-party cookies the browser sent along. */
  fbp: string | null;
  fbc: string | null;
  /** ms since epoch when the request arrived. */
  receivedAt: number;
  /** Hashed advanced matching from the gateway's enrichment cookie (signature checked); null: none. */
  rememberedMatching?: Record<string, string> | null;
}

/** Ready to be committed: the event as it will be sent, and what the queue needs to know. */
export interface AcceptedEvent {
  pixelId: string;
  tenantId: string;
  event: ServerEvent;
  domain: string;
  testEventCode: string;
  /** The client's event_id for deduplication; null when it sent none. */
  dedupKey: string | null;
  /** false: counted and deduplicated, but not sent (publishing switch). */
  publish: boolean;
  /** The lanes it is queued in (one queue row each); see docs/pipelines.md. */
  lanes: readonly string[];
}
