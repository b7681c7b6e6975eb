import { decodeActionValue, handlerIdOfAction } from '../../../adapters/slack/render/action-value';
import type { Database } from '../../../src/db/connect';
import { chooseSuggestions, type PlatformDriver, type RenderedAction, type RenderedCard, type RenderedForm } from '../conformance/platform-driver';
import type { TestClock } from '../factories';
import { slackFixture, slashCommandBody } from './fixtures';
import { interactionBody, postToSlackEndpoint } from './signed-request';
import { SLACK_USERS, eventually, startSlackHarness } from './slack-harness';

const FORM = 'application/x-www-form-urlencoded';
type Block = Record<string, any>;

function userIdOf(email: string): string {
  const user = Object.values(SLACK_USERS).find((u) => u.email === email);
  if (!user) throw new Error(`no Slack user for ${email} in the test workspace`);
  return user.id;
}

/** Slack's markup resolved to what a person reads: dates to their fallback, links to their label, escapes undone. */
const readable = (mrkdwn: string) =>
  mrkdwn
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<[^|>]+\|([^>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function cardText(blocks: Block[]): string {
  const texts: string[] = [];
  for (const block of blocks) {
    if (block.text?.text) texts.push(block.text.text);
    for (const field of block.fields ?? []) texts.push(field.text);
    for (const element of block.type === 'context' ? block.elements : []) texts.push(element.text);
  }
  return readable(texts.join('\n'));
}

function cardActions(blocks: Block[]): RenderedAction[] {
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements as Block[])
    .map((element) => ({
      actionId: handlerIdOfAction(element.action_id),
      label: element.text?.text ?? element.placeholder?.text ?? '',
      ...(decodeActionValue(element.value)?.value !== undefined ? { value: decodeActionValue(element.value)?.value } : {}),
      choices: (element.options ?? []).map((o: Block) => decodeActionValue(o.value)?.value ?? ''),
    }));
}

/** The block id of the card's input `id` (the driver finds it as a person finds the box). */
function inputBlockOf(blocks: Block[], id: string): string {
  const block = blocks.find((b) => b.type === 'input' && b.element.action_id === id);
  if (!block) throw new Error(`the card shows no input ${id}`);
  return block.block_id;
}

function renderedCard(recordId: string, blocks: Block[], where: { channel: string; ts: string }): RenderedCard {
  const inputs = blocks.filter((b) => b.type === 'input').map((b) => String(b.element.action_id));
  return { recordId, text: cardText(blocks), actions: cardActions(blocks), inputs, raw: { blocks, ...where } };
}

/** The value Slack puts in `view.state.values` for one input element. */
function stateValue(element: Block, value: string, label?: string): Block {
  switch (element.type) {
    case 'plain_text_input':
      return { type: element.type, value };
    case 'static_select': {
      const option = (element.options as Block[]).find((o) => o.value === value);
      if (!option) throw new Error(`the menu ${element.action_id} offers no ${value}`);
      return { type: element.type, selected_option: option };
    }
    case 'external_select':
      return { type: element.type, selected_option: { text: { type: 'plain_text', text: label ?? value, emoji: true }, value } };
    case 'multi_external_select':
      return { type: element.type, selected_options: [{ text: { type: 'plain_text', text: label ?? value, emoji: true }, value }] };
    case 'users_select':
      return { type: element.type, selected_user: value };
    case 'datetimepicker':
      // Slack sends the chosen instant in seconds since the epoch.
      return { type: element.type, selected_date_time: Math.floor(new Date(value).getTime() / 1000) };
    default:
      throw new Error(`the driver cannot fill a ${String(element.type)}`);
  }
}

/**
 * The Slack side of the conformance suite: opsdesk with its Slack adapter on a real HTTP server,
 * requests signed as Slack signs them and shaped as the fixtures, the Web API recorded.
 */
export async function startSlackDriver(database: Database, clock: TestClock): Promise<PlatformDriver> {
  const slack = await startSlackHarness(database, clock);
  const { api } = slack;
  let views = 0;

  /** A mention as Slack shows it to the reader: the person's name. */
  async function namesOfMentions(card: RenderedCard | undefined): Promise<RenderedCard | undefined> {
    if (!card) return card;
    let { text } = card;
    for (const [mention, user] of text.matchAll(/<@([UW][A-Z0-9]+)>/g)) {
      const person = await database.models.Person.findOne({ 'identities.platform': 'slack', 'identities.id': user }).lean();
      text = text.replace(mention, person?.name ?? api.users.get(user as string)?.name ?? mention);
    }
    return { ...card, text };
  }

  const formOf = (view: Block): RenderedForm => ({
    submitId: view.callback_id,
    fieldIds: (view.blocks as Block[]).map((b) => b.block_id),
    raw: view,
  });

  const openedWith = (trigger: string) => api.callsOf('views.open').find((c) => c.args.trigger_id === trigger);

  async function post(payload: Block) {
    const response = await postToSlackEndpoint(slack.url, { body: interactionBody(payload), contentType: FORM });
    if (response.status !== 200) throw new Error(`Slack request answered ${response.status}: ${response.text}`);
    // Its work, and what it stored in the outbox, done (posted within Slack's limits).
    await slack.idle(30_000);
    return response;
  }

  function fill(view: Block, values: Record<string, string>, labels: Record<string, string> = {}) {
    const state: Record<string, Record<string, Block>> = {};
    for (const block of view.blocks as Block[]) {
      const value = values[block.block_id];
      if (value === undefined) continue;
      state[block.block_id] = { [block.element.action_id]: stateValue(block.element, value, labels[block.block_id]) };
    }
    return { values: state };
  }

  /** The card at a card location (`<record>:slack`, or a person's or group's own), as last posted or edited. */
  async function cardAt(recordId: string, locationId: string) {
    const location = await database.models.CardLocation.findById(locationId).lean();
    if (!location?.messageId) return undefined;
    const where = { channel: location.channel, ts: location.messageId };
    const updates = api.callsOf('chat.update').filter((c) => c.args.channel === where.channel && c.args.ts === where.ts);
    const latest = updates.at(-1) ?? api.callsOf('chat.postMessage').find((c) => c.ts === where.ts && c.channel === where.channel);
    return namesOfMentions(latest ? renderedCard(recordId, latest.args.blocks as Block[], where) : undefined);
  }

  const driver: PlatformDriver = {
    platform: 'slack',
    app: slack.app,
    clock,

    channelCard: (recordId) => cardAt(recordId, `${recordId}:slack`),

    async personCard(recordId, email) {
      const person = await slack.app.ctx.people.findByEmail(email);
      return person ? cardAt(recordId, `${recordId}:slack:person:${person._id}`) : undefined;
    },

    groupCard: (recordId, group) => cardAt(recordId, `${recordId}:slack:group:${group}`),

    async directCard(recordId, email, actionId) {
      // The person's direct messages: with their user in this workspace, or the one configured for them.
      const person = await slack.app.ctx.people.findByEmail(email);
      const users = [userIdOf(email), ...(person?.identities ?? []).filter((i) => i.platform === 'slack').map((i) => i.id)];
      const dms = users.map((user) => `D${user}`);
      const pages = api
        .callsOf('chat.postMessage')
        .filter((c) => dms.includes(String(c.channel)) && cardActions((c.args.blocks as Block[]) ?? []).some((a) => a.actionId === actionId))
        .filter((c) => JSON.stringify(c.args.blocks).includes(recordId));
      const page = pages.at(-1);
      return namesOfMentions(page ? renderedCard(recordId, page.args.blocks as Block[], { channel: String(page.channel), ts: page.ts ?? '' }) : undefined);
    },

    async threadLines(recordId) {
      const location = await database.models.CardLocation.findById(`${recordId}:slack`).lean();
      if (!location) return [];
      return api.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === location.messageId).map((c) => readable(String(c.args.text)));
    },

    toldPrivately(email) {
      const id = userIdOf(email);
      return api.calls
        .filter(
          (c) =>
            (c.method === 'chat.postEphemeral' && c.args.user === id) ||
            (c.method === 'chat.postMessage' && c.args.channel === id) ||
            // A reply to a click, through the click's response_url (made for its person).
            (c.method === 'response_url' && c.responseId?.startsWith(`click.${id}.`)),
        )
        .map((c) => readable(`${String(c.args.text)}\n${cardText((c.args.blocks as Block[]) ?? [])}`));
    },

    async click(card, actionId, email, typed = {}) {
      const { choice } = typed;
      const { blocks, channel, ts } = card.raw as { blocks: Block[]; channel: string; ts: string };
      // The action as the person finds it: by what it does, and for a repeated button (a rating's stars) by its value.
      const offers = (e: Block) =>
        handlerIdOfAction(e.action_id) === actionId && (e.type !== 'button' || choice === undefined || decodeActionValue(e.value)?.value === choice);
      const block = blocks.find((b) => b.type === 'actions' && (b.elements as Block[]).some(offers));
      const element = (block?.elements as Block[] | undefined)?.find(offers);
      if (!block || !element) throw new Error(`the card shows no ${actionId}`);
      const payload = slackFixture('block_actions_message_button.json');
      const user = userIdOf(email);
      payload.user = { id: user };
      payload.trigger_id = `${user}.${actionId}.${++views}`;
      payload.container = { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false };
      payload.channel = { id: channel };
      payload.message = { ...payload.message, ts, blocks };
      payload.response_url = api.responseUrl(`click.${user}.${views}`);
      // Slack sends what is typed in the message's inputs with every click on it.
      payload.state = fill({ blocks: blocks.filter((b) => b.type === 'input') }, Object.fromEntries(Object.entries(typed.inputs ?? {}).map(([id, v]) => [inputBlockOf(blocks, id), v])));
      const action_ts = `${Math.floor(clock.now().getTime() / 1000)}.000200`;
      if (element.type === 'static_select') {
        const option = (element.options as Block[]).find((o) => decodeActionValue(o.value)?.value === choice);
        if (!option) throw new Error(`the menu ${actionId} offers no ${String(choice)}`);
        payload.actions = [{ type: 'static_select', action_id: element.action_id, block_id: block.block_id, selected_option: option, placeholder: element.placeholder, action_ts }];
      } else {
        payload.actions = [{ type: 'button', action_id: element.action_id, block_id: block.block_id, text: element.text, value: element.value, action_ts }];
      }
      await post(payload);
      return {
        get form() {
          const opened = openedWith(payload.trigger_id);
          return opened ? formOf(opened.args.view as Block) : undefined;
        },
      };
    },

    async suggest(form, fieldId, query, values, email) {
      const view = form.raw as Block;
      const block = (view.blocks as Block[]).find((b) => b.block_id === fieldId);
      if (!block) throw new Error(`the form shows no ${fieldId}`);
      const payload = slackFixture('block_suggestion.json');
      payload.user = { ...payload.user, id: userIdOf(email) };
      payload.action_id = block.element.action_id;
      payload.block_id = fieldId;
      payload.value = query;
      payload.view = { ...payload.view, ...view, id: `V${++views}`, state: fill(view, values) };
      const response = await post(payload);
      return (JSON.parse(response.text) as { options: { value: string }[] }).options.map((o) => o.value);
    },

    async submit(form, values, email) {
      const view = form.raw as Block;
      const plain = await chooseSuggestions(driver, form, values, email);
      const payload = slackFixture('view_submission.json');
      const user = userIdOf(email);
      payload.user = { ...payload.user, id: user };
      payload.trigger_id = `${user}.submit.${++views}`;
      payload.view = { ...payload.view, ...view, id: `V${views}`, state: fill(view, plain) };
      const response = await post(payload);
      const answer = response.text ? (JSON.parse(response.text) as { response_action?: string; errors?: Record<string, string> }) : {};
      return answer.response_action === 'errors' ? { fieldErrors: answer.errors ?? {} } : {};
    },

    async command(text, email) {
      const [command = '', ...rest] = text.split(' ');
      const body = slashCommandBody(command, rest.join(' '), { user_id: userIdOf(email), response_url: api.responseUrl() });
      const trigger = new URLSearchParams(body).get('trigger_id') as string;
      // Commands are sent one at a time: the next reply through a response_url is this one's.
      const commandReplies = () => api.callsOf('response_url').filter((c) => c.responseId === 'command');
      const earlier = commandReplies().length;
      const replied = () => commandReplies()[earlier];
      const response = await postToSlackEndpoint(slack.url, { body, contentType: FORM });
      if (response.status !== 200) throw new Error(`${command} answered ${response.status}`);
      await eventually(() => openedWith(trigger) !== undefined || replied() !== undefined);
      const opened = openedWith(trigger);
      if (opened) return { form: formOf(opened.args.view as Block) };
      const reply = replied()!;
      const blocks = (reply.args.blocks as Block[]) ?? [];
      // An ephemeral reply is in the channel the command was typed in; it has no ts of its own.
      const card = cardActions(blocks).length > 0 ? renderedCard('', blocks, { channel: new URLSearchParams(body).get('channel_id') as string, ts: '0' }) : undefined;
      return { reply: readable(`${String(reply.args.text)}\n${cardText(blocks)}`), ...(card ? { card } : {}) };
    },

    close: () => slack.close(),
  };
  return driver;
}
