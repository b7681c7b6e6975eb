import { z } from 'zod';
import { DomainError } from '../../src/domain/domain-error';
import { onCallNowAndNext, type OnCallShift } from '../../src/domain/on-call';
import { formatInstant, t } from '../../src/i18n/translate';
import type { Actor } from '../../src/people/people-directory';
import type { CardView } from '../../src/views/view-model';
import { defineHandler, result, type HandlerContext } from '../handler';

export const ONCALL_IDS = { show: 'oncall.show' } as const;

function personName(ctx: HandlerContext, email: string): string {
  return ctx.catalog.people.get(email)?.name ?? email;
}

function shiftText(ctx: HandlerContext, actor: Actor, shift: OnCallShift, key: 'oncall.now' | 'oncall.next'): string {
  const name = personName(ctx, shift.person) + (shift.override ? ` (${t(actor.locale, 'oncall.override')})` : '');
  const when = formatInstant(key === 'oncall.now' ? shift.to : shift.from, actor.locale, actor.timeZone);
  return t(actor.locale, key, { person: name, until: when, from: when });
}

/** Who is on call now and next for each group with a schedule (or the groups named). */
export const showOnCall = defineHandler({
  id: ONCALL_IDS.show,
  description: 'Who is on call now and next, per group.',
  entry: {
    commands: [
      { command: 'oncall', argument: { field: 'group', usage: 'group', optional: true }, summary: 'help.oncall.show', commandSummary: 'command.oncall' },
      { command: 'itsm', words: 'oncall', argument: { field: 'group', usage: 'group', optional: true }, summary: 'help.oncall.show' },
    ],
  },
  input: z.object({ group: z.string().trim().max(80).optional() }),
  run: async (ctx, actor, input) => {
    const wanted = input.group?.toLowerCase();
    const now = ctx.now();
    const items: CardView[] = [];
    for (const group of ctx.catalog.groups.values()) {
      if (wanted && group.key !== wanted && group.name.toLowerCase() !== wanted) continue;
      const schedule = ctx.catalog.onCallScheduleOf(group.key);
      if (!schedule) continue;
      const shifts = onCallNowAndNext(schedule, now);
      items.push({
        kind: 'card',
        title: group.name,
        fields: [
          { label: t(actor.locale, 'oncall.title'), value: shiftText(ctx, actor, shifts.now, 'oncall.now') },
          { label: '→', value: shiftText(ctx, actor, shifts.next, 'oncall.next') },
        ],
        actions: [],
      });
    }
    const known = [...ctx.catalog.groups.values()].some((g) => g.key === wanted || g.name.toLowerCase() === wanted);
    if (wanted && !known) throw new DomainError('GROUP.UNKNOWN', { group: input.group ?? '' }, 'group');
    return result([{ kind: 'list', title: t(actor.locale, 'oncall.title'), empty: t(actor.locale, 'oncall.none'), items }]);
  },
});
