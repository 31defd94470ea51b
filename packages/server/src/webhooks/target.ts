import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors.ts';

/**
 * WEBHOOKS.md "Targets": loopback, private and link-local addresses are refused unless the
 * operator sets WEBHOOK_ALLOW_PRIVATE=1, so a webhook cannot be pointed at the server's
 * own network (metadata services, databases, admin ports).
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
    return PRIVATE.check(address, 'ipv6');
  }
  return PRIVATE.check(address, 'ipv4');
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Checks a target's shape and, unless allowed, where its host resolves to (at creation and on change). */
export async function checkWebhookTarget(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_webhook_url', 'not a URL', { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('invalid_webhook_url', 'only http and https URLs', { field: 'url' });
  // Credentials in a URL would be shown back in the admin app and logs.
  if (url.username || url.password)
    throw new AppError('invalid_webhook_url', 'a webhook URL cannot carry credentials', { field: 'url' });
  if (allowPrivate) return url.toString();
  const host = hostOf(url);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      // A name that does not resolve yet is checked again at every delivery.
      addresses = host === 'localhost' || host.endsWith('.localhost') ? ['127.0.0.1'] : [];
    }
  }
  if (addresses.some(isPrivateAddress))
    throw new AppError('private_webhook_target', 'loopback, private and link-local targets are refused', {
      field: 'url',
    });
  return url.toString();
}
