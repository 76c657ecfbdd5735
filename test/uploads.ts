import { Readable } from 'node:stream';
import type { TestGateway } from './harness.js';
import { waitFor } from './harness.js';

// Helpers for the file upload tests (C.9): the CSV posted as a browser or API client posts it, a
// large file generated as a stream, and waiting until what was uploaded has reached the fake Meta.

export const UPLOAD_HEADER =
  'DATA_SET_ID,EVENT_NAME,EVENT_TIME,ACTION_SOURCE,VALUE,CURRENCY,CONTENT_IDS,ORDER_ID,EMAIL,COUNTRY\n';
export const nowSec = () => Math.floor(Date.now() / 1000);
/** "YYYY-MM-DD HH:mm:ss" in UTC, the format of Meta's template. */
export const csvTime = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ');

export interface UploadReport {
  id: string;
  status: string;
  rows: number;
  uploaded: number;
  duplicates: number;
  excluded: number;
  excludedReasons: Record<string, number>;
  excludedRows: Array<{ row: number; reason: string; detail?: string }>;
  warnings: string[];
  error: string | null;
}

/** POST /capig/uploads/ with the body streamed (duplex) as text/csv unless the headers say otherwise. */
export async function postUpload(
  baseUrl: string,
  query: Record<string, string>,
  body: string | ReadableStream<Uint8Array>,
  headers: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/capig/uploads/?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: await res.json() };
}

/** A CSV of n Purchase rows (ORDER_ID `<run>-<i>`) generated as a stream of chunks: never one big string. */
export function csvRowsStream(pixelId: string, n: number, run: string): ReadableStream<Uint8Array> {
  const t = csvTime(nowSec() - 3600);
  async function* chunks() {
    yield Buffer.from(UPLOAD_HEADER);
    for (let i = 0; i < n; i += 500) {
      let s = '';
      for (let j = i; j < Math.min(n, i + 500); j++) {
        s += `${pixelId},Purchase,${t},,${(j % 100) + 0.5},USD,sku${j}|sku${j + 1},${run}-${j},u${j}.${run}@example.com,US\n`;
      }
      yield Buffer.from(s);
    }
  }
  return Readable.toWeb(Readable.from(chunks())) as unknown as ReadableStream<Uint8Array>;
}

/** The events of a pixel the fake Graph API received. */
export const publishedEvents = (gw: TestGateway, pixelId: string) =>
  gw.fake.events(pixelId).map((e) => e.event as Record<string, any>);

/** Waits until at least count events of the pixel reached the fake and its queue is empty. */
export async function drainedTo(gw: TestGateway, pixelId: string, count: number, timeoutMs = 30_000) {
  await waitFor(() => gw.fake.events(pixelId).length >= count, `${count} events of ${pixelId} at Meta`, timeoutMs);
  await waitFor(async () => (await gw.gateway.queue.depth(pixelId)) === 0, 'queue drained', timeoutMs);
}
