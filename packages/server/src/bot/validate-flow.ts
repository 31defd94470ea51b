import type { Settings } from '@signet/protocol';
import { AppError } from '../errors.ts';
import { unknownPlaceholders } from './placeholders.ts';

type Step = Settings['botFlow']['steps'][number];

/** A flow that cannot run is refused when saved, naming the step (API.md `invalid_flow`). */
export function validateBotFlow(flow: Settings['botFlow']): void {
  flow.steps.forEach((step, index) => {
    const problem = problemOf(step);
    if (problem)
      throw new AppError('invalid_flow', `step ${index} (${step.kind}): ${problem}`, { step: index });
  });
}

function problemOf(step: Step): string | undefined {
  const texts = [step.text, ...(step.choices ?? []).map((c) => c.reply)].filter(
    (t): t is string => t !== undefined,
  );
  for (const text of texts) {
    const unknown = unknownPlaceholders(text);
    if (unknown.length) return `unknown placeholder ${unknown.join(', ')}`;
  }
  switch (step.kind) {
    case 'message':
      return step.text?.trim() ? undefined : 'a message step needs text';
    case 'ask_details':
      return step.fields?.length ? undefined : 'an ask_details step needs at least one field';
    case 'choices':
      if (!step.text?.trim()) return 'a choices step needs text';
      return step.choices?.length ? undefined : 'a choices step needs at least one choice';
    case 'handover':
    case 'suggest_articles':
      return undefined;
  }
}
