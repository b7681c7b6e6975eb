import { z } from 'zod';
import { authoriseRequestAction, changeRequest, openNextTasks, refuse, requestUpdated, type Milestone } from './request-flow';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { defineHandler } from '../handler';

export const completeRequestTask = defineHandler({
  id: REQUEST_IDS.taskDone,
  description: "Mark a fulfilment task of a request done: the next task opens, or the request is fulfilled.",
  entry: { card: true, toInput: (i) => ({ recordId: i.recordId, task: i.value }) },
  input: z.object({ recordId: z.string().min(1), task: z.coerce.number().int().min(0).max(100) }),
  async run(ctx, actor, input) {
    let milestone: Milestone | undefined;
    const { before, after } = await changeRequest(ctx, actor, input.recordId, async (request) => {
      const task = request.tasks[input.task];
      if (request.state === 'in_fulfilment' && task?.state !== 'open') return refuse(ctx, actor, request, 'complete_task', 'REQUEST.TASK_NOT_OPEN');
      await authoriseRequestAction(ctx, actor, request, 'complete_task');
      // A member of another task's group may not mark this one done.
      if (!task || (!actor.groups.includes(task.group) && !actor.roles.includes('admin'))) return refuse(ctx, actor, request, 'complete_task', 'TRANSITION.FORBIDDEN');
      const at = ctx.now();
      const done = request.tasks.map((t2, i) => (i === input.task ? { ...t2, state: 'done' as const, doneById: actor.id, doneByName: actor.name, doneAt: at } : t2));
      const tasks = openNextTasks(done);
      const fulfilled = tasks.every((t2) => t2.state === 'done');
      const params = { number: request.number, title: request.title, task: task.name };
      milestone = fulfilled
        ? { key: 'request.told.fulfilled', reason: 'request.fulfilled', params }
        : { key: 'request.told.task', reason: `request.task.${input.task}`, params };
      return {
        action: fulfilled ? 'fulfil' : 'complete_task',
        // A requester doing a task of their own request is not its response.
        set: { tasks, ...(request.respondedAt || actor.id === request.requesterId ? {} : { respondedAt: at }), ...(fulfilled ? { state: 'fulfilled', fulfilledAt: at } : {}) },
        before: { state: request.state, task: task.name },
        after: { state: fulfilled ? 'fulfilled' : request.state, task: task.name, taskState: 'done' },
      };
    });
    return requestUpdated(ctx, actor, after, before.version === after.version ? undefined : milestone);
  },
});
