/** What deciding who holds a request reads of it. */
export interface HeldRequest {
  state: string;
  assigneeId?: string | null;
  tasks: readonly { group: string; state: string }[];
}

/**
 * The fulfiller who has the request: its assignee, while a group of theirs still has an open task
 * of it. Once the work moved on to another group, nobody has it there until one of them takes it.
 */
export function holderOf(request: HeldRequest, groups: { isMember(group: string, personId: string): boolean }): string | undefined {
  const holder = request.assigneeId;
  if (!holder || request.state !== 'in_fulfilment') return undefined;
  return request.tasks.some((task) => task.state === 'open' && groups.isMember(task.group, holder)) ? holder : undefined;
}
