/** Block Kit's limits (https://docs.slack.dev/reference/block-kit): text past them is cut, never refused. */
export const LIMITS = {
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  actionsElements: 25,
  messageBlocks: 50,
  /** A published App Home view holds twice as many. */
  homeBlocks: 100,
  modalBlocks: 100,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  textInput: 3000,
  privateMetadata: 3000,
  fallbackText: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

/** Cuts `text` to `max` characters (code points, so no emoji is split), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}
