/** The agent socket (cookie-authenticated), reconnecting with its cursor after any drop. */
export type LiveFrame = { type: string; cursor?: string; [key: string]: unknown };

export type Live = { stop(): void; send(frame: unknown): void };

export function connectLive(onFrame: (frame: LiveFrame) => void, onState: (online: boolean) => void): Live {
  let socket: WebSocket | undefined;
  let cursor: string | undefined;
  let attempt = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`);
    socket.onopen = () =>
      socket?.send(JSON.stringify({ type: 'auth', ...(cursor ? { since: cursor } : {}) }));
    socket.onmessage = (event) => {
      const frame = JSON.parse(String(event.data)) as LiveFrame;
      if (frame.cursor) cursor = frame.cursor;
      if (frame.type === 'ready') {
        attempt = 0;
        onState(true);
      }
      if (frame.type === 'error' && frame.code === 'bad_cursor') cursor = undefined;
      onFrame(frame);
    };
    socket.onclose = () => {
      onState(false);
      if (stopped) return;
      const delay = Math.min(10_000, 300 * 2 ** attempt++) * (0.5 + Math.random() / 2);
      timer = setTimeout(open, delay);
    };
  };
  open();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    },
    send(frame) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    },
  };
}
