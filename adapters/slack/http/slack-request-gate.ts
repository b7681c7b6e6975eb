import { parse as parseQuery } from 'node:querystring';
import { handlerIdOfAction } from '../render/action-value';
import type { NextFunction, Response } from 'express';
import type { z } from 'zod';
import { formatIssues } from '../../../src/config/format-config-errors';
import type { RawBodyRequest } from './verify-slack-signature';
import {
  EVENT_CALLBACK_SHAPE,
  INTERACTION_SHAPES,
  SLASH_COMMAND_SHAPE,
  URL_VERIFICATION_SHAPE,
  isInteractionType,
  type InteractionType,
} from './slack-request-shapes';

/** What the app's listeners answer: anything else is told so at once rather than after Bolt's 3 s. */
export interface SlackRoutes {
  commands: ReadonlySet<string>;
  actions: ReadonlySet<string>;
  submissions: ReadonlySet<string>;
  options: ReadonlySet<string>;
  messageShortcuts: ReadonlySet<string>;
  globalShortcuts: ReadonlySet<string>;
  events: ReadonlySet<string>;
}

type Verdict =
  | { kind: 'pass'; body: Record<string, unknown> }
  | { kind: 'malformed'; problem: string }
  | { kind: 'unhandled'; status: 200 | 404 };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstProblem(result: z.ZodSafeParseResult<unknown>): string | null {
  return result.success ? null : (formatIssues(result.error.issues)[0] ?? 'not a request Slack sends');
}

function routeOf(type: InteractionType, body: Record<string, any>, routes: SlackRoutes): boolean {
  switch (type) {
    case 'block_actions': {
      // Bolt dispatches on the first action (Slack sends one per click): the action id, or a repeat
      // of it on the same card (`<id>#<n>`), as the listener matches.
      const actionId = (body.actions as { action_id: string }[])[0]!.action_id;
      return routes.actions.has(handlerIdOfAction(actionId)) && /^[^#]*(#\d+)?$/.test(actionId);
    }
    case 'view_submission':
      return routes.submissions.has(body.view.callback_id);
    case 'block_suggestion':
      return routes.options.has(body.action_id);
    case 'message_action':
      return routes.messageShortcuts.has(body.callback_id);
    case 'shortcut':
      return routes.globalShortcuts.has(body.callback_id);
    case 'view_closed':
      return false;
  }
}

function judgeForm(text: string, routes: SlackRoutes): Verdict {
  const form = parseQuery(text);
  if (Object.hasOwn(form, 'ssl_check')) {
    return Object.hasOwn(form, 'payload') || Object.hasOwn(form, 'command')
      ? { kind: 'malformed', problem: 'ssl_check: expected alone, not with a payload or a command' }
      : { kind: 'pass', body: { ...form } };
  }
  if (Object.hasOwn(form, 'payload')) {
    const payload = typeof form.payload === 'string' ? parseJson(form.payload) : undefined;
    if (!isObject(payload)) return { kind: 'malformed', problem: 'payload: expected one JSON object' };
    if (!isInteractionType(payload.type)) return { kind: 'malformed', problem: 'type: not an interaction Slack sends' };
    const problem = firstProblem(INTERACTION_SHAPES[payload.type].safeParse(payload));
    if (problem) return { kind: 'malformed', problem };
    return routeOf(payload.type, payload, routes) ? { kind: 'pass', body: payload } : { kind: 'unhandled', status: 404 };
  }
  const problem = firstProblem(SLASH_COMMAND_SHAPE.safeParse(form));
  if (problem) return { kind: 'malformed', problem };
  return routes.commands.has(form.command as string) ? { kind: 'pass', body: { ...form } } : { kind: 'unhandled', status: 404 };
}

function judgeJson(text: string, routes: SlackRoutes): Verdict {
  const body = parseJson(text);
  if (!isObject(body)) return { kind: 'malformed', problem: 'expected one JSON object' };
  switch (body.type) {
    case 'url_verification': {
      const problem = firstProblem(URL_VERIFICATION_SHAPE.safeParse(body));
      return problem ? { kind: 'malformed', problem } : { kind: 'pass', body };
    }
    case 'event_callback': {
      const problem = firstProblem(EVENT_CALLBACK_SHAPE.safeParse(body));
      if (problem) return { kind: 'malformed', problem };
      // An event we do not subscribe to is acknowledged all the same: Slack would retry it.
      return routes.events.has((body.event as { type: string }).type) ? { kind: 'pass', body } : { kind: 'unhandled', status: 200 };
    }
    case 'app_rate_limited':
      return { kind: 'unhandled', status: 200 };
    default:
      return { kind: 'malformed', problem: 'type: not an Events API request Slack sends' };
  }
}

/** Judges a verified request by its content type: Slack sends forms (commands, interactions) and JSON (events). */
export function judgeSlackRequest(contentType: string, text: string, routes: SlackRoutes): Verdict {
  const media = contentType.split(';')[0]?.trim().toLowerCase();
  if (media === 'application/x-www-form-urlencoded') return judgeForm(text, routes);
  if (media === 'application/json') return judgeJson(text, routes);
  return { kind: 'malformed', problem: 'content-type: expected application/x-www-form-urlencoded or application/json' };
}

/** A request that passed the shape check: its body as the JSON object checked, whatever its encoding. */
export interface CheckedSlackRequest extends RawBodyRequest {
  slackBody?: Record<string, unknown>;
}

/**
 * After the signature: every request is checked for the shape of its kind before anything parses
 * it again. A malformed one is answered 400 with its first problem; one we have no listener for is
 * answered at once. What passes goes on as the JSON object we checked (`slackBody`).
 */
export function slackRequestGate(routes: SlackRoutes) {
  return (req: CheckedSlackRequest, res: Response, next: NextFunction): void => {
    const verdict = judgeSlackRequest(req.header('content-type') ?? '', req.rawBody?.toString('utf8') ?? '', routes);
    if (verdict.kind === 'malformed') {
      res.status(400).json({ error: verdict.problem });
      return;
    }
    if (verdict.kind === 'unhandled') {
      res.status(verdict.status).end();
      return;
    }
    req.slackBody = verdict.body;
    next();
  };
}
