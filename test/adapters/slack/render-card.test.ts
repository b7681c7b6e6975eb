import { decodeActionValue } from '../../../adapters/slack/render/action-value';
import { parseCardInputs } from '../../../adapters/slack/render/parse-view-state';
import { renderCard } from '../../../adapters/slack/render/render-card';
import type { CardView } from '../../../src/views/view-model';

const card: CardView = {
  kind: 'card',
  title: 'INC0001001: VPN <down> & out',
  severity: 'critical',
  fields: [
    { label: 'Assignee', value: 'Sam Lee', person: { id: 'email:sam.lee@example.com', name: 'Sam Lee' } },
    { label: 'Resolve by', value: 'Nov 23, 12:00', at: new Date('2026-11-23T03:00:00Z') },
  ],
  links: [{ label: 'Reported message', url: 'https://example.slack.com/archives/C1/p1|x>y' }, { label: 'not a web address', url: 'javascript:alert(1)' }],
  actions: [
    { actionId: 'incident.decline_page', label: "I can't take it", recordId: 'INC0001001', value: '2', confirm: { title: 'Sure?', text: 'Pass it on?', confirm: 'Yes', deny: 'No' } },
    { actionId: 'incident.priority', label: 'Priority', recordId: 'INC0001001', options: [{ value: 'high:high', label: 'High/High' }] },
    { actionId: 'incident.comment', label: 'Add comment', recordId: 'INC0001001', input: { id: 'text', label: 'Comment', required: true, multiline: true } },
  ],
  recordId: 'INC0001001',
  version: 7,
};

describe('a card as Block Kit', () => {
  const blocks = renderCard(card, new Map([['email:sam.lee@example.com', 'U00FAKESAM1']])) as any[];
  const actions = blocks.find((b) => b.type === 'actions').elements;

  it('leads the header with the severity and shows people as mentions, instants in each viewer\'s zone', () => {
    expect(blocks[0].text.text).toBe(':red_circle: INC0001001: VPN <down> & out');
    const fields = blocks[1].fields.map((f: { text: string }) => f.text);
    expect(fields[0]).toBe('*Assignee*\n<@U00FAKESAM1>');
    expect(fields[1]).toBe(`*Resolve by*\n<!date^${Date.parse('2026-11-23T03:00:00Z') / 1000}^{date_short_pretty} {time}|Nov 23, 12:00>`);
  });

  it('shows a person Slack does not know by name', () => {
    expect((renderCard(card) as any[])[1].fields[0].text).toBe('*Assignee*\nSam Lee');
  });

  it('links web addresses only, with the characters that would end the link encoded', () => {
    const context = blocks.find((b) => b.type === 'context').elements.map((e: { text: string }) => e.text);
    expect(context).toEqual(['<https://example.slack.com/archives/C1/p1%7Cx%3Ey|Reported message>']);
  });

  it("carries each action's value and the card's version back with the click, and asks before the risky ones", () => {
    expect(decodeActionValue(actions[0].value)).toEqual({ recordId: 'INC0001001', value: '2', cardVersion: 7 });
    expect(actions[0].confirm).toEqual({
      title: { type: 'plain_text', text: 'Sure?', emoji: true },
      text: { type: 'plain_text', text: 'Pass it on?', emoji: true },
      confirm: { type: 'plain_text', text: 'Yes', emoji: true },
      deny: { type: 'plain_text', text: 'No', emoji: true },
    });
    expect(decodeActionValue(actions[1].options[0].value)).toEqual({ recordId: 'INC0001001', value: 'high:high', cardVersion: 7 });
  });

  it("puts a card input before the buttons, its block id unique per record, and reads it back from a click's state", () => {
    const input = blocks.find((b) => b.type === 'input');
    expect(input).toMatchObject({ block_id: 'text:INC0001001', optional: false, element: { type: 'plain_text_input', action_id: 'text', multiline: true } });
    expect(blocks.indexOf(input)).toBeLessThan(blocks.findIndex((b) => b.type === 'actions'));
    const state = {
      values: {
        'text:INC0001001': { text: { type: 'plain_text_input', value: 'Seen on Wi-Fi only' } },
        'text:INC0001002': { text: { type: 'plain_text_input', value: 'another card in the same list' } },
      },
    };
    expect(parseCardInputs(state as any, 'INC0001001')).toEqual({ text: 'Seen on Wi-Fi only' });
  });
});
