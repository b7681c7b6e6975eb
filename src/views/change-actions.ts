/** Every change action, form and command id: the adapters map clicks and submissions back through these. */
export const CHANGE_IDS = {
  form: 'change.form',
  submit: 'change.submit',
  mine: 'change.mine',
  approvals: 'change.approvals',
  stats: 'change.stats',
  show: 'change.show',
  approve: 'change.approve',
  rejectForm: 'change.reject.form',
  reject: 'change.reject',
  overrideFreeze: 'change.override_freeze',
  start: 'change.start',
  completeForm: 'change.complete.form',
  complete: 'change.complete',
  close: 'change.close',
  cancel: 'change.cancel',
} as const;
