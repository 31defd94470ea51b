import { SignetClient } from '@signet/client';
import { render } from 'preact';
import { stringsFor } from './i18n.ts';
import { Messenger, type View } from './messenger.tsx';
import { STYLES } from './styles.ts';

/**
 * The host-page API (API.md "The host page"), Zendesk-shaped so a page ports by
 * renaming `zE` to `Signet`. Calls made before this script loaded wait in `Signet.q`:
 *
 *   window.Signet = window.Signet || function () { (Signet.q = Signet.q || []).push(arguments) };
 */
type Call = unknown[];
type Listener = (value?: unknown) => void;
type Queued = ((...args: Call) => void) & { q?: ArrayLike<unknown>[] };

declare global {
  interface Window {
    Signet?: Queued;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const serverUrl = new URL(script?.src ?? location.href).origin;
const earlier = Array.from(window.Signet?.q ?? [], (args) => Array.from(args));

const client = new SignetClient({ serverUrl });
const listeners = new Map<string, Set<Listener>>();
const emit = (event: string, value?: unknown) => {
  for (const listener of listeners.get(event) ?? []) listener(value);
};
let view: View = { open: false, visible: true, strings: stringsFor(navigator.language || 'en') };

const host = document.createElement('div');
host.id = 'signet-messenger';
const root = host.attachShadow({ mode: 'open' });
const style = document.createElement('style');
style.textContent = STYLES;
root.appendChild(style);
const mount = document.createElement('div');
root.appendChild(mount);

function toggle(open: boolean): void {
  if (open === view.open) return;
  view = { ...view, open };
  emit(open ? 'open' : 'close');
  draw();
}

function draw(): void {
  render(<Messenger client={client} view={view} onToggle={toggle} />, mount);
}

client.on('unread', (count) => emit('unreadMessages', count));

function handle([target, command, ...args]: Call): void {
  if (target === 'messenger') {
    switch (command) {
      case 'loginUser': {
        const [fetchToken, onError] = args as [
          (callback: (jwt: string) => void) => void,
          ((reason: string) => void)?,
        ];
        const getToken = () => new Promise<string>((resolve) => fetchToken(resolve));
        // At once, not after start: a login under way holds back sends, and spares an anonymous session.
        void client.login(getToken).then((outcome) => {
          if (!outcome.ok) onError?.(outcome.reason);
        });
        return;
      }
      case 'logoutUser':
        void client.logout();
        return;
      case 'open':
        toggle(true);
        return;
      case 'close':
        toggle(false);
        return;
      case 'show':
        view = { ...view, visible: true };
        draw();
        return;
      case 'hide':
        view = { ...view, visible: false, open: false };
        draw();
        return;
    }
  } else if (target === 'messenger:on') {
    const [listener] = args as [Listener];
    const event = String(command);
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)!.add(listener);
    if (event === 'unreadMessages') listener(client.state.unreadCount);
    return;
  } else if (target === 'messenger:set' && command === 'locale') {
    view = { ...view, strings: stringsFor(String(args[0])) };
    draw();
    return;
  }
  console.warn('[signet] unknown call', target, command);
}

function attach(): void {
  document.body.appendChild(host);
  draw();
}
if (document.body) attach();
else document.addEventListener('DOMContentLoaded', attach);

window.Signet = (...args: Call) => handle(args);
// Queued calls first: a `loginUser` among them makes start wait for that login.
for (const call of earlier) handle(call);
client.start().catch((error: unknown) => console.warn('[signet] could not reach the server', error));
