import type { RequestInfo, ServerEvent } from '../domain/event.js';
import { DEFAULT_PRIVACY, type PixelSettings } from '../domain/pixel.js';
import type { PipelineEvent } from './step.js';

// Builders for step tests: a valid event and pixel that each test changes in one place.

export function testPixel(overrides: Partial<PixelSettings> = {}): PixelSettings {
  return {
    pixelId: '111',
    tenantId: 'acme',
    tenantActive: true,
    receiving: true,
    publishing: true,
    droppedEvents: new Set(),
    blockedDomains: new Set(),
    accessKey: 'key',
    routes: [{ lane: '111', blockedEvents: new Set() }],
    privacy: DEFAULT_PRIVACY,
    ...overrides,
  };
}

export function testRequest(overrides: Partial<RequestInfo> = {}): RequestInfo {
  return { ip: '198.51.100.1', userAgent: 'UA/1', fbp: null, fbc: null, receivedAt: 1_760_000_000_000, ...overrides };
}

export function testEvent(
  event: Partial<ServerEvent> = {},
  overrides: Partial<Omit<PipelineEvent, 'event'>> = {},
): PipelineEvent {
  return {
    pixelId: '111',
    pixel: testPixel(),
    source: 'server',
    event: {
      event_name: 'Purchase',
      event_time: 1_760_000_000,
      action_source: 'website',
      event_source_url: 'https://shop.example.com/p',
      user_data: { client_user_agent: 'UA/1' },
      ...event,
    },
    request: testRequest(),
    testEventCode: '',
    domain: '',
    dedupKey: null,
    publish: true,
    consent: null,
    lanes: [],
    ...overrides,
  };
}
