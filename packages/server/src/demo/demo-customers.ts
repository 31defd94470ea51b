/**
 * The demo shop's own customers: the only people its token endpoint signs for
 * (API.md, "The demo shop"). Tags feed help-center audiences (HELP.md).
 */
export type DemoCustomer = {
  externalId: string;
  name: string;
  email: string;
  tags: string[];
};

export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  { externalId: 'demo-ada', name: 'Ada Lovelace', email: 'ada@example.com', tags: ['plan:pro'] },
  {
    externalId: 'demo-grace',
    name: 'Grace Hopper',
    email: 'grace@example.com',
    tags: ['plan:pro', 'region:us'],
  },
  { externalId: 'demo-alan', name: 'Alan Turing', email: 'alan@example.com', tags: ['plan:free'] },
  { externalId: 'demo-katherine', name: 'Katherine Johnson', email: 'katherine@example.com', tags: [] },
];

export function findDemoCustomer(externalId: string): DemoCustomer | undefined {
  return DEMO_CUSTOMERS.find((c) => c.externalId === externalId);
}
