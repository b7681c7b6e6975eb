/** The console's calls to opsdesk: who the tab acts as, the page's token against cross-site changes, the language. */
export class ConsoleApi {
  constructor() {
    /** Per tab: two tabs may act as two people. */
    this.actAs = sessionStorage.getItem('opsdesk.actAs') ?? '';
    this.csrf = '';
    this.locale = localStorage.getItem('opsdesk.locale') ?? '';
  }

  setActAs(email) {
    this.actAs = email;
    sessionStorage.setItem('opsdesk.actAs', email);
  }

  setLocale(locale) {
    this.locale = locale;
    localStorage.setItem('opsdesk.locale', locale);
  }

  headers(extra = {}) {
    return {
      ...(this.actAs ? { 'x-opsdesk-act-as': this.actAs } : {}),
      ...(this.locale ? { 'x-opsdesk-locale': this.locale } : {}),
      ...extra,
    };
  }

  async get(path) {
    const response = await fetch(`/console/api${path}`, { headers: this.headers(), credentials: 'same-origin' });
    return { status: response.status, body: await response.json().catch(() => ({})) };
  }

  async post(path, body, csrf = this.csrf) {
    const response = await fetch(`/console/api${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: this.headers({ 'content-type': 'application/json', 'x-opsdesk-csrf': csrf }),
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => ({})) };
  }

  /**
   * An act (a command, a click, a submission): sent again with the same id while the network fails,
   * so that an answer lost on the way never makes the act happen twice.
   */
  async act(body, requestKey = newRequestKey()) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.post('/act', body.kind === 'suggest' ? body : { ...body, requestKey });
      } catch (error) {
        if (attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
  }

  /** The live stream of what changes (an EventSource cannot send headers: the person goes in the query). */
  events() {
    const query = this.actAs ? `?as=${encodeURIComponent(this.actAs)}` : '';
    return new EventSource(`/console/api/events${query}`);
  }
}

export function newRequestKey() {
  return crypto.randomUUID().replaceAll('-', '');
}
