import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { hostOf, isPrivateAddress } from './target.ts';

export type PostResult = {
  status: number | null;
  /** The first 1 KiB of the answer. */
  response: string;
  error: string | null;
  /** From `Retry-After` on a 429 or 503. */
  retryAfterMs: number | null;
  durationMs: number;
};

const RESPONSE_BYTES = 1024;
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

// Keep-alive per origin; a receiver that hangs holds only its own sockets.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

/**
 * One POST (WEBHOOKS.md "Delivery"): a timeout, no redirects followed, the target's
 * address checked after DNS resolution, on the very connection used (no second lookup
 * an attacker's DNS could answer differently).
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean; signal: AbortSignal },
): Promise<PostResult> {
  const started = performance.now();
  const done = (fields: Partial<PostResult>): PostResult => ({
    status: null,
    response: '',
    error: null,
    retryAfterMs: null,
    durationMs: Math.round(performance.now() - started),
    ...fields,
  });
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve(done({ error: 'invalid URL' }));
  }
  const host = hostOf(url);
  if (!options.allowPrivate && isIP(host) && isPrivateAddress(host))
    return Promise.resolve(done({ error: 'private target refused' }));
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as unknown as { address: string; family: number }[];
      const allowed = options.allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address));
      if (allowed.length === 0) return callback(new PrivateTarget(), '', 4);
      if (lookupOptions.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: url.protocol === 'https:' ? agents.https : agents.http,
      lookup: guardedLookup,
      signal: options.signal,
    });
    const timer = setTimeout(() => request.destroy(new Error('timed out')), options.timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      resolve(done({ error: error instanceof PrivateTarget ? 'private target refused' : describe(error) }));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        clearTimeout(timer);
        const status = response.statusCode ?? null;
        resolve(
          done({
            status,
            response: Buffer.concat(chunks).subarray(0, RESPONSE_BYTES).toString('utf8'),
            retryAfterMs:
              status === 429 || status === 503 ? retryAfter(response.headers['retry-after']) : null,
          }),
        );
      };
      response.on('data', (chunk: Buffer) => {
        if (size >= RESPONSE_BYTES) return;
        chunks.push(chunk);
        size += chunk.length;
        // Nothing past the first KiB is read: a receiver cannot make us download a film.
        if (size >= RESPONSE_BYTES) {
          finish();
          response.destroy();
        }
      });
      response.on('end', finish);
      response.on('error', finish);
    });
    request.end(body);
  });
}

class PrivateTarget extends Error {
  constructor() {
    super('private target refused');
  }
}

function describe(error: Error): string {
  const code = (error as { code?: string }).code;
  if (code === 'ABORT_ERR') return 'aborted';
  return (code ? `${code}: ` : '') + error.message.slice(0, 200);
}

/** Seconds or an HTTP date; nonsense is ignored, a day is the most we wait. */
function retryAfter(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : null;
}
