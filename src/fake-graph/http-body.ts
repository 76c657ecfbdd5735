// Request body reading and decoding for the three encodings Graph accepts on the events edge
// (capi-contract.md 1.1): JSON, urlencoded and multipart, where form values are strings.

import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export type BodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: true };

/** Reads the body, giving up (without buffering the rest) once it exceeds `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => onError(new Error('request aborted'));
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

export type ParamsResult = { ok: true; params: Record<string, unknown> } | { ok: false; detail: string };

/** Decodes a body into Graph parameters according to its content type. */
export async function parseParams(contentType: string | undefined, body: Buffer): Promise<ParamsResult> {
  if (body.length === 0) return { ok: true, params: {} };
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'multipart/form-data') return parseMultipart(contentType as string, body);
  if (type === 'application/x-www-form-urlencoded') return parseUrlencoded(body);
  if (type === 'application/json' || type.endsWith('+json') || firstNonSpace(body) === 0x7b) {
    return parseJson(body);
  }
  return parseUrlencoded(body);
}

function firstNonSpace(body: Buffer): number | undefined {
  for (const byte of body) {
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte;
  }
  return undefined;
}

function parseJson(body: Buffer): ParamsResult {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, detail: 'the request body is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, detail: 'the JSON request body must be an object' };
  }
  return { ok: true, params: value as Record<string, unknown> };
}

function parseUrlencoded(body: Buffer): ParamsResult {
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  return { ok: true, params };
}

// The fetch Request parser handles boundaries, quoting and files; it is fast enough for tests.
async function parseMultipart(contentType: string, body: Buffer): Promise<ParamsResult> {
  try {
    const form = await new Request('http://fake-graph.local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(body),
    }).formData();
    const params: Record<string, unknown> = {};
    for (const [k, v] of form) params[k] = typeof v === 'string' ? v : await v.text();
    return { ok: true, params };
  } catch {
    return { ok: false, detail: 'the multipart/form-data body could not be parsed' };
  }
}
