import { randomBytes } from 'node:crypto';
import { verifyWebhook, type WebhookErrorCode, WebhookVerificationError } from '@signet/node';
import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';

/** Deliveries signed by the Standard Webhooks reference signer, verified by @signet/node. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const secret = newSecret();
const body = JSON.stringify({
  id: 'evt_01',
  type: 'message.created',
  createdAt: '2026-11-29T01:00:00.000Z',
  data: { message: { id: 'm1', text: 'héllo ✓' } },
  sequence: 7,
});

function delivery(options: { secret?: string; at?: Date; payload?: string; id?: string } = {}) {
  const at = options.at ?? new Date();
  const id = options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.secret ?? secret).sign(id, at, options.payload ?? body),
  };
}

const failure = (run: () => unknown): WebhookErrorCode | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
};

describe('verifyWebhook', () => {
  it('accepts a reference signature and returns the parsed event (string, Buffer, Headers)', () => {
    const headers = delivery();
    expect(verifyWebhook(secret, headers, body)).toEqual(JSON.parse(body));
    expect(verifyWebhook(secret, headers, Buffer.from(body)).sequence).toBe(7);
    expect(verifyWebhook(secret, new Headers(headers), body).type).toBe('message.created');
    const upperCase = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), [v]]));
    expect(verifyWebhook(secret, upperCase, body).id).toBe('evt_01');
  });

  it('accepts a delivery Svix signs too', () => {
    const at = new Date();
    const id = 'msg_svix';
    const signature = new SvixWebhook(secret).sign(id, at, body);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(verifyWebhook(secret, headers, body).id).toBe('evt_01');
  });

  it('accepts either signature during a rotation (old and new secret, space-separated)', () => {
    const next = newSecret();
    const old = delivery();
    const fresh = delivery({ secret: next, at: new Date(Number(old['webhook-timestamp']) * 1000) });
    const both = { ...old, 'webhook-signature': `${old['webhook-signature']} ${fresh['webhook-signature']}` };
    expect(verifyWebhook(secret, both, body).id).toBe('evt_01');
    expect(verifyWebhook(next, both, body).id).toBe('evt_01');
    expect(failure(() => verifyWebhook(newSecret(), both, body))).toBe('no_matching_signature');
  });

  it('refuses a tampered body, id or timestamp', () => {
    const headers = delivery();
    expect(failure(() => verifyWebhook(secret, headers, body.replace('héllo', 'hello')))).toBe(
      'no_matching_signature',
    );
    expect(failure(() => verifyWebhook(secret, headers, `${body} `))).toBe('no_matching_signature');
    expect(failure(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'msg_other' }, body))).toBe(
      'no_matching_signature',
    );
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(failure(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': later }, body))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses the wrong secret, and a secret that is not whsec_ + base64', () => {
    expect(failure(() => verifyWebhook(newSecret(), delivery(), body))).toBe('no_matching_signature');
    const bare = secret.slice('whsec_'.length);
    expect(failure(() => verifyWebhook(bare, delivery(), body))).toBe('invalid_secret');
    expect(failure(() => verifyWebhook('whsec_not*base64', delivery(), body))).toBe('invalid_secret');
    expect(failure(() => verifyWebhook('whsec_', delivery(), body))).toBe('invalid_secret');
  });

  it('refuses a timestamp more than five minutes old or ahead, even when correctly signed', () => {
    const now = Date.now();
    expect(failure(() => verifyWebhook(secret, delivery({ at: new Date(now - 301_000) }), body))).toBe(
      'timestamp_too_old',
    );
    expect(failure(() => verifyWebhook(secret, delivery({ at: new Date(now + 301_000) }), body))).toBe(
      'timestamp_too_new',
    );
    expect(verifyWebhook(secret, delivery({ at: new Date(now - 290_000) }), body).id).toBe('evt_01');
    // A replay next day of a once-valid delivery.
    const yesterday = delivery({ at: new Date(now - 86_400_000) });
    expect(failure(() => verifyWebhook(secret, yesterday, body))).toBe('timestamp_too_old');
    expect(verifyWebhook(secret, yesterday, body, { now: new Date(now - 86_400_000 + 1000) }).id).toBe(
      'evt_01',
    );
  });

  it('refuses missing headers, a bad timestamp, other signature versions, parsed bodies', () => {
    const headers = delivery();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _, ...rest } = headers;
      expect(failure(() => verifyWebhook(secret, rest, body))).toBe('missing_header');
    }
    expect(failure(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': '1e9' }, body))).toBe(
      'invalid_timestamp',
    );
    const v2 = headers['webhook-signature'].replace(/^v1,/, 'v2,');
    expect(failure(() => verifyWebhook(secret, { ...headers, 'webhook-signature': v2 }, body))).toBe(
      'no_matching_signature',
    );
    const parsed = JSON.parse(body) as unknown as string;
    expect(failure(() => verifyWebhook(secret, headers, parsed))).toBe('invalid_body');
  });

  it('refuses a signed body that is not JSON', () => {
    const text = 'not json';
    expect(failure(() => verifyWebhook(secret, delivery({ payload: text }), text))).toBe('invalid_body');
  });
});
