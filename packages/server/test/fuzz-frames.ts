import fc from 'fast-check';
import WebSocket from 'ws';
import { ERROR_STATUS } from '../src/errors.ts';

/** Error codes a socket may answer with besides the table's client errors. */
const FRAME_CODES = new Set(['bad_frame', 'already_authenticated', 'bad_cursor']);
/** Closes a hostile frame may cause: invalid UTF-8 in a text frame, a frame over the size cap. */
const EXPECTED_CLOSES = new Set([1007, 1009]);

type Options = {
  ws: string;
  seed: number;
  runs: number;
  client: { sessionToken: string };
  agent: { apiToken: string };
  /** Real ids, so some frames reach past validation. */
  ids: string[];
};

type Report = { problems: string[]; acks: number; errors: number };

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '😀'.repeat(2100),
    'é'.repeat(4097),
    'y'.repeat(70_000),
  ),
);
const value = fc.oneof(
  { weight: 3, arbitrary: text },
  fc.integer(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

function frames(ids: string[]): fc.Arbitrary<string | Buffer | { invalidUtf8: Buffer }> {
  const id = fc.oneof(fc.constantFrom(...ids), value);
  const object = fc.record(
    {
      type: fc.oneof(fc.constantFrom('message.send', 'typing', 'read', 'ping', 'auth'), value),
      text: value,
      clientMessageId: fc.oneof(text, value),
      conversationId: id,
      messageId: id,
      since: value,
      sessionToken: value,
      apiToken: value,
      extra: value,
    },
    { requiredKeys: ['type'] },
  );
  const send = fc.record({
    type: fc.constant('message.send'),
    text: fc.string({ minLength: 1, maxLength: 30 }),
    clientMessageId: fc.string({ minLength: 1, maxLength: 20 }),
  });
  return fc.oneof(
    { weight: 6, arbitrary: object.map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: send.map((o) => JSON.stringify(o)) },
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
    fc.uint8Array({ minLength: 1, maxLength: 10 }).map((bytes) => ({
      invalidUtf8: Buffer.concat([
        Buffer.from('{"type":"ping","x":"'),
        Buffer.from([0xff, ...bytes]),
        Buffer.from('"}'),
      ]),
    })),
  );
}

/** One authenticated socket that reopens when a hostile frame gets it closed. */
class Peer {
  ws!: WebSocket;
  received: { type: string; code?: string }[] = [];
  closes: number[] = [];
  #pongs = 0;

  constructor(
    readonly url: string,
    readonly auth: Record<string, string>,
  ) {}

  async open(): Promise<void> {
    this.ws = new WebSocket(this.url);
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'pong') this.#pongs++;
      this.received.push(frame);
    });
    this.ws.on('close', (code) => this.closes.push(code));
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    const before = this.received.length;
    this.ws.send(JSON.stringify({ type: 'auth', ...this.auth }));
    await this.until(() => this.received.slice(before).some((f) => f.type === 'ready'));
  }

  async send(frame: string | Buffer | { invalidUtf8: Buffer }): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) await this.open();
    if (Buffer.isBuffer(frame)) this.ws.send(frame, { binary: true });
    else if (typeof frame === 'string') this.ws.send(frame);
    else this.ws.send(frame.invalidUtf8, { binary: false });
  }

  /** Waits until every frame sent so far has been answered (a ping's pong comes after them). */
  async settle(): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const want = this.#pongs + 1;
    this.ws.send('{"type":"ping"}');
    await this.until(() => this.#pongs >= want || this.ws.readyState !== WebSocket.OPEN);
  }

  async until(check: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`socket ${this.url} did not answer in time`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export async function fuzzFrames(options: Options): Promise<Report> {
  const peers = [
    new Peer(`${options.ws}/v1/client/ws`, options.client),
    new Peer(`${options.ws}/v1/ws`, options.agent),
  ];
  for (const peer of peers) await peer.open();
  const sample = fc.sample(frames(options.ids), { numRuns: options.runs, seed: options.seed });
  // One frame at a time: a frame that gets the socket closed must not take the next ones with it.
  for (const frame of sample) {
    for (const peer of peers) {
      await peer.send(frame);
      await peer.settle();
    }
  }
  // Answers to message.send arrive after their write: give the last ones a moment.
  await new Promise((r) => setTimeout(r, 300));

  const problems: string[] = [];
  let acks = 0;
  let errors = 0;
  for (const peer of peers) {
    for (const frame of peer.received) {
      if (frame.type === 'message.ack') acks++;
      if (frame.type !== 'error') continue;
      errors++;
      const status = ERROR_STATUS[frame.code as keyof typeof ERROR_STATUS];
      if (!FRAME_CODES.has(frame.code ?? '') && !(status && status < 500))
        problems.push(`${peer.url}: error frame ${JSON.stringify(frame).slice(0, 200)}`);
    }
    for (const code of peer.closes)
      if (!EXPECTED_CLOSES.has(code)) problems.push(`${peer.url}: closed with ${code}`);
    peer.ws.terminate();
  }
  return { problems: [...new Set(problems)], acks, errors };
}
