import type { App } from '../../../src/app';
import type { HandlerDeclaration, HandlerResult } from '../../../handlers/handler';

/** One run of a handler: it only runs once its input passed its schema, so this is valid input. */
export interface HandlerRun {
  handlerId: string;
  actorEmail: string | undefined;
  input: unknown;
  /** What it returned; a run that threw (a refusal) has none. */
  result: HandlerResult;
  error?: unknown;
}

/**
 * Records every handler run of the app (id, actor, the parsed input, the result), by putting a
 * recording copy of each declaration in the app's registry.
 */
export function spyOnHandlers(app: App): { runs: HandlerRun[] } {
  const runs: HandlerRun[] = [];
  const byId = (app.registry as unknown as { byId: Map<string, HandlerDeclaration> }).byId;
  for (const [id, declaration] of byId) {
    byId.set(id, {
      ...declaration,
      async run(ctx, actor, input) {
        try {
          const result = await declaration.run(ctx, actor, input);
          runs.push({ handlerId: id, actorEmail: actor.email, input, result });
          return result;
        } catch (error) {
          runs.push({ handlerId: id, actorEmail: actor.email, input, result: { views: [], announcements: [] }, error });
          throw error;
        }
      },
    });
  }
  return { runs };
}
