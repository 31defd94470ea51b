import fc from 'fast-check';

/**
 * What a generated step does. Every reference to a device, user, key or pool entry is
 * a small index taken modulo what exists when the step runs, so any sequence is valid
 * and shrinks to a shorter valid one.
 */
export type EmailChoice = { index: number; verified: boolean; shout: boolean } | null;
export type Lifetime = '15m' | '3h' | 'none' | 'expired';
export type Tick = '7m' | '5h' | '25h' | '31d';

export type Action =
  | { kind: 'anonymous'; device: number }
  | {
      kind: 'login';
      device: number;
      withSession: boolean;
      externalId: number;
      email: EmailChoice;
      lifetime: Lifetime;
      key: number;
      deletedKey: boolean;
    }
  | { kind: 'apiCreate'; externalId: number | null; email: EmailChoice }
  | { kind: 'merge'; from: number; into: number }
  | { kind: 'deleteKey'; key: number }
  | { kind: 'logout'; device: number }
  | { kind: 'send'; device: number; retry: boolean }
  | { kind: 'details'; device: number; email: number }
  | { kind: 'burst'; devices: number[]; withSessions: boolean; racingSends: boolean; email: EmailChoice }
  | { kind: 'tick'; by: Tick }
  | { kind: 'erase'; user: number }
  | { kind: 'unmerge'; user: number; dryRun: boolean };

/** Distinct external ids of one run: case and spaces matter (§3), so these are four. */
export const EXTERNAL_IDS = ['a', 'A', 'a ', 'b', 'c'] as const;
export const EMAILS = ['ada', 'bob', 'cy'] as const;
export const MAX_DEVICES = 6;

export const TICKS: Record<Tick, number> = {
  '7m': 7 * 60_000,
  '5h': 5 * 3600_000,
  '25h': 25 * 3600_000,
  '31d': 31 * 24 * 3600_000,
};

/** The index-th most recently used device (past the end: a new one); mostly the last one. */
const device = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.nat({ max: MAX_DEVICES - 1 }) },
);
const email: fc.Arbitrary<EmailChoice> = fc.option(
  fc.record({
    index: fc.nat({ max: EMAILS.length - 1 }),
    verified: fc.constantFrom(true, true, false),
    shout: fc.boolean(),
  }),
  { nil: null, freq: 3 },
);

export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('anonymous' as const), device }) },
  {
    weight: 7,
    arbitrary: fc.record({
      kind: fc.constant('login' as const),
      device,
      withSession: fc.constantFrom(true, true, false),
      externalId: fc.nat({ max: EXTERNAL_IDS.length - 1 }),
      email,
      lifetime: fc.constantFrom<Lifetime>('15m', '3h', 'none', 'none', 'expired'),
      key: fc.nat({ max: 3 }),
      deletedKey: fc.constantFrom(false, false, false, true),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('apiCreate' as const),
      externalId: fc.option(fc.nat({ max: EXTERNAL_IDS.length - 1 }), { nil: null, freq: 2 }),
      email,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('merge' as const),
      from: fc.nat({ max: 9 }),
      into: fc.nat({ max: 9 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteKey' as const), key: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('logout' as const), device }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), device, retry: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('details' as const),
      device,
      email: fc.nat({ max: EMAILS.length - 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      devices: fc.uniqueArray(fc.nat({ max: MAX_DEVICES + 2 }), { minLength: 2, maxLength: 4 }),
      withSessions: fc.constantFrom(true, true, false),
      racingSends: fc.constantFrom(true, true, false),
      email,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      by: fc.constantFrom<Tick>('7m', '7m', '5h', '25h', '31d'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), user: fc.nat({ max: 9 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('unmerge' as const),
      user: fc.nat({ max: 9 }),
      dryRun: fc.constantFrom(false, false, false, true),
    }),
  },
);

export const actionsArb = (maxLength: number) =>
  fc.array(actionArb, { minLength: 1, maxLength, size: 'max' });
