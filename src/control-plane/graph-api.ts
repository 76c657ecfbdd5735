import { request } from 'undici';

// The control plane's port to Meta's Graph API: checking a pixel's token when it is connected, and
// registering the gateway as the pixel's OpenBridge endpoint. Answers are data, never throws.

export type GraphAnswer<T> =
  | { ok: true; value: T }
  | { ok: false; kind: 'rejected'; code: number | null; subcode: number | null; message: string }
  | { ok: false; kind: 'unreachable'; message: string };

export interface GraphApi {
  pixelName(pixelId: string, accessToken: string, apiVersion: string): Promise<GraphAnswer<{ name: string | null }>>;
  registerOpenBridge(input: {
    businessId: string;
    pixelId: string;
    accessToken: string;
    apiVersion: string;
    endpoint: string;
  }): Promise<GraphAnswer<{ id: string }>>;
}

export function createGraphApi(opts: { apiUrl: string; timeoutMs: number }): GraphApi {
  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
  ): Promise<GraphAnswer<T>> {
    const url = new URL(`${opts.apiUrl}${path}`);
    let body: string | undefined;
    if (method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    else body = new URLSearchParams(params).toString();
    try {
      const res = await request(url, {
        method,
        body,
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      const text = await res.body.text();
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      if (res.statusCode === 200 && json && !json.error) return { ok: true, value: json as T };
      const error = (json?.error ?? null) as { code?: number; error_subcode?: number; message?: string } | null;
      if (!error || res.statusCode >= 500) {
        return { ok: false, kind: 'unreachable', message: `Graph API answered HTTP ${res.statusCode}` };
      }
      return {
        ok: false,
        kind: 'rejected',
        code: error.code ?? null,
        subcode: error.error_subcode ?? null,
        message: error.message ?? `Graph API answered HTTP ${res.statusCode}`,
      };
    } catch (err) {
      return { ok: false, kind: 'unreachable', message: (err as Error).message };
    }
  }

  return {
    pixelName: async (pixelId, accessToken, apiVersion) => {
      const r = await call<{ name?: string }>('GET', `/${apiVersion}/${encodeURIComponent(pixelId)}`, {
        fields: 'id,name',
        access_token: accessToken,
      });
      return r.ok ? { ok: true, value: { name: r.value.name ?? null } } : r;
    },
    registerOpenBridge: (i) =>
      call<{ id: string }>('POST', `/${i.apiVersion}/${encodeURIComponent(i.businessId)}/openbridge_configurations`, {
        pixel_id: i.pixelId,
        endpoint: i.endpoint,
        active: 'true',
        access_token: i.accessToken,
      }),
  };
}
