import { z } from 'zod';

/**
 * The shape of every kind of request Slack sends us, as far as Bolt and our listeners read it.
 * Checked before Bolt sees the request: Bolt itself reads these fields unguarded and answers 500
 * when they are missing or of another type. Objects stay loose (Slack adds fields over time).
 */

/** Workspace, user, channel and enterprise ids: upper-case letters and digits (T…, U…, W…, C…, D…, G…, E…). */
const slackId = z.string().regex(/^[A-Z0-9]{2,40}$/, 'expected a Slack id');
const triggerId = z.string().min(1).max(255);
const responseUrl = z.url({ protocol: /^https?$/ });
const user = z.looseObject({ id: slackId, team_id: slackId.optional() });
const team = z.looseObject({ id: slackId, enterprise_id: slackId.optional() }).nullable();
const enterprise = z.looseObject({ id: slackId }).nullable().optional();
const channel = z.looseObject({ id: slackId });

const stateValue = z.looseObject({ type: z.string() });
const view = z.looseObject({
  id: z.string().min(1).max(255),
  callback_id: z.string().max(255),
  private_metadata: z.string().max(3000).optional(),
  state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), stateValue)) }).optional(),
  blocks: z.array(z.looseObject({ block_id: z.string().optional() })).optional(),
});

/** Interactions name their workspace in `team`, or (org-wide installs) only in `user.team_id`. */
const interaction = <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
  z
    .looseObject({
      user,
      team: team.optional(),
      enterprise,
      channel: channel.optional(),
      // Bolt reads the first one as the response_url of a submission.
      response_urls: z.array(z.looseObject({ response_url: responseUrl })).optional(),
      ...shape,
    })
    .refine((body) => Boolean((body.team as { id?: string } | null | undefined)?.id ?? (body.user as { team_id?: string }).team_id), {
      message: 'expected the workspace in team.id or user.team_id',
      path: ['team'],
    });

const action = z.looseObject({
  action_id: z.string().min(1).max(255),
  block_id: z.string().max(255).optional(),
  type: z.string(),
  value: z.string().max(2000).optional(),
  selected_option: z.looseObject({ value: z.string().max(150) }).nullable().optional(),
});

export const INTERACTION_SHAPES = {
  block_actions: interaction({
    type: z.literal('block_actions'),
    trigger_id: triggerId,
    actions: z.array(action).min(1).max(25),
    container: z.looseObject({ type: z.string(), channel_id: slackId.optional(), message_ts: z.string().optional() }).optional(),
    channel: channel.optional(),
    message: z.looseObject({ ts: z.string() }).optional(),
    view: view.optional(),
    // What was typed into a card's inputs.
    state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), stateValue)) }).optional(),
    response_url: responseUrl.optional(),
  }),
  view_submission: interaction({
    type: z.literal('view_submission'),
    trigger_id: triggerId.optional(),
    view: view.extend({ state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), stateValue)) }), blocks: z.array(z.looseObject({ block_id: z.string().optional() })) }),
  }),
  view_closed: interaction({ type: z.literal('view_closed'), view }),
  block_suggestion: interaction({
    type: z.literal('block_suggestion'),
    action_id: z.string().min(1).max(255),
    block_id: z.string().max(255),
    value: z.string().max(2000),
    view: view.optional(),
  }),
  message_action: interaction({
    type: z.literal('message_action'),
    callback_id: z.string().min(1).max(255),
    trigger_id: triggerId,
    channel,
    message: z.looseObject({ ts: z.string().min(1), text: z.string().optional() }),
    response_url: responseUrl.optional(),
  }),
  shortcut: interaction({ type: z.literal('shortcut'), callback_id: z.string().min(1).max(255), trigger_id: triggerId }),
} as const;

export const SLASH_COMMAND_SHAPE = z.looseObject({
  command: z.string().regex(/^\/[a-z0-9_-]{1,32}$/, 'expected a slash command such as /incident'),
  text: z.string().max(4000),
  user_id: slackId,
  team_id: slackId,
  channel_id: slackId,
  enterprise_id: slackId.optional(),
  trigger_id: triggerId,
  response_url: responseUrl,
});

const EVENT_SHAPES: Record<string, z.ZodType> = {
  app_mention: z.looseObject({
    user: slackId.optional(),
    text: z.string().max(40_000),
    channel: slackId,
    ts: z.string().min(1),
    thread_ts: z.string().min(1).optional(),
  }),
  app_home_opened: z.looseObject({ user: slackId, tab: z.string() }),
};

const authorization = z.looseObject({ team_id: slackId.nullable().optional(), enterprise_id: slackId.nullable().optional() });
export const EVENT_CALLBACK_SHAPE = z
  .looseObject({
    type: z.literal('event_callback'),
    team_id: slackId,
    enterprise_id: slackId.nullable().optional(),
    event_id: z.string().min(1).max(255),
    // What Bolt reads of any event to find its conversation and user, unguarded.
    event: z.looseObject({
      type: z.string().min(1).max(255),
      user: z.union([slackId, z.looseObject({ id: slackId })]).optional(),
      channel: z.union([slackId, z.looseObject({ id: slackId.optional(), creator: slackId.optional() })]).optional(),
      channel_id: slackId.optional(),
      item: z.looseObject({ channel: slackId.optional() }).optional(),
      subteam: z.looseObject({ created_by: slackId.optional() }).optional(),
    }),
    authorizations: z.array(authorization).optional(),
  })
  .superRefine((body, ctx) => {
    const shape = Object.hasOwn(EVENT_SHAPES, body.event.type) ? EVENT_SHAPES[body.event.type] : undefined;
    const checked = shape?.safeParse(body.event);
    for (const issue of checked && !checked.success ? checked.error.issues : []) {
      ctx.addIssue({ code: 'custom', path: ['event', ...issue.path], message: issue.message });
    }
  });

export const URL_VERIFICATION_SHAPE = z.looseObject({ type: z.literal('url_verification'), challenge: z.string().min(1).max(1000) });

export type InteractionType = keyof typeof INTERACTION_SHAPES;
export const isInteractionType = (type: unknown): type is InteractionType => typeof type === 'string' && Object.hasOwn(INTERACTION_SHAPES, type);
