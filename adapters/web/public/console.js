import { ConsoleApi, newRequestKey } from './console-api.js';
import { CONSOLE_TEXT } from './console-text.js';
import { el, renderCard, renderForm, renderReply, showFieldErrors } from './render-views.js';
import { renderDashboard } from './dashboard.js';
import { DASHBOARD_TEXT } from './dashboard-text.js';

const api = new ConsoleApi();
const $ = (id) => document.getElementById(id);
const state = { me: null, conversation: '', events: null, unread: new Map(), unanswered: null };

const language = () => (api.locale || state.me?.person.locale || navigator.language || 'en').slice(0, 2) === 'ko' ? 'ko' : 'en';
function text(key, params = {}) {
  const words = CONSOLE_TEXT[language()][key] ?? DASHBOARD_TEXT[language()]?.[key] ?? CONSOLE_TEXT.en[key] ?? key;
  return words.replace(/\{(\w+)\}/g, (_, name) => params[name] ?? `{${name}}`);
}

function translatePage() {
  document.documentElement.lang = language();
  for (const node of document.querySelectorAll('[data-text]')) node.textContent = text(node.dataset.text);
  $('command').placeholder = text('placeholder');
  $('language').value = language();
}

function toast(message) {
  const node = el('div', { class: 'toast' }, message);
  $('toasts').append(node);
  setTimeout(() => node.remove(), 6000);
}

// ---- who this tab is --------------------------------------------------------------------------

async function start() {
  translatePage();
  $('language').addEventListener('change', () => {
    api.setLocale($('language').value);
    void begin();
  });
  const people = await api.get('/people');
  if (people.status === 200) {
    const picker = $('act-as');
    picker.replaceChildren(el('option', { value: '' }, text('chooseSomeone')), ...people.body.people.map((p) => el('option', { value: p.email, selected: p.email === api.actAs }, `${p.name} — ${p.roles.join(', ') || text('employee')}`)));
    picker.addEventListener('change', () => {
      api.setActAs(picker.value);
      void begin();
    });
  } else {
    $('act-as').closest('.picker').hidden = true;
  }
  await begin(people.status === 200 ? people.body.people : null);
}

async function begin(people) {
  const me = await api.get('/me');
  if (me.status === 401 && !people && !api.actAs) return showSignIn();
  if (me.status !== 200) return showWelcome(people);
  state.me = me.body;
  api.csrf = me.body.csrf;
  translatePage();
  if (me.body.mode === 'sign-in') {
    $('signed-in').hidden = false;
    $('signed-in').replaceChildren(el('span', {}, me.body.person.name), el('button', { type: 'button', class: 'link', onclick: signOut }, text('signOut')));
  }
  $('command-list').replaceChildren(...me.body.commands.map((c) => el('option', { value: c.usage }, c.summary)));
  drawConversations();
  connect();
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (location.pathname.endsWith('/dashboard') || wanted === 'dashboard') await openDashboard();
  else await openConversation(me.body.conversations.some((c) => c.id === wanted) ? wanted : me.body.conversations[0].id);
}

function showWelcome(people) {
  state.me = null;
  state.events?.close();
  $('conversations').replaceChildren();
  $('stream').hidden = true;
  $('dashboard').hidden = true;
  $('composer').hidden = true;
  const welcome = $('welcome');
  welcome.hidden = false;
  $('conversation-title').textContent = text('welcomeTitle');
  const choose = (people ?? []).map((p) =>
    el('button', { type: 'button', class: 'person', 'data-email': p.email, onclick: () => { api.setActAs(p.email); $('act-as').value = p.email; void begin(people); } }, el('strong', {}, p.name), el('span', { class: 'roles' }, p.roles.join(', ') || text('employee'))),
  );
  welcome.replaceChildren(
    el('p', {}, text('welcomeText')),
    el('ul', { class: 'tries' }, ['tryReport', 'tryQueue', 'tryRequest', 'tryHelp'].map((k) => el('li', {}, el('code', {}, text(k))))),
    el('p', {}, text('secondTab')),
    el('h2', {}, text('chooseSomeone')),
    el('div', { class: 'people' }, choose),
  );
}

function showSignIn() {
  $('conversation-title').textContent = text('signInTitle');
  $('stream').hidden = true;
  $('composer').hidden = true;
  const welcome = $('welcome');
  welcome.hidden = false;
  const token = el('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', 'aria-label': text('token') });
  const error = el('p', { class: 'field-error', role: 'alert' });
  welcome.replaceChildren(
    el('p', {}, text('signInText')),
    el('form', {
      class: 'sign-in',
      onsubmit: async (event) => {
        event.preventDefault();
        const answer = await api.post('/sign-in', { token: token.value }, 'sign-in');
        if (answer.status === 200) location.reload();
        else error.textContent = answer.body.error ?? String(answer.status);
      },
    }, el('label', { for: 'token' }, text('token')), token, el('button', { type: 'submit', class: 'primary' }, text('signIn')), error),
  );
}

async function signOut() {
  await api.post('/sign-out', {});
  location.reload();
}

// ---- conversations ------------------------------------------------------------------------------

function drawConversations() {
  const link = (c) => {
    const unread = state.unread.get(c.id) ?? 0;
    return el('a', { href: `#${encodeURIComponent(c.id)}`, class: `conversation ${c.id === state.conversation ? 'current' : ''}`, 'data-conversation': c.id, onclick: (e) => { e.preventDefault(); void openConversation(c.id); } },
      c.kind === 'person' ? text('directMessages') : `# ${c.name}`, unread ? el('span', { class: 'badge' }, String(unread)) : undefined);
  };
  const { conversations } = state.me;
  $('conversations').replaceChildren(
    el('a', { href: '#dashboard', class: `conversation ${state.conversation === 'dashboard' ? 'current' : ''}`, 'data-conversation': 'dashboard', onclick: (e) => { e.preventDefault(); void openDashboard(); } }, text('dashboard')),
    link(conversations.find((c) => c.kind === 'person')),
    el('h4', {}, text('channels')),
    ...conversations.filter((c) => c.kind === 'service' || c.kind === 'major').map(link),
    el('h4', {}, text('groups')),
    ...conversations.filter((c) => c.kind === 'group').map(link),
  );
}

async function openConversation(id) {
  state.conversation = id;
  state.unread.delete(id);
  history.replaceState(null, '', `/#${encodeURIComponent(id)}`);
  drawConversations();
  const conversation = state.me.conversations.find((c) => c.id === id);
  $('conversation-title').textContent = conversation.kind === 'person' ? `${text('directMessages')} · ${state.me.person.name}` : `# ${conversation.name}`;
  $('welcome').hidden = true;
  $('dashboard').hidden = true;
  $('stream').hidden = false;
  $('composer').hidden = false;
  const { body } = await api.get(`/messages?conversation=${encodeURIComponent(id)}`);
  const stream = $('stream');
  stream.replaceChildren();
  for (const message of body.messages ?? []) place(message, false);
  if (!stream.children.length) stream.append(el('p', { class: 'empty' }, text('emptyConversation')));
  stream.scrollTop = stream.scrollHeight;
  $('command').focus();
}

async function openDashboard() {
  state.conversation = 'dashboard';
  history.replaceState(null, '', '/console/dashboard');
  drawConversations();
  $('conversation-title').textContent = text('dashboard');
  $('welcome').hidden = true;
  $('stream').hidden = true;
  $('composer').hidden = true;
  const pane = $('dashboard');
  pane.hidden = false;
  const { status, body } = await api.get('/dashboard');
  if (status !== 200) {
    pane.replaceChildren(el('p', { class: 'notice error' }, body.error ?? String(status)));
    return;
  }
  pane.replaceChildren();
  renderDashboard(pane, body, (key) => DASHBOARD_TEXT[language()]?.[key] ?? DASHBOARD_TEXT.en[key] ?? key);
}

/** A stored message in the open conversation: a card replaced where it is, a line under its card. */
function place(message, live) {
  const stream = $('stream');
  stream.querySelector(':scope > .empty')?.remove();
  const existing = stream.querySelector(`[data-message-id="${CSS.escape(message._id)}"]`);
  if (message.kind === 'line') {
    if (existing) return;
    const line = el('li', { 'data-message-id': message._id }, message.view.text ?? '');
    const card = stream.querySelector(`[data-message-id="${CSS.escape(message.threadOf)}"] .thread`);
    if (card) card.append(line);
    else stream.append(el('div', { class: 'line' }, line));
  } else {
    // An older drawing arriving late (feeds of several processes cross) is not drawn over a newer one.
    if (existing && Number(existing.dataset.version ?? -1) > (message.version ?? message.view.version ?? 0)) return;
    const drawn = renderCard(message.view, { action: onAction }, { messageId: message._id });
    if (existing) {
      drawn.querySelector('.thread').replaceWith(existing.querySelector('.thread'));
      existing.replaceWith(drawn);
      if (live) drawn.classList.add('changed');
    } else stream.append(drawn);
  }
  if (live) stream.scrollTop = stream.scrollHeight;
}

// ---- live updates -------------------------------------------------------------------------------

function connect() {
  state.events?.close();
  const events = api.events();
  state.events = events;
  let missed = false;
  events.addEventListener('open', () => {
    setLive(true);
    // Back after a break (opsdesk restarted, the network dropped): what changed meanwhile is read afresh.
    if (missed && state.conversation && state.conversation !== 'dashboard') void openConversation(state.conversation);
    missed = false;
  });
  events.addEventListener('error', () => {
    setLive(false);
    missed = true;
  });
  events.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.conversation === state.conversation) place(message, true);
    else {
      state.unread.set(message.conversation, (state.unread.get(message.conversation) ?? 0) + 1);
      drawConversations();
      if (message.conversation.startsWith('person:')) toast(`${text('newMessage', { where: text('directMessages') })}: ${message.view.title}`);
    }
  });
}

function setLive(on) {
  const live = $('live');
  live.dataset.state = on ? 'on' : 'off';
  live.textContent = on ? text('live') : text('offline');
}

// ---- acting -------------------------------------------------------------------------------------

function showReply(views, skipCardOf) {
  const form = views.find((v) => v.kind === 'form');
  if (form) return openForm(form);
  const shown = views.filter((v) => !(v.kind === 'card' && skipCardOf && v.recordId === skipCardOf));
  const stream = $('stream');
  if (stream.hidden) {
    for (const v of shown) if (v.kind === 'notice') toast(v.text);
    return;
  }
  stream.querySelector(':scope > .empty')?.remove();
  stream.append(...renderReply(shown, { action: onAction }, text('onlyYou')));
  stream.scrollTop = stream.scrollHeight;
}

async function act(body, requestKey) {
  try {
    const answer = await api.act(body, requestKey);
    if (answer.status !== 200) {
      toast(text('failed', { error: answer.body.error ?? answer.status }));
      return null;
    }
    return answer.body.views;
  } catch (error) {
    toast(text('failed', { error: error.message }));
    return null;
  }
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('command');
  const typed = input.value.trim();
  if (!typed) return;
  input.value = '';
  // A command given back unanswered keeps its id: sent again, it is done once.
  const requestKey = state.unanswered?.text === typed ? state.unanswered.requestKey : newRequestKey();
  const views = await act({ kind: 'command', text: typed }, requestKey);
  state.unanswered = views ? null : { text: typed, requestKey };
  if (views) showReply(views);
  else if (!input.value) input.value = typed;
});

async function onAction(card, action, extra) {
  if (action.confirm && !(await confirmDialog(action.confirm))) return;
  const onConversationCard = card.recordId && document.querySelector(`#stream > [data-message-id][data-record-id="${CSS.escape(card.recordId)}"]`);
  const views = await act({
    kind: 'action',
    entry: action.actionId,
    ...(action.recordId ? { recordId: action.recordId } : {}),
    ...(card.version !== undefined ? { cardVersion: card.version } : {}),
    ...(extra.value !== undefined ? { value: extra.value } : {}),
    ...(extra.form && Object.keys(extra.form).length ? { form: extra.form } : {}),
  });
  // The record's card in the conversation is redrawn by the live feed; its copy is not repeated.
  if (views) showReply(views, onConversationCard ? card.recordId : undefined);
}

function confirmDialog(confirm) {
  const dialog = $('confirm-dialog');
  return new Promise((resolve) => {
    const done = (answer) => {
      dialog.close();
      resolve(answer);
    };
    dialog.replaceChildren(
      el('h2', {}, confirm.title),
      el('p', {}, confirm.text),
      el('div', { class: 'form-buttons' }, el('button', { type: 'button', class: 'cancel', onclick: () => done(false) }, confirm.deny), el('button', { type: 'button', class: 'primary', onclick: () => done(true) }, confirm.confirm)),
    );
    dialog.showModal();
  });
}

function openForm(form) {
  const dialog = $('form-dialog');
  // One id per opened form: a submission sent again after a lost answer is done once.
  const requestKey = newRequestKey();
  let node;
  const current = () => {
    const values = {};
    for (const [k, v] of new FormData(node)) if (v !== '') values[k] = String(v);
    return values;
  };
  node = renderForm(form, {
    cancel: () => dialog.close(),
    suggest: async (field, query) => {
      const views = await act({ kind: 'suggest', entry: field.suggest, query, form: current() });
      return views?.find((v) => v.kind === 'options')?.options ?? [];
    },
    submit: async (values) => {
      const button = node.querySelector('button[type=submit]');
      button.disabled = true;
      const views = await act({ kind: 'submit', entry: form.submitId, ...(form.recordId ? { recordId: form.recordId } : {}), form: values }, requestKey);
      button.disabled = false;
      if (!views) return;
      const refusal = views.find((v) => v.kind === 'notice' && v.tone === 'error');
      if (refusal) {
        showFieldErrors(node, refusal);
        return;
      }
      dialog.close();
      showReply(views);
    },
  }, text);
  dialog.replaceChildren(node);
  dialog.showModal();
}

void start();
