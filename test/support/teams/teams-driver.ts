import { randomUUID } from 'node:crypto';
import type { Database } from '../../../src/db/connect';
import { TEAMS_INVOKES } from '../../../adapters/teams/teams-app';
import { chooseSuggestions, type PlatformDriver, type RenderedAction, type RenderedCard, type RenderedForm } from '../conformance/platform-driver';
import type { TestClock } from '../factories';
import type { ConnectorCall, TeamsMember } from './bot-connector-stand-in';
import { TEAMS_CHANNELS, TEAMS_TEAM_ID, TEAMS_USERS, startTeamsHarness, teamsConfig, teamsFixture } from './teams-harness';

type Element = Record<string, any>;

const TENANT = '00000000-0000-4000-8000-0000000000a1';
const BOT = { id: '28:00000000-0000-4000-8000-0000000000b1', name: 'FakeITSMBot' };
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/** The Teams users of the people the suite acts as (Jamie's and Sam's are the harness's own). */
const PEOPLE: Record<string, TeamsMember> = Object.fromEntries(
  [
    TEAMS_USERS.jamie,
    TEAMS_USERS.sam,
    ...(
      [
        ['minji.kim@example.com', 'Minji Kim'],
        ['alex.park@example.com', 'Alex Park'],
        ['taylor.yoon@example.com', 'Taylor Yoon'],
        ['robin.han@example.com', 'Robin Han'],
        ['jordan.choi@example.com', 'Jordan Choi'],
        ['casey.lim@example.com', 'Casey Lim'],
        ['dana.oh@example.com', 'Dana Oh'],
      ] as const
    ).map(([email, name], i) => ({ id: `29:1Fake${name.replace(' ', '')}UserId`, aadObjectId: `00000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`, name, email })),
  ].map((m) => [m.email, m]),
);

function memberOf(email: string): TeamsMember {
  const member = PEOPLE[email];
  if (!member) throw new Error(`no Teams user for ${email} in the test tenant`);
  return member;
}

/** The person's personal chat with the bot. */
const personalChatOf = (email: string) => `a:1personal-${memberOf(email).aadObjectId}`;
const baseConversation = (id: string) => id.split(';')[0]!;

/** Markdown as a person reads it: escapes undone, links to their label. */
const readable = (markdown: string) => markdown.replace(/\[((?:\\.|[^\]])*)\]\([^)]*\)/g, '$1').replace(/\\([\\`*_{}[\]()#+\-.!<>|~])/g, '$1');

/** Every element of a card's body, containers opened, in the order shown. */
function elementsOf(elements: Element[] = []): Element[] {
  return elements.flatMap((e) => [e, ...elementsOf(e.items), ...(e.columns ?? []).flatMap((c: Element) => elementsOf(c.items))]);
}

function cardText(card: Element): string {
  const texts: string[] = [];
  for (const element of elementsOf(card.body)) {
    if (element.type === 'TextBlock') texts.push(readable(String(element.text)));
    if (element.type === 'FactSet') for (const fact of element.facts as Element[]) texts.push(`${readable(String(fact.title))}: ${readable(String(fact.value))}`);
  }
  return texts.join('\n');
}

/** The Action.Execute buttons of a card as a person finds them: in its body (a list's items), then below it; a confirmation's real button. */
function executesOf(card: Element): Element[] {
  const actions = [...elementsOf(card.body).filter((e) => e.type === 'ActionSet').flatMap((e) => e.actions as Element[]), ...((card.actions as Element[]) ?? [])];
  return actions.flatMap((a): Element[] => (a.type === 'Action.Execute' ? [a] : a.type === 'Action.ShowCard' ? executesOf(a.card).map((inner) => ({ ...inner, title: a.title })) : []));
}

const inputsOf = (card: Element) => elementsOf(card.body).filter((e) => String(e.type).startsWith('Input.'));

/** A menu drawn as a choice set beside its button: the button names the set in its data (`choice`). */
function renderedActions(card: Element): RenderedAction[] {
  const inputs = inputsOf(card);
  return executesOf(card).map((a) => {
    const menu = typeof a.data?.choice === 'string' ? inputs.find((i) => i.id === a.data.choice) : undefined;
    return {
      actionId: String(a.verb),
      label: String(menu?.label ?? a.title ?? ''),
      ...(typeof a.data?.value === 'string' ? { value: a.data.value } : {}),
      choices: ((menu?.choices as Element[]) ?? []).map((c) => String(c.value)),
    };
  });
}

/** Where a card is: its conversation (a channel thread's `<channel>;messageid=<id>`, or a personal chat) and its message. */
interface Where {
  conversationId: string;
  messageId: string;
  channel?: string;
}

interface RawCard extends Where {
  card: Element;
}

function renderedCard(recordId: string, card: Element, where: Where): RenderedCard {
  // A card's own inputs (`in:<record>:<id>`), not a menu's choice set.
  const inputs = inputsOf(card)
    .map((i) => /^in:[^:]+:(.+)$/.exec(String(i.id))?.[1])
    .filter((id): id is string => id !== undefined && !id.startsWith('choice:'));
  return { recordId, text: cardText(card), actions: renderedActions(card), inputs, raw: { conversationId: where.conversationId, messageId: where.messageId, ...(where.channel ? { channel: where.channel } : {}), card } satisfies RawCard };
}

/** A form card: inputs named `f:`/`m:` (a date-time's time `t:` belongs to its date). */
const isForm = (card: Element) => inputsOf(card).some((i) => /^[fm]:/.test(String(i.id)));
const fieldIdOf = (inputId: string) => /^[fmt]:(.+)$/.exec(inputId)?.[1];

function formOf(card: Element, where: Where): RenderedForm {
  const submit = executesOf(card).at(-1);
  const fieldIds = [...new Set(inputsOf(card).flatMap((i) => (/^[fm]:/.test(String(i.id)) ? [fieldIdOf(String(i.id))!] : [])))];
  return { submitId: String(submit?.verb ?? ''), fieldIds, raw: { conversationId: where.conversationId, messageId: where.messageId, ...(where.channel ? { channel: where.channel } : {}), card } satisfies RawCard };
}

/** Errors the form shows beside its fields: the red line drawn under an input. */
function fieldErrorsOf(card: Element): Record<string, string> {
  const errors: Record<string, string> = {};
  let field: string | undefined;
  for (const element of card.body as Element[]) {
    if (String(element.type).startsWith('Input.')) field = fieldIdOf(String(element.id));
    else if (element.type === 'TextBlock' && element.color === 'Attention' && element.size === 'Small' && field) errors[field] = String(element.text);
    else field = undefined;
  }
  return errors;
}

/** The date and the time Teams sends for an instant, on the wall clock of the person's zone. */
function wallClock(iso: string, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** What a message posted into a conversation says: its text and its cards'. */
function messageText(body: Element): string {
  const cards = ((body?.attachments as Element[]) ?? []).filter((a) => a.contentType === ADAPTIVE).map((a) => cardText(a.content));
  return [typeof body?.text === 'string' ? body.text : '', ...cards].filter(Boolean).join('\n');
}

/**
 * The Teams side of the conformance suite: opsdesk with its Teams adapter on a real HTTP server,
 * every activity signed as the Bot Connector signs it and shaped as the fixtures; what the bot
 * posts and edits read back from the Bot Connector stand-in. The channels and the personal chats
 * are made known to the bot the way Teams does it: the app installed in the team (the bot lists
 * its channels) and in each person's personal scope.
 */
export async function startTeamsDriver(database: Database, clock: TestClock): Promise<PlatformDriver> {
  const teams = await startTeamsHarness(database, clock, teamsConfig());
  const { connector, app } = teams;
  const { config } = app.ctx.catalog;
  for (const member of Object.values(PEOPLE)) connector.members.set(member.id, member);
  connector.teamChannels.set(TEAMS_TEAM_ID, [
    ...Object.entries(TEAMS_CHANNELS).map(([group, id]) => ({ id, name: group })),
    ...(config.majorIncidentChannel?.teams ? [{ id: config.majorIncidentChannel.teams, name: 'Major incidents' }] : []),
  ]);
  /** What the person was answered to their invokes, with where it falls among the Connector's calls. */
  const answers: { email: string; at: number; text: string }[] = [];

  const zoneOf = (email: string) => config.people.find((p) => p.email === email)?.timeZone ?? config.defaults.timeZone;
  const localeOf = (email: string) => config.people.find((p) => p.email === email)?.locale ?? config.defaults.locale;

  /** What every activity from the person carries: who, their client's language and zone, the tenant. */
  function fromPerson(email: string) {
    const member = memberOf(email);
    const timezone = zoneOf(email);
    const locale = localeOf(email) === 'ko' ? 'ko-KR' : 'en-US';
    return {
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      from: { id: member.id, name: member.name, aadObjectId: member.aadObjectId },
      recipient: BOT,
      locale,
      localTimezone: timezone,
      entities: [{ type: 'clientInfo', locale, country: 'US', platform: 'Web', timezone }],
      timestamp: new Date().toISOString(),
    };
  }

  /** The conversation of a card's message as an invoke on it carries it (a channel thread, or a personal chat). */
  function conversationOf(where: Where) {
    if (where.channel) {
      return {
        conversation: { id: where.conversationId, isGroup: true, conversationType: 'channel', tenantId: TENANT },
        channelData: { channel: { id: where.channel }, team: { id: TEAMS_TEAM_ID }, tenant: { id: TENANT }, source: { name: 'message' } },
      };
    }
    return { conversation: { id: where.conversationId, conversationType: 'personal', tenantId: TENANT }, channelData: { tenant: { id: TENANT }, source: { name: 'message' } } };
  }

  async function post(activity: object): Promise<{ status: number; body: any }> {
    const response = await teams.post(activity);
    if (response.status !== 200) throw new Error(`the bot answered ${response.status}: ${JSON.stringify(response.body)}`);
    // Its work, and what it stored in the outbox, done (posted within Teams' limits).
    await teams.idle();
    return response;
  }

  /** An `adaptiveCard/action` invoke on the card's message, as the person's client sends it. */
  async function execute(where: Where, verb: string, title: string, data: Record<string, unknown>, email: string) {
    const fixture = teamsFixture('invoke_adaptiveCard_action');
    const response = await post({
      ...fixture,
      ...fromPerson(email),
      ...conversationOf(where),
      id: `f:${randomUUID()}`,
      replyToId: where.messageId,
      value: { action: { type: 'Action.Execute', title, verb, data }, trigger: 'manual' },
    });
    return response.body as { statusCode: number; type: string; value: any };
  }

  function tell(email: string, text: string): void {
    if (text) answers.push({ email, at: connector.calls.length, text });
  }

  /** The last thing drawn in a message: its post, or its latest edit. */
  function latestOf(conversation: string, messageId: string): Element | undefined {
    const drawn = connector.calls.filter((c) => {
      const path = /\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(c.path);
      if (!path || baseConversation(path[1]!) !== baseConversation(conversation)) return false;
      return (c.method === 'PUT' && path[2] === messageId) || (c.method === 'POST' && c.answeredId === messageId);
    });
    return drawn.at(-1)?.body;
  }

  const cardIn = (body: Element | undefined) => ((body?.attachments as Element[]) ?? []).find((a) => a.contentType === ADAPTIVE)?.content as Element | undefined;

  /** The card at a card location (`<record>:teams`, or a person's or group's own), as last posted or edited. */
  async function cardAt(recordId: string, locationId: string): Promise<RenderedCard | undefined> {
    const location = await database.models.CardLocation.findById(locationId).lean();
    if (!location?.messageId) return undefined;
    const card = cardIn(latestOf(location.channel, location.messageId));
    if (!card) return undefined;
    const inChannel = !location.channel.startsWith('a:');
    const where: Where = inChannel ? { conversationId: `${location.channel};messageid=${location.messageId}`, messageId: location.messageId, channel: location.channel } : { conversationId: location.channel, messageId: location.messageId };
    return renderedCard(recordId, card, where);
  }

  /** Posts into a conversation (proactive, or a reply to a person's message). */
  const postsInto = (conversation: string): ConnectorCall[] =>
    connector.posted().filter((c) => baseConversation(/\/v3\/conversations\/([^/]+)\/activities/.exec(c.path)![1]!) === conversation);

  // The app installed in the team (the bot stores the channel and lists the team's others), then in each person's personal scope.
  const install = teamsFixture('installationUpdate_add');
  const firstChannel = Object.values(TEAMS_CHANNELS)[0]!;
  await post({
    ...install,
    id: `f:${randomUUID()}`,
    serviceUrl: connector.serviceUrl,
    from: { id: TEAMS_USERS.jamie.id, aadObjectId: TEAMS_USERS.jamie.aadObjectId },
    conversation: { ...install.conversation, id: firstChannel },
    channelData: { ...install.channelData, settings: { selectedChannel: { id: firstChannel } }, channel: { id: firstChannel }, team: { ...install.channelData.team, id: TEAMS_TEAM_ID } },
  });
  for (const email of Object.keys(PEOPLE)) {
    await post({
      ...install,
      ...fromPerson(email),
      id: `f:${randomUUID()}`,
      conversation: { id: personalChatOf(email), conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT }, source: { name: 'message' } },
    });
  }
  const missing = [
    ...(await Promise.all([...Object.values(TEAMS_CHANNELS), config.majorIncidentChannel?.teams ?? ''].filter(Boolean).map(async (id) => ((await app.teams.conversations.channel(id)) ? [] : [id])))).flat(),
    ...(
      await Promise.all(
        Object.keys(PEOPLE).map(async (email) => {
          const person = await app.ctx.people.findByEmail(email);
          return person && (await app.teams.conversations.person(person._id)) ? [] : [email];
        }),
      )
    ).flat(),
  ];
  if (missing.length > 0) throw new Error(`the bot stored no conversation for ${missing.join(', ')}: ${JSON.stringify(teams.logs.filter((l) => Number(l.level) >= 40))}`);

  const personIdOf = async (email: string) => (await app.ctx.people.findByEmail(email))?._id;

  const driver: PlatformDriver = {
    platform: 'teams',
    app,
    clock,

    channelCard: (recordId) => cardAt(recordId, `${recordId}:teams`),

    async personCard(recordId, email) {
      const personId = await personIdOf(email);
      return personId ? cardAt(recordId, `${recordId}:teams:person:${personId}`) : undefined;
    },

    groupCard: (recordId, group) => cardAt(recordId, `${recordId}:teams:group:${group}`),

    async directCard(recordId, email, actionId) {
      const conversation = personalChatOf(email);
      const found = postsInto(conversation)
        .filter((c) => JSON.stringify(c.body).includes(recordId))
        .map((c) => ({ call: c, card: cardIn(c.body) }))
        .filter(({ card }) => card && executesOf(card).some((a) => a.verb === actionId))
        .at(-1);
      return found ? renderedCard(recordId, found.card!, { conversationId: conversation, messageId: found.call.answeredId ?? '' }) : undefined;
    },

    async threadLines(recordId) {
      const location = await database.models.CardLocation.findById(`${recordId}:teams`).lean();
      if (!location?.messageId) return [];
      const thread = `${location.channel};messageid=${location.messageId}`;
      return connector
        .posted()
        .filter((c) => /\/v3\/conversations\/([^/]+)\/activities/.exec(c.path)![1] === thread)
        .map((c) => messageText(c.body));
    },

    toldPrivately(email) {
      const conversation = personalChatOf(email);
      const posted = connector.calls
        .map((c, at) => ({ c, at }))
        .filter(({ c }) => c.method === 'POST' && /\/v3\/conversations\/([^/]+)\/activities/.exec(c.path) && baseConversation(/\/v3\/conversations\/([^/]+)\/activities/.exec(c.path)![1]!) === conversation)
        .map(({ c, at }) => ({ at, text: messageText(c.body) }));
      const answered = answers.filter((a) => a.email === email).map(({ at, text }) => ({ at: at - 0.5, text }));
      return [...posted, ...answered].sort((a, b) => a.at - b.at).map((t) => t.text);
    },

    async click(card, actionId, email, typed = {}) {
      const { choice } = typed;
      const raw = card.raw as RawCard;
      const inputs = inputsOf(raw.card);
      // The button as the person finds it: by what it does, and for a repeated button (a rating's stars) by its value.
      const button = executesOf(raw.card).find((a) => a.verb === actionId && (typeof a.data?.choice === 'string' || choice === undefined || a.data?.value === choice));
      if (!button) throw new Error(`the card shows no ${actionId}`);
      // Teams sends every input of the card with the button's data, each as typed (or as it was drawn).
      const data: Record<string, unknown> = { ...Object.fromEntries(inputs.map((i) => [i.id, typeof i.value === 'string' ? i.value : ''])), ...button.data };
      if (typeof button.data?.choice === 'string') {
        const menu = inputs.find((i) => i.id === button.data.choice);
        if (!(menu?.choices as Element[] | undefined)?.some((c) => c.value === choice)) throw new Error(`the menu ${actionId} offers no ${String(choice)}`);
        data[button.data.choice] = choice;
      }
      for (const [id, value] of Object.entries(typed.inputs ?? {})) {
        const input = inputs.find((i) => i.id === `in:${String(button.data?.recordId)}:${id}`);
        if (!input) throw new Error(`the card shows no input ${id}`);
        data[input.id] = value;
      }
      const answer = await execute(raw, actionId, String(button.title ?? ''), data, email);
      if (answer?.type === ADAPTIVE && isForm(answer.value)) return { form: formOf(answer.value, raw) };
      tell(email, answer?.type === ADAPTIVE ? cardText(answer.value) : typeof answer?.value === 'string' ? answer.value : '');
      return {};
    },

    async suggest(form, fieldId, query, values, email) {
      const raw = form.raw as RawCard;
      const field = inputsOf(raw.card).find((i) => fieldIdOf(String(i.id)) === fieldId && i['choices.data']);
      if (!field) throw new Error(`the form's ${fieldId} suggests nothing`);
      const dataQuery = field['choices.data'] as Element;
      const fixture = teamsFixture('invoke_adaptiveCard_action');
      // With `associatedInputs: auto` Teams sends the card's other inputs with the query.
      const associated = dataQuery.associatedInputs === 'auto' ? { data: inputValues(raw.card, values, email) } : {};
      const response = await post({
        ...fixture,
        ...fromPerson(email),
        ...conversationOf(raw),
        id: `f:${randomUUID()}`,
        name: TEAMS_INVOKES.search,
        replyToId: raw.messageId,
        value: { queryText: query, queryOptions: { skip: 0, top: 15 }, dataset: dataQuery.dataset, ...associated },
      });
      return ((response.body?.value?.results as Element[]) ?? []).map((r) => String(r.value));
    },

    async submit(form, values, email) {
      const raw = form.raw as RawCard;
      const plain = await chooseSuggestions(driver, form, values, email);
      const submit = executesOf(raw.card).find((a) => a.verb === form.submitId)!;
      const answer = await execute(raw, form.submitId, String(submit.title ?? ''), { ...inputValues(raw.card, plain, email), ...submit.data }, email);
      if (answer?.type === ADAPTIVE) {
        const fieldErrors = fieldErrorsOf(answer.value);
        if (Object.keys(fieldErrors).length > 0) return { fieldErrors };
        if (isForm(answer.value)) return { form: formOf(answer.value, raw) };
        tell(email, cardText(answer.value));
      } else if (typeof answer?.value === 'string') tell(email, answer.value);
      return {};
    },

    async command(text, email) {
      const fixture = teamsFixture('message_personal');
      const conversation = personalChatOf(email);
      const id = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
      // Typed as Teams users type it: without the slash.
      await post({
        ...fixture,
        ...fromPerson(email),
        id,
        text: text.replace(/^\//, ''),
        attachments: [],
        conversation: { ...fixture.conversation, id: conversation, conversationType: 'personal', tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
      });
      const reply = connector.posted().find((c) => c.path.endsWith(`/activities/${id}`) && baseConversation(/\/v3\/conversations\/([^/]+)\/activities/.exec(c.path)![1]!) === conversation);
      if (!reply) throw new Error(`"${text}" got no reply`);
      const where: Where = { conversationId: conversation, messageId: reply.answeredId ?? '' };
      const cards = ((reply.body.attachments as Element[]) ?? []).filter((a) => a.contentType === ADAPTIVE).map((a) => a.content as Element);
      const form = cards.find(isForm);
      if (form) return { form: formOf(form, where) };
      const withActions = cards.find((c) => executesOf(c).length > 0);
      const card = withActions ? renderedCard(String(withActions.refresh?.action?.data?.recordId ?? ''), withActions, where) : undefined;
      return { reply: messageText(reply.body), ...(card ? { card } : {}) };
    },

    close: () => teams.close(),
  };

  /** The card's inputs as Teams sends them: what the person filled (a date-time as the local date and time), the rest as drawn. */
  function inputValues(card: Element, values: Record<string, string>, email: string): Record<string, string> {
    const sent: Record<string, string> = {};
    for (const input of inputsOf(card)) {
      const id = String(input.id);
      const field = fieldIdOf(id);
      const value = field !== undefined ? values[field] : undefined;
      if (value === undefined) {
        // What the person did not fill: sent empty (a required one emptied is the server's to refuse).
        sent[id] = '';
        continue;
      }
      if (input.type === 'Input.Date') sent[id] = wallClock(value, zoneOf(email)).date;
      else if (input.type === 'Input.Time') sent[id] = wallClock(value, zoneOf(email)).time;
      else if (input.type === 'Input.ChoiceSet' && !input['choices.data'] && !(input.choices as Element[]).some((c) => c.value === value)) {
        throw new Error(`the form's ${field} offers no ${value}`);
      } else sent[id] = value;
    }
    return sent;
  }

  return driver;
}
