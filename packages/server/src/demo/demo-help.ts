import type { AppContext } from '../context.ts';
import { createArticle } from '../help/articles.ts';
import { createCollection, listCollections } from '../help/collections.ts';

/**
 * With the demo on, an empty help center gets a few articles for the demo shop: two for
 * everyone, one for signed-in customers only, one for the `plan:pro` customers
 * (demo-ada and demo-grace), so each audience can be tried by logging in as one of them.
 * A help center that has any collection is never touched.
 */
export async function seedDemoHelp(ctx: AppContext): Promise<void> {
  if ((await listCollections(ctx)).length > 0) return;
  const orders = await createCollection(ctx, {
    title: 'Orders and shipping',
    description: 'Where your parcel is, and how to send it back.',
    position: 1,
  });
  const account = await createCollection(ctx, {
    title: 'Your account',
    description: 'For Acme Outfitters customers who are logged in.',
    position: 2,
  });
  const published = 'published' as const;
  await createArticle(ctx, {
    collectionId: orders.id,
    title: 'How long does shipping take?',
    status: published,
    body: 'Orders leave our warehouse within **one working day**.\n\n- Europe: 2–4 days\n- North America: 4–7 days\n\nTrack your parcel from the link in your confirmation email.',
  });
  await createArticle(ctx, {
    collectionId: orders.id,
    title: 'Returns and refunds',
    status: published,
    body: 'Send anything back within **30 days**. Pack it, print the label from your order page, and drop it at any post office. The refund reaches your card within 5 days of our receiving the parcel.',
  });
  await createArticle(ctx, {
    collectionId: account.id,
    title: 'Change your delivery address',
    status: published,
    audience: { type: 'signed_in' },
    body: 'Open **Account → Addresses**, pick the address, and save. Orders not yet shipped follow the new address; for a shipped one, chat with us.',
  });
  await createArticle(ctx, {
    collectionId: account.id,
    title: 'Pro members: free express shipping',
    status: published,
    audience: { type: 'segment', tagsAll: ['plan:pro'] },
    body: 'As a **Pro** member every order ships express at no cost. Choose *Express* at checkout; the price shows as 0.',
  });
}
