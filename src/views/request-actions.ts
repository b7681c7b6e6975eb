/** Every service request action, form and command id: the adapters map clicks and submissions back through these. */
export const REQUEST_IDS = {
  catalog: 'request.catalog',
  form: 'request.form',
  submit: 'request.submit',
  mine: 'request.mine',
  queue: 'request.queue',
  approvals: 'request.approvals',
  approve: 'request.approve',
  rejectForm: 'request.reject.form',
  reject: 'request.reject',
  withdraw: 'request.withdraw',
  take: 'request.take',
  taskDone: 'request.task_done',
  rate: 'request.rate',
} as const;
