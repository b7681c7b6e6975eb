import type { EscalationPolicyConfig } from '../../src/config/itsm-catalog';

/** A cycle starts again no sooner than this after its last level. */
const MIN_REPEAT_MINUTES = 5;

/** How many steps a policy has in all: its levels, once plus `repeat` times more. */
export const stepCount = (policy: EscalationPolicyConfig): number => policy.levels.length * (policy.repeat + 1);

/** Which of the policy's levels (0-based) a step pages: the levels repeat. */
export const levelIndexOf = (policy: EscalationPolicyConfig, step: number): number => step % policy.levels.length;

export const levelOf = (policy: EscalationPolicyConfig, step: number) => policy.levels[levelIndexOf(policy, step)];

/**
 * Minutes from step `step` to the next. A level's `after` is its delay from the level before it
 * (the first level's, from the report); a repeat starts again after the last level's delay.
 */
export function minutesToNextStep(policy: EscalationPolicyConfig, step: number): number {
  const next = (step + 1) % policy.levels.length;
  if (next !== 0) return policy.levels[next]?.after ?? 0;
  return Math.max(policy.levels[policy.levels.length - 1]?.after ?? 0, MIN_REPEAT_MINUTES);
}
