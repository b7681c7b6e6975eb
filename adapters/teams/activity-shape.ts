import { z } from 'zod';

const account = z.object({ id: z.string().min(1).max(300), name: z.string().max(300).optional(), aadObjectId: z.string().max(100).optional() });

/**
 * What opsdesk needs of any activity before botbuilder sees it: a malformed one is answered 400
 * with its first problem (botbuilder would answer 500).
 */
export const activityShape = z.object({
  type: z.string().min(1).max(50),
  id: z.string().min(1).max(300).optional(),
  channelId: z.string().min(1).max(50),
  serviceUrl: z.url({ message: 'expected the serviceUrl the reply goes to' }),
  from: account,
  recipient: account.optional(),
  conversation: z.object({ id: z.string().min(1).max(500), conversationType: z.string().max(50).optional(), tenantId: z.string().max(100).optional() }),
  text: z.string().max(30_000).optional(),
  name: z.string().max(100).optional(),
  value: z.unknown().optional(),
});

/** `null` when the body is an activity opsdesk can take; else what is wrong with it. */
export function activityProblem(body: unknown): string | null {
  const parsed = activityShape.safeParse(body);
  if (parsed.success) return null;
  const [issue] = parsed.error.issues;
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'not an activity';
}
