import { randomUUID } from 'node:crypto';
import type { Database } from '../../../src/db/connect';
import { personIdForEmail } from '../../../src/people/people-directory';
import type { WebMessageDoc } from '../../../src/models/web-message.model';
import type { ActionView, CardView, FormView, ListView, View } from '../../../src/views/view-model';
import { chooseSuggestions, type PlatformDriver, type RenderedCard, type RenderedForm } from '../conformance/platform-driver';
import type { TestClock } from '../factories';
import { JAMIE } from '../factories';
import { consoleCall, startWebHarness } from './web-harness';

/** What a person reads on a card: its title, each field as label and value, its text, context and links. */
function cardText(view: CardView): string {
  return [view.title, ...view.fields.map((f) => `${f.label}: ${f.value}`), view.text ?? '', ...(view.context ?? []), ...(view.links ?? []).map((l) => l.label)].join('\n');
}

const listText = (list: ListView) => [list.title, list.range ?? '', ...(list.items.length ? list.items.map(cardText) : [list.empty])].join('\n');

const viewText = (view: View): string =>
  view.kind === 'card' ? cardText(view) : view.kind === 'list' ? listText(view) : view.kind === 'notice' ? view.text : view.kind === 'form' ? view.title : '';

function rendered(recordId: string, actions: ActionView[], text: string, raw: unknown, inputs: string[] = []): RenderedCard {
  return {
    recordId,
    text,
    actions: actions.map((a) => ({ actionId: a.actionId, label: a.label, ...(a.value !== undefined ? { value: a.value } : {}), choices: (a.options ?? []).map((o) => o.value) })),
    inputs,
    raw,
  };
}

const renderedCard = (recordId: string, view: CardView): RenderedCard =>
  rendered(recordId, view.actions, cardText(view), view, [...new Set(view.actions.flatMap((a) => (a.input ? [a.input.id] : [])))]);

const formOf = (form: FormView): RenderedForm => ({ submitId: form.submitId, fieldIds: form.fields.map((f) => f.id), raw: form });

/**
 * The web console's side of the conformance suite: opsdesk with its console on a real HTTP
 * server; every act goes through the console's API as its page sends it (acting as the person),
 * and cards are read back through the same API the page reads them with.
 */
export async function startWebDriver(database: Database, clock: TestClock): Promise<PlatformDriver> {
  const web = await startWebHarness(database, clock);
  const told = new Map<string, string[]>();
  const tell = (email: string, views: View[]) => {
    const texts = views.filter((v) => v.kind !== 'form' && v.kind !== 'options').map(viewText);
    told.set(email, [...(told.get(email) ?? []), ...texts]);
  };

  async function act(email: string, body: Record<string, unknown>): Promise<View[]> {
    const answer = await consoleCall(web.url, '/act', email, body.kind === 'suggest' ? body : { ...body, requestKey: randomUUID().replaceAll('-', '') });
    if (answer.status !== 200) throw new Error(`the console answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    await web.idle();
    return answer.body.views as View[];
  }

  async function messages(conversation: string, email: string): Promise<WebMessageDoc[]> {
    const answer = await consoleCall(web.url, `/messages?conversation=${encodeURIComponent(conversation)}`, email);
    if (answer.status !== 200) throw new Error(`${conversation}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.messages as WebMessageDoc[];
  }

  /** The conversation a record's channel card is in (its service's), found as a person scrolling the channels would. */
  async function serviceConversationOf(recordId: string): Promise<string | undefined> {
    const card = await database.models.WebMessage.findOne({ recordId, kind: 'card', conversation: /^service:/ }).lean();
    return card?.conversation;
  }

  async function cardIn(conversation: string | undefined, recordId: string, email: string): Promise<RenderedCard | undefined> {
    if (!conversation) return undefined;
    const card = (await messages(conversation, email)).find((m) => m.kind === 'card' && m.recordId === recordId);
    return card ? renderedCard(recordId, card.view) : undefined;
  }

  const driver: PlatformDriver = {
    platform: 'web',
    app: web.app,
    clock,

    channelCard: async (recordId) => cardIn(await serviceConversationOf(recordId), recordId, JAMIE),
    personCard: (recordId, email) => cardIn(`person:${personIdForEmail(email)}`, recordId, email),
    groupCard: (recordId, group) => cardIn(`group:${group}`, recordId, JAMIE),

    async directCard(recordId, email, actionId) {
      const mine = await messages(`person:${personIdForEmail(email)}`, email);
      const found = mine.filter((m) => m.recordId === recordId && m.view.actions.some((a) => a.actionId === actionId)).at(-1);
      return found ? renderedCard(recordId, found.view) : undefined;
    },

    async threadLines(recordId) {
      const conversation = await serviceConversationOf(recordId);
      if (!conversation) return [];
      return (await messages(conversation, JAMIE)).filter((m) => m.kind === 'line' && m.recordId === recordId).map((m) => m.view.text ?? '');
    },

    toldPrivately: (email) => told.get(email) ?? [],

    async click(card, actionId, email, typed = {}) {
      const view = card.raw as CardView;
      const { choice } = typed;
      const action = view.actions.find((a) => a.actionId === actionId && (a.options || choice === undefined || a.value === choice));
      if (!action) throw new Error(`the card shows no ${actionId}`);
      if (action.options && !action.options.some((o) => o.value === choice)) throw new Error(`the menu ${actionId} offers no ${String(choice)}`);
      const views = await act(email, {
        kind: 'action',
        entry: action.actionId,
        recordId: action.recordId,
        ...(view.version !== undefined ? { cardVersion: view.version } : {}),
        ...(action.options ? { value: choice } : action.value !== undefined ? { value: action.value } : {}),
        ...(typed.inputs ? { form: typed.inputs } : {}),
      });
      const form = views.find((v): v is FormView => v.kind === 'form');
      tell(email, views);
      return form ? { form: formOf(form) } : {};
    },

    async suggest(form, fieldId, query, values, email) {
      const field = (form.raw as FormView).fields.find((f) => f.id === fieldId);
      if (!field?.suggest) throw new Error(`the form's ${fieldId} suggests nothing`);
      const views = await act(email, { kind: 'suggest', entry: field.suggest, query, form: values });
      return views.flatMap((v) => (v.kind === 'options' ? v.options.map((o) => o.value) : []));
    },

    async submit(form, values, email) {
      const plain = await chooseSuggestions(driver, form, values, email);
      const view = form.raw as FormView;
      // A multiple choice goes as a list, as the page sends it.
      const sent = Object.fromEntries(Object.entries(plain).map(([id, v]) => [id, view.fields.find((f) => f.id === id)?.type === 'multi_select' ? [v] : v]));
      const views = await act(email, { kind: 'submit', entry: view.submitId, ...(view.recordId ? { recordId: view.recordId } : {}), form: sent });
      const refusal = views.find((v) => v.kind === 'notice' && v.tone === 'error');
      if (refusal?.kind === 'notice' && refusal.fieldErrors) return { fieldErrors: refusal.fieldErrors };
      tell(email, views);
      const next = views.find((v): v is FormView => v.kind === 'form');
      return next ? { form: formOf(next) } : {};
    },

    async command(text, email) {
      const views = await act(email, { kind: 'command', text });
      const form = views.find((v): v is FormView => v.kind === 'form');
      if (form) return { form: formOf(form) };
      tell(email, views);
      const withActions = views.find((v): v is CardView | ListView => (v.kind === 'card' && v.actions.length > 0) || (v.kind === 'list' && (v.items.some((i) => i.actions.length > 0) || (v.pages ?? []).length > 0)));
      const card =
        withActions?.kind === 'card'
          ? renderedCard('', withActions)
          : withActions?.kind === 'list'
            ? rendered('', [...withActions.items.flatMap((i) => i.actions), ...(withActions.pages ?? [])], listText(withActions), { kind: 'card', title: withActions.title, fields: [], actions: [...withActions.items.flatMap((i) => i.actions), ...(withActions.pages ?? [])] } satisfies CardView)
            : undefined;
      return { reply: views.map(viewText).join('\n'), ...(card ? { card } : {}) };
    },

    close: () => web.close(),
  };
  return driver;
}
