/**
 * The neutral views drawn as HTML: cards, lists, notices and forms, as opsdesk's handlers return
 * them. Clicks go back through `on.action(card, action, extra)`; nothing here talks to the server.
 */

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
}

/** A card: its title, fields, text, links, actions (with the inputs typed beside them) and thread. */
export function renderCard(card, on, options = {}) {
  const inputs = new Map();
  const actions = el('div', { class: 'actions' });
  for (const action of card.actions ?? []) {
    if (action.input && !inputs.has(action.input.id)) {
      const box = action.input.multiline
        ? el('textarea', { 'data-input-id': action.input.id, placeholder: action.input.placeholder ?? action.input.label, maxlength: action.input.maxLength, 'aria-label': action.input.label, rows: 2 })
        : el('input', { 'data-input-id': action.input.id, placeholder: action.input.placeholder ?? action.input.label, maxlength: action.input.maxLength, 'aria-label': action.input.label });
      inputs.set(action.input.id, box);
    }
    const typed = () => Object.fromEntries([...inputs].map(([id, box]) => [id, box.value]).filter(([, v]) => v !== ''));
    if (action.options) {
      const menu = el('select', { 'data-action-id': action.actionId, 'aria-label': action.label }, el('option', { value: '' }, action.label), ...action.options.map((o) => el('option', { value: o.value }, o.label)));
      menu.addEventListener('change', () => menu.value && on.action(card, action, { value: menu.value, form: typed() }));
      actions.append(menu);
    } else {
      actions.append(
        el('button', { type: 'button', class: `action ${action.style ?? ''}`, 'data-action-id': action.actionId, 'data-value': action.value, onclick: () => on.action(card, action, { value: action.value, form: typed() }) }, action.label),
      );
    }
  }
  const severity = card.severity ? el('span', { class: `severity ${card.severity}` }, card.severity) : undefined;
  return el(
    'article',
    { class: `card ${options.reply ? 'reply' : ''}`, 'data-record-id': card.recordId, 'data-version': card.version, 'data-message-id': options.messageId },
    options.reply ? el('div', { class: 'only-you' }, options.onlyYou) : undefined,
    el('header', { class: 'card-title' }, severity, el('h3', {}, card.title)),
    card.fields?.length ? el('dl', { class: 'fields' }, card.fields.flatMap((f) => [el('dt', {}, f.label), el('dd', { title: f.at ? new Date(f.at).toString() : undefined }, f.value)])) : undefined,
    card.text ? el('p', { class: 'card-text' }, card.text) : undefined,
    (card.context ?? []).length ? el('p', { class: 'context' }, card.context.join(' · ')) : undefined,
    (card.links ?? []).length ? el('p', { class: 'links' }, card.links.map((l) => el('a', { href: safeUrl(l.url), rel: 'noopener noreferrer', target: '_blank' }, l.label))) : undefined,
    inputs.size ? el('div', { class: 'card-inputs' }, [...inputs.values()]) : undefined,
    card.actions?.length ? actions : undefined,
    el('ul', { class: 'thread' }),
  );
}

const safeUrl = (url) => (/^https?:\/\//i.test(url) ? url : '#');

export function renderNotice(notice, options = {}) {
  return el('div', { class: `notice ${notice.tone} ${options.reply ? 'reply' : ''}`, role: notice.tone === 'error' ? 'alert' : 'status' }, options.reply ? el('div', { class: 'only-you' }, options.onlyYou) : undefined, notice.text);
}

export function renderList(list, on, options = {}) {
  const items = list.items.length ? list.items.map((item) => renderCard(item, on)) : [el('p', { class: 'empty' }, list.empty)];
  const pages = (list.pages ?? []).map((p) => el('button', { type: 'button', class: 'page', 'data-action-id': p.actionId, onclick: () => on.action({ recordId: p.recordId }, p, { value: p.value }) }, p.label));
  return el('section', { class: `list ${options.reply ? 'reply' : ''}` }, options.reply ? el('div', { class: 'only-you' }, options.onlyYou) : undefined, el('h3', {}, list.title), list.range ? el('p', { class: 'range' }, list.range) : undefined, items, pages.length ? el('div', { class: 'pages' }, pages) : undefined);
}

/** Draws the views a person was answered with, only for them (cards, lists, notices); a form is opened instead by the caller. */
export function renderReply(views, on, onlyYou) {
  return views
    .map((view) => {
      if (view.kind === 'card') return renderCard(view, on, { reply: true, onlyYou });
      if (view.kind === 'list') return renderList(view, on, { reply: true, onlyYou });
      if (view.kind === 'notice') return renderNotice(view, { reply: true, onlyYou });
      return undefined;
    })
    .filter(Boolean);
}

/** A form's fields in a dialog; `suggest(field, query, values)` returns options for a type-ahead field. */
export function renderForm(form, handlers, text) {
  const fields = form.fields.map((field) => {
    const id = `field-${field.id}`;
    let control;
    if (field.suggest) {
      const list = el('datalist', { id: `${id}-list` });
      control = el('input', { id, name: field.id, list: `${id}-list`, 'data-suggest': field.suggest, required: field.required, 'data-multiple': field.type === 'multi_select' || undefined, autocomplete: 'off', placeholder: field.placeholder });
      let timer;
      control.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(async () => {
          const query = field.type === 'multi_select' ? control.value.split(',').at(-1).trim() : control.value;
          const options = await handlers.suggest(field, query);
          list.replaceChildren(...options.map((o) => el('option', { value: o.value }, o.label)));
        }, 150);
      });
      control = el('span', { class: 'suggest' }, control, list);
    } else if (field.type === 'select' || field.type === 'multi_select') {
      control = el(
        'select',
        { id, name: field.id, required: field.required, multiple: field.type === 'multi_select' },
        field.type === 'select' ? el('option', { value: '' }, text('choose')) : undefined,
        (field.options ?? []).map((o) => el('option', { value: o.value, selected: [field.initial].flat().includes(o.value) }, o.label)),
      );
    } else if (field.type === 'long_text') {
      control = el('textarea', { id, name: field.id, required: field.required, maxlength: field.maxLength, placeholder: field.placeholder, rows: 4 });
      control.value = field.initial ?? '';
    } else if (field.type === 'datetime') {
      control = el('input', { id, name: field.id, type: 'datetime-local', required: field.required, 'data-datetime': true });
    } else {
      control = el('input', { id, name: field.id, required: field.required, maxlength: field.maxLength, placeholder: field.placeholder, value: field.initial });
    }
    return el('div', { class: 'field', 'data-field-id': field.id }, el('label', { for: id }, field.label, field.required ? ' *' : ''), control, el('p', { class: 'field-error', role: 'alert', 'data-error-for': field.id }));
  });
  // Checked by opsdesk, not the browser: its messages, beside each field, in the person's language.
  const node = el(
    'form',
    { class: 'form', 'data-submit-id': form.submitId, method: 'dialog', novalidate: true },
    el('h2', {}, form.title),
    fields,
    el('p', { class: 'form-error', role: 'alert' }),
    el('div', { class: 'form-buttons' }, el('button', { type: 'button', value: 'cancel', class: 'cancel', onclick: handlers.cancel }, text('cancel')), el('button', { type: 'submit', class: 'primary' }, form.submitLabel)),
  );
  node.addEventListener('submit', (event) => {
    event.preventDefault();
    handlers.submit(formValues(node));
  });
  return node;
}

/** The form's values by field id, as the handlers expect them (lists for multiple choices, instants in ISO). */
export function formValues(node) {
  const values = {};
  for (const control of node.querySelectorAll('[name]')) {
    const name = control.getAttribute('name');
    if (control instanceof HTMLSelectElement && control.multiple) {
      const chosen = [...control.selectedOptions].map((o) => o.value);
      if (chosen.length) values[name] = chosen;
    } else if (control.dataset.multiple !== undefined) {
      const chosen = control.value.split(',').map((v) => v.trim()).filter(Boolean);
      if (chosen.length) values[name] = chosen;
    } else if (control.dataset.datetime !== undefined) {
      if (control.value) values[name] = new Date(control.value).toISOString();
    } else if (control.value !== '') {
      values[name] = control.value;
    }
  }
  return values;
}

/** A form's errors beside its fields; a message for what belongs to no field. */
export function showFieldErrors(node, notice) {
  for (const slot of node.querySelectorAll('[data-error-for]')) slot.textContent = '';
  const errors = notice?.fieldErrors ?? {};
  let unplaced = notice && !notice.fieldErrors ? notice.text : '';
  for (const [field, message] of Object.entries(errors)) {
    const slot = node.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    if (slot) {
      slot.textContent = message;
      slot.closest('.field')?.classList.add('invalid');
    } else unplaced = `${unplaced ? `${unplaced} ` : ''}${message}`;
  }
  node.querySelector('.form-error').textContent = unplaced;
}
