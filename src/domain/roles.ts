export const ROLES = ['agent', 'approver', 'change_manager', 'problem_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];
