import { createHash } from 'node:crypto';
import type { FakeGraph } from './fake-graph-server.js';

// Shared by the fake's own tests: a valid event and a small client for its Graph routes.

export const TOKEN = 'EAAtest-token-1234';
export const PIXEL = '1234567890';
export const sha = (s: string) => createHash('sha256').update(s).digest('hex');
export const now = () => Math.floor(Date.now() / 1000);

export function event(name = 'Purchase', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: name,
    event_time: now() - 10,
    event_id: `id-${Math.random()}`,
    action_source: 'website',
    user_data: { em: [sha('a@example.com')], client_ip_address: '203.0.113.9', client_user_agent: 'UA' },
    custom_data: { value: 9.99, currency: 'EUR' },
    ...extra,
  };
}

/** fetch helpers bound to a fake (read lazily, so they can be made before it starts). */
export function graphClient(fake: () => FakeGraph) {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${fake().url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    post,
    sendEvents: (events: unknown[], pixel = PIXEL, extra: Record<string, unknown> = {}) =>
      post(`/v26.0/${pixel}/events?access_token=${TOKEN}`, { data: events, ...extra }),
    errorOf: async (res: Response) => ((await res.json()) as { error: Record<string, unknown> }).error,
  };
}
