import type { TokenInspection } from '@signet/protocol';

const MARK = { pass: '✓', fail: '✗', skipped: '·' } as const;

/** `signet token inspect` for people: the verdict in words, each rule, the key, the dry run. */
export function inspectionText(report: TokenInspection): string {
  const lines = [
    report.valid ? 'VALID' : `REFUSED: ${report.reason}${report.claim ? ` (${report.claim})` : ''}`,
  ];
  lines.push(report.explanation, '');
  for (const check of report.checks) {
    const why = check.result === 'fail' ? `  → ${check.reason}${check.claim ? ` (${check.claim})` : ''}` : '';
    lines.push(`${MARK[check.result]} ${check.rule}${why}`);
  }
  if (report.key) {
    const { kid, state, name } = report.key;
    lines.push('', `key: ${kid} ${name ? `"${name}" ` : ''}(${state})`);
  }
  if (report.header) lines.push(`header: ${JSON.stringify(report.header)}`);
  if (report.claims) lines.push(`claims: ${JSON.stringify(report.claims)}`);
  if (report.dryRun) {
    const { resolution, emailOutcome, userId } = report.dryRun;
    lines.push(`a login now: ${resolution}${userId ? ` (user ${userId})` : ''}, email ${emailOutcome}`);
  }
  return lines.join('\n');
}
