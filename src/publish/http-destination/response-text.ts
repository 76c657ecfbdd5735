// Reading answers from servers an account's admin chose: bounded, and with secrets taken out
// before any of it is kept, logged or shown.

/** Reads at most maxBytes of a body as text and drops the rest. */
export async function readCapped(body: AsyncIterable<Buffer | Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.from(chunk);
    if (size + buf.length >= maxBytes) {
      chunks.push(buf.subarray(0, maxBytes - size));
      size = maxBytes;
      break;
    }
    chunks.push(buf);
    size += buf.length;
  }
  const destroy = (body as { destroy?: () => void }).destroy;
  if (size >= maxBytes && typeof destroy === 'function') destroy.call(body);
  return Buffer.concat(chunks).toString('utf8');
}

export const REDACTED = '[redacted]';

/** The text with every secret (and its URL-encoded form) replaced. */
export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}
