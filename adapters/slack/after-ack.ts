import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import { ErrorCode } from '@slack/web-api';
import { t, type Locale } from '../../src/i18n/translate';
import { LeftUnfinished } from '../../src/server/work-thread';
import type { HandedOver, SlackDeps } from './slack-context';
import { NotYet, rateLimitedForMs } from './slack-limits';

/** What identifies one Slack request across its deliveries: the event id, or the interaction's trigger id. */
export function requestKeyOf(body: Record<string, unknown>): string | null {
  if (typeof body.event_id === 'string') return `event:${body.event_id}`;
  if (typeof body.trigger_id === 'string') return `${typeof body.type === 'string' ? body.type : 'command'}:${body.trigger_id}`;
  return null;
}

/** Who made the request and where to tell them, should the work fail. */
export interface SlackRequest {
  body: Record<string, unknown> | object;
  userId: string;
  channel?: string | undefined;
  respond?: RespondFn | undefined;
  botToken?: string | undefined;
  /**
   * This delivery stored the request in the intake (a retry of one being done finds it there);
   * absent for a request of a kind the intake never holds (a command, an event).
   */
  accepted?: boolean;
  /** When the request arrived (epoch ms): a form opens only while its trigger lives. */
  receivedAt?: number;
}

/** The hand-over of a request acknowledged by another thread, when this delivery is one. */
export function handedOverOf(context: object): HandedOver | undefined {
  return (context as { handedOver?: HandedOver }).handedOver;
}

/** When the request arrived (epoch ms): as the thread that acknowledged it says, or now. */
export function receivedAtOf(context: object): number {
  return handedOverOf(context)?.receivedAt ?? Date.now();
}

/**
 * The work a listener does after acknowledging, done once per request and never in silence.
 *
 * Slack resends a request it thinks failed (X-Slack-Retry-Num), identical but for that header;
 * Bolt passes each delivery on. The first delivery claims the request's key with a unique insert
 * (after the acknowledgement, so the answer never waits for the database); a later one finds the
 * key taken and stops, answered but doing nothing. A failure is logged with an error id and the
 * person is told that id (stopped by Slack's limits: told when to try again); the claim is
 * released so that a retry may do the work.
 */
export function afterAck(deps: SlackDeps, request: SlackRequest, work: () => Promise<void>): Promise<void> {
  const key = requestKeyOf(request.body as Record<string, unknown>);
  if (deps.handOff) {
    handOver(deps, deps.handOff, { body: request.body, receivedAt: request.receivedAt ?? Date.now(), ...(request.accepted !== undefined ? { accepted: request.accepted } : {}) });
    return Promise.resolve();
  }
  return deps.opsdesk.work.run(async () => {
    try {
      if (!(await firstDelivery(deps, request.body))) {
        // A retry of a request already done: what this delivery stored is not work to replay.
        if (key && request.accepted) await clearIntake(deps, key);
        return;
      }
    } catch (error) {
      // Told it failed, the person tries again: nothing is left to replay.
      await tellFailure(deps, request, error);
      if (key && request.accepted) await clearIntake(deps, key);
      return;
    }
    try {
      await work();
    } catch (error) {
      if (key) await deps.opsdesk.slack.requests.release(key).catch(() => undefined);
      await tellFailure(deps, request, error);
    }
    // Done, or failed and told (the person may try again): nothing is left to replay. Commands and
    // events are never stored (only the listeners of clicks and forms say whether they stored).
    if (key && request.accepted !== undefined) await clearIntake(deps, key);
  });
}

/**
 * Gives an acknowledged request's work to the work thread. Tracked, so that a stopping process
 * finishes it before closing the database (the work thread answers when it is done), and counted by
 * the overload gate. Not waited for: the caller lets go of the request at once, so that a backlog in
 * the work thread costs this thread a count each rather than each request it holds (the soak's
 * backlog of 2,000 took 35 MB of its heap). The work thread logs its failures, and its listeners tell
 * the person theirs. `accepted`: whether this delivery stored the request in the intake; absent for
 * a kind the intake never holds (a command, an event).
 */
export function handOver(deps: SlackDeps, handOff: NonNullable<SlackDeps['handOff']>, request: { body: object; receivedAt: number; accepted?: boolean }): void {
  const key = requestKeyOf(request.body as Record<string, unknown>);
  const handed = { body: request.body, receivedAt: request.receivedAt, accepted: Boolean(request.accepted) };
  void deps.opsdesk.work.run(() => handOff(handed)).catch((error: unknown) => {
    // A click or a form is in the intake: counted in the stop's own warning, and replayed by the
    // restart. A command or an event is not kept, so its loss is said.
    if (error instanceof LeftUnfinished && request.accepted !== undefined) deps.opsdesk.log.debug({ requestKey: key }, 'a request handed to the work thread was left unfinished by the stop; the intake keeps it');
    else if (error instanceof LeftUnfinished) deps.opsdesk.log.warn({ requestKey: key }, 'a command or event handed to the work thread was left unfinished by the stop; it is not replayed');
    else deps.opsdesk.log.warn({ err: error, requestKey: key }, 'a request handed to the work thread failed there');
  });
}

export function clearIntake(deps: SlackDeps, key: string): Promise<void> {
  return deps.opsdesk.intake.done('slack', key).catch((error: unknown) => deps.opsdesk.log.warn({ err: error, requestKey: key }, 'could not clear the intake'));
}

/**
 * Stores a request that changes something before it is acknowledged (the durable way in): if this
 * process dies before its work is done, another process or the restart replays it from here.
 * A retried delivery finds it stored already.
 */
export async function acceptIntoIntake(deps: SlackDeps, body: object): Promise<boolean> {
  const key = requestKeyOf(body as Record<string, unknown>);
  if (!key) return false;
  return deps.opsdesk.intake.accept('slack', key, JSON.stringify({ kind: (body as { type?: string }).type, body: replayablePart(body as Record<string, any>) }));
}

/**
 * Only what doing the work again needs: who, where, what was clicked or typed. Not the
 * verification token, the response URLs (they can post as the app), the message or the view's blocks.
 */
function replayablePart(body: Record<string, any>): Record<string, unknown> {
  const common = {
    type: body.type,
    trigger_id: body.trigger_id,
    user: { id: body.user?.id },
    team: body.team ? { id: body.team.id } : null,
    enterprise: body.enterprise ? { id: body.enterprise.id } : null,
    is_enterprise_install: Boolean(body.is_enterprise_install),
  };
  if (body.type === 'view_submission') {
    const { id, callback_id, private_metadata, state } = body.view ?? {};
    return { ...common, view: { id, callback_id, private_metadata, state } };
  }
  const container = body.container ? { type: body.container.type, channel_id: body.container.channel_id, message_ts: body.container.message_ts } : undefined;
  return { ...common, container, channel: body.channel ? { id: body.channel.id } : undefined, actions: body.actions, state: body.state };
}

/**
 * Stores the request in the intake, then acknowledges it; null when Slack had its answer already.
 * Bolt answers a request not acknowledged within 3 s itself (404: the person sees a failure), and
 * the late acknowledgement then throws: the request is withdrawn from the intake rather than done
 * later, since the person was told it failed and will try again.
 */
export async function storeThenAck(deps: SlackDeps, body: object, ack: () => Promise<void>, handedOver?: HandedOver): Promise<{ accepted: boolean } | null> {
  // Stored and acknowledged by the thread that handed it over.
  if (handedOver) return { accepted: handedOver.accepted };
  const accepted = await acceptIntoIntake(deps, body);
  try {
    await ack();
    return { accepted };
  } catch (error) {
    await withdrawLate(deps, body, accepted, error);
    return null;
  }
}

/**
 * A request stored after Slack had its answer (past its 3 s): the person was told it failed and
 * will try again, so what this delivery stored is withdrawn rather than done.
 */
export async function withdrawLate(deps: SlackDeps, body: object, accepted: boolean, error?: unknown): Promise<void> {
  const key = requestKeyOf(body as Record<string, unknown>);
  deps.opsdesk.log.warn({ ...(error ? { err: error } : {}), requestKey: key }, 'Slack was answered before the request was acknowledged (too slow): withdrawn, not done');
  if (key && accepted) await clearIntake(deps, key);
}

/** Claims the request for this delivery: false when an earlier delivery of it has claimed it. */
export async function firstDelivery(deps: SlackDeps, body: object): Promise<boolean> {
  const key = requestKeyOf(body as Record<string, unknown>);
  if (!key) return true;
  if (await deps.opsdesk.slack.requests.claim(key)) return true;
  deps.opsdesk.log.info({ requestKey: key }, 'Slack request already handled: this delivery is a retry');
  return false;
}

/**
 * What to tell a person whose work Slack's limits stopped: no fault of ours, nothing to log under an
 * error id. A 429 or no turn in time says when to try again; a trigger expired before its modal opened.
 */
function adviceFor(error: unknown, locale: Locale): string | undefined {
  if (error instanceof NotYet) return t(locale, 'slack.limited', { seconds: Math.max(1, Math.ceil((error.afterMs ?? 1000) / 1000)) });
  const limitedForMs = rateLimitedForMs(error);
  if (limitedForMs !== undefined) return t(locale, 'slack.limited', { seconds: limitedForMs / 1000 });
  const failed = error as { code?: unknown; data?: { error?: unknown } } | null;
  if (failed?.code === ErrorCode.PlatformError && failed.data?.error === 'expired_trigger_id') return t(locale, 'slack.expiredTrigger');
  return undefined;
}

/**
 * Tells the person the work was not done. Slack's limits are no fault of ours: they are told when to
 * try again. Anything else is logged in full under a new error id, and they are told only that id.
 *
 * The response URL reaches the person anywhere and counts against no limit. Without one, the
 * outbox tells them (an ephemeral where they acted, else their direct message): within those
 * limits, again once Slack's Retry-After has passed, and once for a request however often its
 * work fails. Only if the outbox cannot take it (the database may be what failed) is the person
 * told directly, each way tried once.
 */
export async function tellFailure(deps: SlackDeps, request: SlackRequest, error: unknown): Promise<void> {
  const { log, ctx } = deps.opsdesk;
  const locale = ctx.catalog.config.defaults.locale;
  const advice = adviceFor(error, locale);
  const errorId = advice === undefined ? randomUUID() : undefined;
  if (errorId) log.error({ errorId, err: error, userId: request.userId }, 'Slack request failed after its acknowledgement');
  else log.warn({ err: error, userId: request.userId }, "Slack request not done within Slack's limits: the person is told to try again");
  const text = advice ?? t(locale, 'error.INTERNAL', { errorId: errorId as string });
  if (request.respond) {
    try {
      await request.respond({ response_type: 'ephemeral', replace_original: false, text });
      return;
    } catch (telling) {
      log.warn({ errorId, err: telling }, 'could not tell the person about the failure through the response URL');
    }
  }
  const body = request.body as { team?: { id?: string } | null; team_id?: string };
  const team = body.team?.id ?? body.team_id;
  try {
    await deps.opsdesk.jobs.notifier.announce(
      [],
      {
        platform: 'slack',
        user: request.userId,
        ...(request.channel ? { channel: request.channel } : {}),
        requestKey: `failed.${requestKeyOf(request.body as Record<string, unknown>) ?? errorId ?? randomUUID()}`,
        views: [{ kind: 'notice', tone: advice === undefined ? 'error' : 'info', text }],
      },
      team ? { workspace: team } : {},
    );
    return;
  } catch (storing) {
    log.warn({ errorId, err: storing }, 'could not hand the failure to the outbox: the person is told directly');
  }
  const ways = [
    request.channel ? () => deps.deliveryClient(request.botToken).chat.postEphemeral({ channel: request.channel!, user: request.userId, text }) : null,
    () => deps.deliveryClient(request.botToken).chat.postMessage({ channel: request.userId, text }),
  ];
  for (const way of ways) {
    if (!way) continue;
    try {
      await way();
      return;
    } catch (telling) {
      log.warn({ errorId, err: telling }, 'could not tell the person about the failure this way');
    }
  }
  log.error({ errorId }, 'could not tell the person about the failure');
}
