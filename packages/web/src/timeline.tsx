import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Page, type User } from './api.ts';
import { fmtTime } from './ui.tsx';

export type TimelineEntry = {
  id: string;
  userId: string;
  kind: string;
  text: string;
  data: Record<string, unknown>;
  createdAt: string;
};
type UnmergePreview = {
  restored: User;
  survivor: User;
  movedBack: { identities: { type: string; value: string }[]; conversations: number; messages: number };
  dryRun: boolean;
};

const PAGE = 20;

/**
 * How this user came to be, newest first, each decision in words. Entries of users since
 * merged in are marked; admins can undo a merge from its entry, after a preview.
 */
export function Timeline({
  user,
  isAdmin,
  onUnmerged,
}: {
  user: User;
  isAdmin: boolean;
  onUnmerged(survivor: User): void;
}) {
  const [entries, setEntries] = useState<TimelineEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');

  const load = async (before: string | null) => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (before) params.set('before', before);
    try {
      const page = await api<Page<TimelineEntry>>('GET', `/v1/users/${user.id}/timeline?${params}`);
      setEntries((all) => (before ? [...all, ...page.data] : page.data));
      setCursor(page.nextCursor);
      setError('');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    setEntries([]);
    void load(null);
  }, [user.id]);

  return (
    <section class="timeline" aria-label="Identity timeline" data-testid="timeline">
      <h4>Timeline</h4>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ol>
        {entries.map((entry) => (
          <li key={entry.id} data-testid="timeline-entry" data-kind={entry.kind}>
            <time dateTime={entry.createdAt}>{fmtTime(entry.createdAt)}</time>
            {entry.userId !== user.id && (
              <span class="merged-tag" title={`Recorded for user ${entry.userId}, since merged in`}>
                merged user
              </span>
            )}
            <p>{entry.text}</p>
            {isAdmin && entry.kind === 'merged_in' && typeof entry.data.fromUserId === 'string' && (
              <UndoMerge
                userId={user.id}
                mergedUserId={entry.data.fromUserId}
                onDone={(survivor) => {
                  void load(null);
                  onUnmerged(survivor);
                }}
              />
            )}
          </li>
        ))}
        {entries.length === 0 && !error && <li class="muted">Nothing recorded yet.</li>}
      </ol>
      {cursor && (
        <button type="button" onClick={() => load(cursor)}>
          More
        </button>
      )}
    </section>
  );
}

/** Undo one merge: a dry run says what moves back, a confirm does it. */
function UndoMerge({
  userId,
  mergedUserId,
  onDone,
}: {
  userId: string;
  mergedUserId: string;
  onDone(survivor: User): void;
}) {
  const [preview, setPreview] = useState<UnmergePreview | null>(null);
  const [error, setError] = useState('');
  const call = (dryRun: boolean) =>
    api<UnmergePreview>('POST', `/v1/users/${userId}/unmerge`, {
      mergedUserId,
      ...(dryRun ? { dryRun: true } : {}),
    });
  const failed = (e: unknown) =>
    setError(e instanceof ApiError && e.code === 'unmerge_blocked' ? e.message : (e as Error).message);

  const ask = async () => {
    setError('');
    try {
      setPreview(await call(true));
    } catch (e) {
      failed(e);
    }
  };
  const confirm = async () => {
    try {
      const result = await call(false);
      setPreview(null);
      onDone(result.survivor);
    } catch (e) {
      setPreview(null);
      failed(e);
    }
  };

  const moved = preview?.movedBack;
  return (
    <div class="undo-merge">
      {!preview && (
        <button type="button" onClick={ask}>
          Undo merge…
        </button>
      )}
      {moved && (
        <div role="alertdialog" aria-label="Confirm undo merge" data-testid="unmerge-preview">
          <p>
            User {mergedUserId} comes back with {moved.conversations} conversation
            {moved.conversations === 1 ? '' : 's'} and {moved.messages} message
            {moved.messages === 1 ? '' : 's'}
            {moved.identities.length > 0
              ? `, and ${moved.identities.map((i) => `${i.type === 'external_id' ? 'external id' : 'email'} ${i.value}`).join(', ')}`
              : ', and no identities'}
            .
          </p>
          <button type="button" class="danger" onClick={confirm}>
            Undo the merge
          </button>{' '}
          <button type="button" onClick={() => setPreview(null)}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
