/** The invokes opsdesk answers: a Universal Action's click or submission, and a type-ahead's query. */
export const TEAMS_INVOKES = { cardAction: 'adaptiveCard/action', search: 'application/search' } as const;
