/**
 * Errors that mean "another transaction got there first": a unique constraint, a
 * serialization failure or deadlock on PostgreSQL, a busy database on SQLite. The
 * caller rolls back and runs its transaction again, and then sees the winner's rows.
 */
export function isRetryableConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return (
    code === '23505' || // unique_violation
    code === '40001' || // serialization_failure
    code === '40P01' || // deadlock_detected
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_BUSY_SNAPSHOT'
  );
}

export async function withConflictRetry<T>(attempt: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= attempts || !isRetryableConflict(error)) throw error;
      // A little jitter keeps two losers from colliding again in lock-step.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * i));
    }
  }
}
