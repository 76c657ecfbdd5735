// What the Node load generators (paced-load.mjs, fill-queue.mjs) send: request bodies from a
// template in which every __ID__ becomes a unique id, and headers from "name: value" flags.

import { readFileSync } from 'node:fs';

/** next() gives a body with fresh ids (<prefix><counter>); idsPerBody is how many it holds. */
export function bodyTemplate(file, prefix) {
  const parts = readFileSync(file, 'utf8').split('__ID__');
  let counter = 0;
  return {
    idsPerBody: parts.length - 1,
    next() {
      let s = parts[0];
      for (let i = 1; i < parts.length; i++) s += prefix + ++counter + parts[i];
      return s;
    },
  };
}

/** JSON content type, then each "name: value" (names lowercased; a later one wins). */
export function requestHeaders(flags) {
  const headers = { 'content-type': 'application/json' };
  for (const h of flags) {
    const i = h.indexOf(':');
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return headers;
}
