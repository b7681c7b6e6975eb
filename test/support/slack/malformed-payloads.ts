import { join } from 'node:path';
import fc from 'fast-check';
import { encodeActionValue } from '../../../adapters/slack/render/action-value';
import { slackFixture, slackFixtureText } from './fixtures';
import { SIGNING_SECRET, slackSignature } from './signed-request';

/**
 * Signed, malformed Slack requests for every kind the app receives, generated from the real
 * payloads in test/fixtures/slack with a seeded generator (fast-check): the same seed gives the
 * same requests, in the test suite and in `npm run bench` alike (compiled with the bench, so it
 * imports nothing of jest and finds the fixtures from both test/ and dist/test/).
 */

export const SLACK_FUZZ_KINDS = [
  'slash_command',
  'block_actions',
  'view_submission',
  'block_suggestion',
  'message_action',
  'shortcut',
  'app_mention',
  'app_home_opened',
  'url_verification',
] as const;
export type SlackFuzzKind = (typeof SLACK_FUZZ_KINDS)[number];

export const FUZZ_SEED = 0x51ac4f;

/** A record no test creates: a valid-shaped request about it changes nothing. */
export const MISSING_RECORD = 'INC9999999';

export interface MalformedRequest {
  kind: SlackFuzzKind;
  index: number;
  /** What was done to the fixture, for a report. */
  label: string;
  body: Buffer;
  /** Absent: no content-type header at all. */
  contentType: string | undefined;
  headers: Record<string, string>;
}

export interface FuzzOptions {
  /** Where response_urls lead (the recording Web API): a reply must never leave the machine. */
  responseUrl: string;
  seed?: number;
}

// ---------------------------------------------------------------------------------------------
// Fixtures (from the sources under test/ and from dist/test/ once compiled)

const fixture = (name: string): Record<string, any> => slackFixture(name);

// ---------------------------------------------------------------------------------------------
// Raw bytes: markers of letters and digits only survive JSON and form encoding, and are replaced
// by the bytes themselves (R) or their percent-encoding (P) once the body is serialised.

const MARKER = /ZQX([RP])([0-9a-f]+)ZQX/g;
const rawBytes = (hex: string) => `ZQXR${hex}ZQX`;
const percentBytes = (hex: string) => `ZQXP${hex}ZQX`;
/** Not UTF-8: a lone 0xff, an overlong NUL, an encoded surrogate, past U+10FFFF, cut sequences, a stray continuation byte, NUL, a BOM. */
const BAD_BYTES = ['ff', 'fe', 'c080', 'eda080', 'edbfbf', 'f4908080', 'e282', 'c3', '80', 'bf', '00', 'efbbbf', 'f8888080', 'c0af'];

function toBuffer(text: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    parts.push(Buffer.from(text.slice(last, match.index), 'utf8'));
    const hex = match[2] as string;
    parts.push(match[1] === 'R' ? Buffer.from(hex, 'hex') : Buffer.from((hex.match(/../g) ?? []).map((h) => `%${h.toUpperCase()}`).join(''), 'latin1'));
    last = (match.index as number) + match[0].length;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/** UTF-8 of every code unit, lone surrogates included (WTF-8): what a careless client sends. */
function wtf8(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (cp >= 0xd800 && cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return bytes;
}

/** application/x-www-form-urlencoded as browsers write it, but lone surrogates kept (as WTF-8, percent-encoded). */
function formEncode(text: string): string {
  try {
    return encodeURIComponent(text)
      .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+');
  } catch {
    // URIError: a lone surrogate, which the standard encoder refuses.
  }
  let out = '';
  for (const byte of wtf8(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9*\-._]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

const LONG = 'x'.repeat(10_000);
const deepArray = (depth: number): unknown => {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};
const deepObject = (depth: number): unknown => {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

const PROTO_WORDS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];

/** Strings a careless or hostile sender might put anywhere (no URL here leaves 127.0.0.1). */
const STRING_POOL: string[] = [
  '',
  ' ',
  ...PROTO_WORDS,
  LONG,
  '🔥'.repeat(2_000),
  '\ud800',
  'a\udc00b',
  '\ud83d',
  '\udfff\ud800',
  '\u0000',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '\n\r\t',
  '%',
  '%G1',
  '%E0%A4%A',
  '&payload=null&',
  '=&=&',
  '+',
  '<script>alert(1)</script>',
  '${process.exit()}',
  "'; db.dropDatabase(); '",
  '../../../../etc/passwd',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '1e400',
  '-0',
  'NaN',
  MISSING_RECORD,
  MISSING_RECORD.toLowerCase(),
  'INC0000000',
  'U00FAKEUSR1',
  'U00FAKESAM1',
  'T00FAKE0001',
  'C00FAKECHN1',
  'u00lowercase',
  'U',
  'W'.repeat(41),
  '{"r":"INC9999999"}',
  '{"r":{"$ne":null}}',
  '{"r":null,"v":{"$gt":""}}',
  '{"recordId":"INC9999999"}',
  '{"recordId":{"$ne":null}}',
  '{"recordId":"INC9999999","channel":"C00FAKECHN1","extra":{"sourceTs":"1.2","sourceChannel":"C00FAKECHN1"}}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  'http://127.0.0.1:1/response',
  'http://localhost:1/',
  'http://[::1',
  'ftp://127.0.0.1/',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'incident.ack',
  'incident.resolve.form',
  'incident.resolve',
  'incident.hold',
  'incident.reopen',
  'incident.close',
  'incident.priority',
  'incident.decline_page',
  'cmdb.suggest',
  'people.suggest',
  'incident.assign.form',
  'incident.assign',
  'incident.comment',
  'report_incident',
  'report_message_as_incident',
  '/incident',
  '/itsm',
  '/oncall',
  '/constructor',
  '/__proto__',
  'mine',
  'show INC9999999',
  'show constructor',
  'oncall __proto__',
  'status',
  'block_actions',
  'view_submission',
  'view_closed',
  'block_suggestion',
  'message_action',
  'shortcut',
  'interactive_message',
  'dialog_submission',
  'event_callback',
  'url_verification',
  'app_rate_limited',
  'app_mention',
  'app_home_opened',
  'app_uninstalled',
  'tokens_revoked',
  'message',
  'home',
  'messages',
  'button',
  'static_select',
  'plain_text_input',
  'external_select',
  'multi_static_select',
  'datetimepicker',
];

const stringArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...STRING_POOL), weight: 8 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 24 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 24 }), weight: 1 },
  { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `id${String.fromCharCode(c)}`), weight: 1 },
  { arbitrary: fc.constantFrom(...BAD_BYTES).map((hex) => `U00${rawBytes(hex)}FAKE`), weight: 1 },
  { arbitrary: fc.constantFrom(...BAD_BYTES).map((hex) => `text${percentBytes(hex)}`), weight: 1 },
);

/** Any JSON value, plus the shapes that confuse a reader (nesting, operators, the wrong container). */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: stringArb, weight: 10 },
  {
    arbitrary: fc.constantFrom<unknown>(
      null, true, false, 0, -1, 1.5, 1e21, 2 ** 53 + 2, -0, [], [null], ['a', 1, {}], {}, { a: { b: { c: {} } } },
      { $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { id: null }, { id: 1 }, { id: ['U00FAKEUSR1'] }, { id: 'U00FAKEUSR1', team_id: 5 },
      { type: 'button' }, { value: null }, { type: null, value: 1 }, [{ type: 'button' }],
    ),
    weight: 6,
  },
  { arbitrary: fc.constantFrom(deepArray(3_000), deepObject(1_000)), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.oneof(fc.integer(), fc.double()), weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// JSON payloads: mutations at paths

type Path = (string | number)[];
type Mutation =
  | { op: 'delete'; path: Path }
  | { op: 'set'; path: Path; value: unknown }
  | { op: 'addKey'; path: Path; key: string; value: unknown }
  | { op: 'wrapInArray'; path: Path }
  | { op: 'stringify'; path: Path };

const isContainer = (value: unknown): value is Record<string | number, unknown> => typeof value === 'object' && value !== null;

/** Sets an own property (a `__proto__` key is a key, not the prototype). */
function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A fresh copy (pool values are shared between samples and must never be changed in place). */
function clone(value: unknown): unknown {
  if (!isContainer(value)) return value;
  const copy = (Array.isArray(value) ? [] : {}) as Record<string | number, unknown>;
  for (const [key, child] of Object.entries(value)) setOwn(copy, key, clone(child));
  return copy;
}

function get(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (!isContainer(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** Applies one mutation; a missing parent becomes an object (or the root is replaced). */
function apply(root: unknown, mutation: Mutation): unknown {
  const { path } = mutation;
  const current = get(root, path);
  const value = (() => {
    switch (mutation.op) {
      case 'set':
        return clone(mutation.value);
      case 'wrapInArray':
        return [current];
      case 'stringify':
        return JSON.stringify(current) ?? 'undefined';
      case 'addKey': {
        const target = isContainer(current) && !Array.isArray(current) ? current : {};
        setOwn(target, mutation.key, clone(mutation.value));
        return target;
      }
      case 'delete':
        return undefined;
    }
  })();
  if (path.length === 0) return mutation.op === 'delete' ? undefined : value;
  // The payload itself was replaced by a scalar: nothing to reach into.
  if (!isContainer(root)) return root;
  let parent: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string | number;
    let next = isContainer(parent) ? parent[key] : undefined;
    if (!isContainer(next)) {
      if (mutation.op === 'delete') return root;
      next = {};
      setOwn(parent as Record<string, unknown>, key, next);
    }
    parent = next;
  }
  const last = path[path.length - 1] as string | number;
  if (!isContainer(parent)) return root;
  if (mutation.op === 'delete') {
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else delete parent[last];
  } else {
    setOwn(parent, last, value);
  }
  return root;
}

/** Every path in a payload (objects, arrays and leaves), for mutations anywhere. */
function allPaths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (!isContainer(value)) return out;
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path);
    allPaths(child, path, out);
  }
  return out;
}

const p = (dotted: string): Path => (dotted === '' ? [] : dotted.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)));

/** The fields Bolt and our listeners read, per kind (`''` is the payload itself). */
const TARGETED: Record<Exclude<SlackFuzzKind, 'slash_command'>, string[]> = {
  block_actions: [
    '', 'type', 'user', 'user.id', 'user.team_id', 'team', 'team.id', 'team.enterprise_id', 'enterprise', 'trigger_id', 'response_url', 'actions',
    'actions.0', 'actions.0.action_id', 'actions.0.value', 'actions.0.type', 'actions.0.block_id', 'actions.0.selected_option',
    'actions.0.selected_option.value', 'actions.1', 'container', 'container.type', 'container.channel_id', 'container.message_ts', 'channel',
    'channel.id', 'message', 'message.ts', 'view', 'view.id', 'view.callback_id', 'view.state', 'state', 'is_enterprise_install', 'api_app_id',
    'response_urls', 'function_data', 'function_data.execution_id', 'bot_access_token',
  ],
  view_submission: [
    '', 'type', 'user', 'user.id', 'user.team_id', 'team', 'team.id', 'enterprise', 'trigger_id', 'view', 'view.id', 'view.type',
    'view.callback_id', 'view.private_metadata', 'view.state', 'view.state.values', 'view.state.values.code', 'view.state.values.code.code',
    'view.state.values.code.code.type', 'view.state.values.code.code.selected_option', 'view.state.values.code.code.selected_option.value',
    'view.state.values.notes.notes', 'view.state.values.notes.notes.value', 'view.state.values.notes.notes.type', 'view.blocks', 'view.blocks.0',
    'view.blocks.0.block_id', 'view.app_installed_team_id', 'response_urls', 'response_urls.0', 'response_urls.0.response_url', 'response_url',
    'channel', 'is_enterprise_install',
  ],
  block_suggestion: [
    '', 'type', 'user', 'user.id', 'user.team_id', 'team', 'team.id', 'action_id', 'block_id', 'value', 'view', 'view.id', 'view.callback_id',
    'view.state', 'view.state.values', 'view.state.values.service', 'view.state.values.service.service', 'view.state.values.service.service.selected_option',
    'container', 'enterprise', 'channel', 'channel.id', 'response_url', 'response_urls', 'function_data',
  ],
  message_action: [
    '', 'type', 'user', 'user.id', 'team', 'team.id', 'team.enterprise_id', 'enterprise', 'callback_id', 'trigger_id', 'channel', 'channel.id',
    'message', 'message.ts', 'message.text', 'message_ts', 'response_url', 'response_urls',
  ],
  shortcut: [
    '', 'type', 'user', 'user.id', 'user.team_id', 'team', 'team.id', 'enterprise', 'callback_id', 'trigger_id', 'is_enterprise_install', 'channel',
    'response_url', 'response_urls',
  ],
  app_mention: [
    '', 'type', 'team_id', 'enterprise_id', 'api_app_id', 'event_id', 'event', 'event.type', 'event.user', 'event.text', 'event.channel',
    'event.ts', 'event.thread_ts', 'event.team', 'authorizations', 'authorizations.0', 'authorizations.0.team_id', 'authorizations.0.enterprise_id',
    'authorizations.0.is_enterprise_install', 'is_ext_shared_channel', 'event.channel_id', 'event.item', 'event.item.channel', 'event.subteam',
    'event.assistant_thread', 'event.message', 'event.previous_message',
  ],
  app_home_opened: [
    '', 'type', 'team_id', 'enterprise_id', 'api_app_id', 'event_id', 'event', 'event.type', 'event.user', 'event.tab', 'event.channel',
    'event.view', 'authorizations', 'authorizations.0', 'authorizations.0.team_id', 'event.channel_id', 'event.item', 'event.subteam',
    'event.assistant_thread', 'event.message', 'event.previous_message',
  ],
  url_verification: ['', 'type', 'challenge', 'token'],
};

/** Values only a field of that name would hold: the realistic near-misses. */
function nearMissValues(kind: SlackFuzzKind, responseUrl: string): unknown[] {
  const ours = encodeActionValue({ recordId: MISSING_RECORD });
  // What Bolt reads of every interaction before any listener (response_urls of a view, the channel).
  const interaction = [null, [null], [{}], [{ response_url: null }], [{ response_url: responseUrl }], { length: 1 }, { id: null }, { execution_id: 'Fx1', inputs: null }];
  switch (kind) {
    case 'block_actions':
      return [
        [{ type: 'button', action_id: 'not-ours', value: ours }, { type: 'button', action_id: 'incident.ack', value: ours }],
        [{ type: 'static_select', action_id: 'incident.priority', selected_option: { value: 'high:high' } }],
        [{ type: 'static_select', action_id: 'incident.priority', selected_option: null }],
        [{ type: 'button', action_id: 'incident.ack' }],
        Array.from({ length: 26 }, () => ({ type: 'button', action_id: 'incident.ack', value: ours })),
        { type: 'view', view_id: 'V00FAKEVIEW1' },
        { type: 'message', channel_id: 'C00FAKECHN1', message_ts: '1.2' },
        encodeActionValue({ recordId: MISSING_RECORD, value: '__proto__' }),
        responseUrl,
        ...interaction,
      ];
    case 'view_submission':
      return [
        { values: { __proto__: { x: { type: 'plain_text_input', value: 'p' } } } },
        { values: { code: { code: { type: 'static_select', selected_option: { value: 'constructor' } } } } },
        { code: { code: { type: 'multi_static_select', selected_options: [{ value: 1 }] } } },
        { code: { code: { type: 'datetimepicker', selected_date_time: 'soon' } } },
        { code: { code: { type: 'external_select', selected_option: null } } },
        JSON.stringify({ recordId: MISSING_RECORD, channel: 'C00FAKECHN1' }),
        JSON.stringify({ recordId: ['INC9999999'] }),
        ...interaction,
      ];
    case 'block_suggestion':
      return [{ values: { service: { service: { type: 'static_select', selected_option: { value: 'constructor' } } } } }, ...interaction];
    case 'message_action':
    case 'shortcut':
      return interaction;
    case 'app_mention':
    case 'app_home_opened':
      return [
        [{ team_id: null, enterprise_id: null }],
        [{ team_id: 'T00FAKE0002' }],
        [],
        { type: 'app_mention', text: 'INC9999999', channel: 'C00FAKECHN1', ts: '1.2' },
        { type: 'app_home_opened', user: 'U00FAKEUSR1', tab: 'messages' },
        { type: 'app_uninstalled' },
        { type: 'tokens_revoked', tokens: { oauth: ['U1'], bot: [] } },
        // Events without a shape of their own: what Bolt reads of any event (user, channel, item, subteam, threads).
        { type: 'app_uninstalled', user: null },
        { type: 'app_uninstalled', channel: null },
        { type: 'app_uninstalled', channel: {} },
        { type: 'app_uninstalled', channel: 5 },
        { type: 'tokens_revoked', item: 'x' },
        { type: 'tokens_revoked', item: null },
        { type: 'app_uninstalled', subteam: null },
        { type: 'app_uninstalled', assistant_thread: null },
        { type: 'app_uninstalled', message: null, previous_message: 1 },
        { type: 'app_mention', text: 'hi', channel: 'C00FAKECHN1', ts: '1.2', user: 'U00FAKEUSR1', channel_id: null },
        { type: 'app_home_opened', user: 'U00FAKEUSR1', tab: 'home', channel: null },
        { type: 'app_home_opened', user: 'U00FAKEUSR1', tab: 'home', item: 5 },
        { type: 'message', text: 'hi' },
        `<@U00FAKEBOT1> ${'INC9999999 '.repeat(500)}`,
        'x'.repeat(40_001),
      ];
    default:
      return [];
  }
}

function mutationArb(kind: Exclude<SlackFuzzKind, 'slash_command'>, base: unknown, responseUrl: string): fc.Arbitrary<Mutation> {
  const targeted = TARGETED[kind].map(p);
  const anywhere = allPaths(base);
  const near = nearMissValues(kind, responseUrl);
  const pathArb = fc.oneof({ arbitrary: fc.constantFrom(...targeted), weight: 3 }, { arbitrary: fc.constantFrom(...anywhere), weight: 2 });
  const setValue = near.length > 0 ? fc.oneof({ arbitrary: valueArb, weight: 6 }, { arbitrary: fc.constantFrom(...near), weight: 2 }) : valueArb;
  return fc.oneof(
    { arbitrary: pathArb.map((path): Mutation => ({ op: 'delete', path })), weight: 3 },
    { arbitrary: fc.record({ path: pathArb, value: setValue }).map((m): Mutation => ({ op: 'set', ...m })), weight: 8 },
    {
      arbitrary: fc
        .record({ path: pathArb, key: fc.constantFrom(...PROTO_WORDS, '$where', '', 'type', 'id', 'ZQXRffZQX'), value: valueArb })
        .map((m): Mutation => ({ op: 'addKey', ...m })),
      weight: 1,
    },
    { arbitrary: pathArb.map((path): Mutation => ({ op: 'wrapInArray', path })), weight: 1 },
    { arbitrary: pathArb.map((path): Mutation => ({ op: 'stringify', path })), weight: 1 },
  );
}

/** A short JSON-like rendering for labels (deep or long values cut, raw-byte markers shown as such). */
function preview(value: unknown, depth = 0): string {
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…(${value.length} chars)` : value);
    return shown.replace(MARKER, (_m, how: string, hex: string) => `<${how === 'R' ? 'raw' : 'percent-encoded'} bytes ${hex}>`);
  }
  if (!isContainer(value)) return String(JSON.stringify(value) ?? value);
  if (depth >= 3) return Array.isArray(value) ? '[…]' : '{…}';
  const entries = Object.entries(value);
  const inner = entries.slice(0, 4).map(([k, v]) => (Array.isArray(value) ? preview(v, depth + 1) : `${JSON.stringify(k)}:${preview(v, depth + 1)}`));
  if (entries.length > 4) inner.push(`…${entries.length - 4} more`);
  return Array.isArray(value) ? `[${inner.join(',')}]` : `{${inner.join(',')}}`;
}
const describeMutation = (m: Mutation): string => {
  const at = m.path.join('.') || '<payload>';
  switch (m.op) {
    case 'delete':
      return `delete ${at}`;
    case 'set':
      return `${at}=${preview(m.value)}`;
    case 'addKey':
      return `${at}[${JSON.stringify(m.key)}]=${preview(m.value)}`;
    case 'wrapInArray':
      return `${at}=[${at}]`;
    case 'stringify':
      return `${at}=JSON.stringify(${at})`;
  }
};

// ---------------------------------------------------------------------------------------------
// Envelopes: how the payload travels (form field, JSON body, content type, bytes)

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const WRONG_TYPES = [
  'text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/x-www-form-urlencoded; charset=utf-16le',
  'APPLICATION/X-WWW-FORM-URLENCODED', 'application/json; charset=latin1', 'Application/Json', '', 'application/x-www-form-urlencoded, application/json',
  'application/jsonx', '*/*', 'application/x-www-form-urlencoded;;;', 'application/json; application/x-www-form-urlencoded',
];

type Envelope =
  | { kind: 'standard' }
  | { kind: 'contentType'; contentType: string | undefined }
  | { kind: 'swapEncoding' }
  | { kind: 'replaceBody'; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'trailing'; garbage: string }
  | { kind: 'insertBytes'; at: number; hex: string; percent: boolean }
  | { kind: 'duplicateKey'; key: string; value: string }
  | { kind: 'extraField'; key: string; value: string }
  | { kind: 'unencoded' }
  | { kind: 'bom' }
  | { kind: 'retryHeaders'; num: string; reason: string };

const envelopeArb = (form: boolean): fc.Arbitrary<Envelope> =>
  fc.oneof(
    { arbitrary: fc.constant<Envelope>({ kind: 'standard' }), weight: 60 },
    { arbitrary: fc.constantFrom(...WRONG_TYPES, undefined).map((contentType): Envelope => ({ kind: 'contentType', contentType })), weight: 4 },
    { arbitrary: fc.constant<Envelope>({ kind: 'swapEncoding' }), weight: 2 },
    {
      arbitrary: fc
        .constantFrom(
          '', '=', '&&&', 'payload', 'payload=', 'payload=null', 'payload=[]', 'payload=1', 'payload=%22text%22', 'payload=true', 'payload={', 'payload=%7B',
          'payload=%7B%22type%22%3A%22block_actions%22%7D', 'payload=%7B%7D&payload=%7B%7D', 'payload[type]=block_actions', 'payload=%7Bnot-json',
          'ssl_check=1&token=x', 'null', '[]', '{}', '"string"', '123', '{"type":null}', '{"type":"event_callback"}', '{"type":"url_verification"}',
          '{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1}', '[{"type":"event_callback"}]', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
          `payload=${'%5B'.repeat(5000)}${'%5D'.repeat(5000)}`, '\u0000', ' '.repeat(100), `payload=${'%FF'.repeat(100)}`, `payload=%ED%A0%80`,
        )
        .map((text): Envelope => ({ kind: 'replaceBody', text })),
      weight: 6,
    },
    { arbitrary: fc.nat({ max: 100_000 }).map((at): Envelope => ({ kind: 'truncate', at })), weight: 3 },
    { arbitrary: fc.constantFrom('}', ']', '&', '&payload=', 'garbage', '\u0000', '%', '\n{"a":1}').map((garbage): Envelope => ({ kind: 'trailing', garbage })), weight: 2 },
    {
      arbitrary: fc.record({ at: fc.nat({ max: 100_000 }), hex: fc.constantFrom(...BAD_BYTES), percent: fc.boolean() }).map((m): Envelope => ({ kind: 'insertBytes', ...m })),
      weight: 5,
    },
    ...(form
      ? [
          {
            arbitrary: fc
              .record({ key: fc.constantFrom('payload', 'command', 'user_id', 'team_id', 'trigger_id', 'text', 'response_url'), value: fc.constantFrom('null', '[]', '{}', '', 'x', LONG) })
              .map((m): Envelope => ({ kind: 'duplicateKey', ...m })),
            weight: 4,
          },
          {
            arbitrary: fc
              .record({ key: fc.constantFrom(...PROTO_WORDS, 'ssl_check', 'payload', 'type', 'command', '', 'payload[]', 'a[b]'), value: fc.constantFrom('1', '', 'null', '{}') })
              .map((m): Envelope => ({ kind: 'extraField', ...m })),
            weight: 3,
          },
          { arbitrary: fc.constant<Envelope>({ kind: 'unencoded' }), weight: 2 },
        ]
      : [
          {
            arbitrary: fc.constantFrom('type', 'event', 'team_id', 'challenge', 'event_id').map((key): Envelope => ({ kind: 'duplicateKey', key, value: 'null' })),
            weight: 3,
          },
        ]),
    { arbitrary: fc.constant<Envelope>({ kind: 'bom' }), weight: 1 },
    {
      arbitrary: fc
        .record({ num: fc.constantFrom('abc', '-1', '99999999999999999999', '', '1, 2', '0x10'), reason: fc.constantFrom('http_timeout', '', 'x'.repeat(500)) })
        .map((m): Envelope => ({ kind: 'retryHeaders', ...m })),
      weight: 1,
    },
  );

const describeEnvelope = (e: Envelope): string => {
  switch (e.kind) {
    case 'standard':
      return '';
    case 'contentType':
      return `content-type=${JSON.stringify(e.contentType ?? null)}`;
    case 'replaceBody':
      return `body=${preview(e.text)}`;
    case 'truncate':
      return `truncated at ${e.at}`;
    case 'trailing':
      return `trailing ${JSON.stringify(e.garbage)}`;
    case 'insertBytes':
      return `${e.percent ? 'percent-encoded' : 'raw'} bytes ${e.hex} at ${e.at}`;
    case 'duplicateKey':
      return `duplicate key ${e.key}=${preview(e.value)}`;
    case 'extraField':
      return `extra field ${JSON.stringify(e.key)}=${preview(e.value)}`;
    case 'retryHeaders':
      return `x-slack-retry-num=${JSON.stringify(e.num)}`;
    default:
      return e.kind;
  }
};

/** The body's text (markers still in it) and content type once the envelope is applied. */
function wrap(envelope: Envelope, serialised: { text: string; contentType: string; asOther: () => { text: string; contentType: string } }, form: boolean) {
  let { text, contentType } = serialised as { text: string; contentType: string | undefined };
  const headers: Record<string, string> = {};
  switch (envelope.kind) {
    case 'contentType':
      contentType = envelope.contentType;
      break;
    case 'swapEncoding':
      ({ text, contentType } = serialised.asOther());
      break;
    case 'replaceBody':
      text = envelope.text;
      break;
    case 'truncate':
      text = text.slice(0, envelope.at % Math.max(1, text.length));
      break;
    case 'trailing':
      text += envelope.garbage;
      break;
    case 'insertBytes': {
      let at = envelope.at % (text.length + 1);
      // Never inside a marker already there: both must stay bytes.
      for (const match of text.matchAll(MARKER)) {
        const start = match.index as number;
        if (at > start && at < start + match[0].length) at = start + match[0].length;
      }
      text = text.slice(0, at) + (envelope.percent ? percentBytes(envelope.hex) : rawBytes(envelope.hex)) + text.slice(at);
      break;
    }
    case 'duplicateKey':
      if (form) text = `${text}&${formEncode(envelope.key)}=${formEncode(envelope.value)}`;
      // The same key again, last: JSON.parse keeps the later one.
      else text = text.replace(/\}\s*$/, `,${JSON.stringify(envelope.key)}:${envelope.value}}`);
      break;
    case 'extraField':
      text = `${text}&${formEncode(envelope.key)}=${formEncode(envelope.value)}`;
      break;
    case 'bom':
      text = `\ufeff${text}`;
      break;
    case 'retryHeaders':
      headers['x-slack-retry-num'] = envelope.num;
      headers['x-slack-retry-reason'] = envelope.reason;
      break;
    default:
      break;
  }
  return { text, contentType, headers };
}

// ---------------------------------------------------------------------------------------------
// Bases: each fixture with our ids, its own trigger/event/view id per request

function interactionBase(kind: SlackFuzzKind, index: number, seed: number, responseUrl: string, variant: number): Record<string, any> {
  const trigger = `${index}.${seed}.fuzz${kind}`;
  const user = variant % 2 === 0 ? 'U00FAKEUSR1' : 'U00FAKESAM1';
  switch (kind) {
    case 'block_actions': {
      const payload = fixture('block_actions_message_button.json');
      payload.user.id = user;
      payload.trigger_id = trigger;
      payload.response_url = responseUrl;
      const actionId = ['incident.ack', 'incident.resolve.form', 'incident.priority', 'incident.hold.form'][variant % 4] as string;
      const action = { ...payload.actions[0], action_id: actionId, block_id: `actions:${MISSING_RECORD}`, value: encodeActionValue({ recordId: MISSING_RECORD }) };
      if (actionId === 'incident.priority') {
        delete action.value;
        action.type = 'static_select';
        action.selected_option = { text: { type: 'plain_text', text: 'P1' }, value: encodeActionValue({ recordId: MISSING_RECORD, value: 'high:high' }) };
      }
      payload.actions = [action];
      return payload;
    }
    case 'view_submission': {
      const payload = fixture('view_submission.json');
      payload.user.id = user;
      payload.trigger_id = trigger;
      payload.view.id = `VFUZZ${seed}X${index}`;
      payload.view.callback_id = 'incident.resolve';
      payload.view.private_metadata = JSON.stringify({ recordId: MISSING_RECORD });
      payload.view.state.values = {
        code: { code: { type: 'static_select', selected_option: { value: 'solved_workaround', text: { type: 'plain_text', text: 'Workaround' } } } },
        notes: { notes: { type: 'plain_text_input', value: 'Rebooted the gateway.' } },
      };
      payload.view.blocks = [{ type: 'input', block_id: 'code' }, { type: 'input', block_id: 'notes' }];
      return payload;
    }
    case 'block_suggestion': {
      const payload = fixture('block_suggestion.json');
      payload.user.id = user;
      payload.action_id = 'cmdb.suggest';
      payload.block_id = 'configurationItem';
      payload.value = ['vpn', 'gate', '', 'mail'][variant % 4];
      return payload;
    }
    case 'message_action': {
      const payload = fixture('message_action.json');
      payload.user.id = user;
      payload.callback_id = 'report_message_as_incident';
      payload.trigger_id = trigger;
      payload.response_url = responseUrl;
      return payload;
    }
    case 'shortcut': {
      const payload = fixture('shortcut_global.json');
      payload.user.id = user;
      payload.callback_id = 'report_incident';
      payload.trigger_id = trigger;
      return payload;
    }
    case 'app_mention': {
      const payload = fixture('event_app_mention.json');
      payload.event_id = `EvFUZZ${seed}X${index}`;
      payload.event.user = user;
      payload.event.text = `<@U00FAKEBOT1> what about ${MISSING_RECORD}?`;
      return payload;
    }
    case 'app_home_opened': {
      const payload = fixture('event_app_home_opened.json');
      payload.event_id = `EvFUZZ${seed}X${index}`;
      payload.event.user = user;
      return payload;
    }
    case 'url_verification':
      return fixture('event_url_verification.json');
    case 'slash_command':
      throw new Error('slash commands are forms');
  }
}

const JSON_KINDS: ReadonlySet<SlackFuzzKind> = new Set(['app_mention', 'app_home_opened', 'url_verification']);

function jsonCaseArb(kind: Exclude<SlackFuzzKind, 'slash_command'>, responseUrl: string) {
  const sample = interactionBase(kind, 0, 0, responseUrl, 0);
  const form = !JSON_KINDS.has(kind);
  return fc.record({
    variant: fc.nat({ max: 3 }),
    mutations: fc.array(mutationArb(kind, sample, responseUrl), { minLength: 1, maxLength: 3 }),
    envelope: envelopeArb(form),
  });
}

function buildJsonCase(kind: Exclude<SlackFuzzKind, 'slash_command'>, index: number, seed: number, responseUrl: string, c: { variant: number; mutations: Mutation[]; envelope: Envelope }): MalformedRequest {
  const form = !JSON_KINDS.has(kind);
  let payload: unknown = interactionBase(kind, index, seed, responseUrl, c.variant);
  for (const mutation of c.mutations) payload = apply(payload, mutation);
  const json = JSON.stringify(payload) ?? 'undefined';
  const asForm = () => ({ text: `payload=${formEncode(json)}`, contentType: FORM });
  const asJson = () => ({ text: json, contentType: JSON_TYPE });
  const serialised = form ? { ...asForm(), asOther: asJson } : { ...asJson(), asOther: asForm };
  if (c.envelope.kind === 'unencoded') serialised.text = `payload=${json}`;
  const { text, contentType, headers } = wrap(c.envelope, serialised, form);
  const label = [...c.mutations.map(describeMutation), describeEnvelope(c.envelope)].filter(Boolean).join('; ');
  return { kind, index, label, body: toBuffer(text), contentType, headers };
}

// ---------------------------------------------------------------------------------------------
// Slash commands: form fields (strings only, but any number of each)

const SLASH_TARGETED = ['command', 'text', 'user_id', 'team_id', 'channel_id', 'trigger_id', 'response_url', 'enterprise_id', 'token', 'api_app_id', 'user_name', 'is_enterprise_install'];

type FormMutation =
  | { op: 'delete'; key: string }
  | { op: 'set'; key: string; value: string }
  | { op: 'duplicate'; key: string; value: string }
  | { op: 'bracket'; key: string; suffix: string }
  | { op: 'raw'; key: string; value: string };

function slashCaseArb() {
  const keys = [...new URLSearchParams(slackFixtureText('slash_command.form.txt').trim()).keys()];
  const keyArb = fc.oneof({ arbitrary: fc.constantFrom(...SLASH_TARGETED), weight: 3 }, { arbitrary: fc.constantFrom(...keys, ...PROTO_WORDS, 'payload', 'ssl_check', 'type', ''), weight: 1 });
  // A form holds strings: other JSON values arrive as their text.
  const formValue = fc.oneof({ arbitrary: stringArb, weight: 6 }, { arbitrary: valueArb.map((v) => (typeof v === 'string' ? v : String(JSON.stringify(v) ?? v))), weight: 1 });
  const mutation: fc.Arbitrary<FormMutation> = fc.oneof(
    { arbitrary: keyArb.map((key): FormMutation => ({ op: 'delete', key })), weight: 3 },
    { arbitrary: fc.record({ key: keyArb, value: formValue }).map((m): FormMutation => ({ op: 'set', ...m })), weight: 8 },
    { arbitrary: fc.record({ key: keyArb, value: formValue }).map((m): FormMutation => ({ op: 'duplicate', ...m })), weight: 3 },
    { arbitrary: fc.record({ key: keyArb, suffix: fc.constantFrom('[]', '[0]', '[a]', '[__proto__]', '.x') }).map((m): FormMutation => ({ op: 'bracket', ...m })), weight: 1 },
    { arbitrary: fc.record({ key: keyArb, value: fc.constantFrom('a&b=c', '%', '%zz', '=', '&', '%00', '%ED%A0%80', '%FF%FE', '+%2B+') }).map((m): FormMutation => ({ op: 'raw', ...m })), weight: 2 },
  );
  return fc.record({
    command: fc.constantFrom('/incident', '/itsm', '/oncall'),
    text: fc.constantFrom('', 'mine', 'queue', 'status', `show ${MISSING_RECORD}`, 'help', 'Mail is down', 'service-desk'),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    envelope: envelopeArb(true),
  });
}

const describeFormMutation = (m: FormMutation): string => {
  switch (m.op) {
    case 'delete':
      return `delete ${m.key}`;
    case 'set':
      return `${m.key}=${preview(m.value)}`;
    case 'duplicate':
      return `${m.key}+=${preview(m.value)}`;
    case 'bracket':
      return `${m.key} → ${m.key}${m.suffix}`;
    case 'raw':
      return `${m.key}=${JSON.stringify(m.value)} unencoded`;
  }
};

function buildSlashCase(index: number, seed: number, responseUrl: string, c: { command: string; text: string; mutations: FormMutation[]; envelope: Envelope }): MalformedRequest {
  // Pairs, not a map: a key may appear twice; values are already encoded.
  let pairs: [string, string][] = [...new URLSearchParams(slackFixtureText('slash_command.form.txt').trim())].map(([k, v]) => [formEncode(k), formEncode(v)]);
  const setPair = (key: string, encoded: string) => {
    const at = pairs.findIndex(([k]) => k === formEncode(key));
    if (at >= 0) pairs[at] = [formEncode(key), encoded];
    else pairs.push([formEncode(key), encoded]);
  };
  setPair('command', formEncode(c.command));
  setPair('text', formEncode(c.text));
  setPair('trigger_id', formEncode(`${index}.${seed}.fuzzslash`));
  setPair('response_url', formEncode(responseUrl));
  for (const m of c.mutations) {
    const key = formEncode(m.key);
    switch (m.op) {
      case 'delete':
        pairs = pairs.filter(([k]) => k !== key);
        break;
      case 'set':
        setPair(m.key, formEncode(m.value));
        break;
      case 'duplicate':
        pairs.push([key, formEncode(m.value)]);
        break;
      case 'bracket':
        pairs = pairs.map(([k, v]) => [k === key ? formEncode(`${m.key}${m.suffix}`) : k, v]);
        break;
      case 'raw':
        setPair(m.key, m.value);
        break;
    }
  }
  const text = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const asJson = () => {
    const object: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const prior = Object.hasOwn(object, k) ? object[k] : undefined;
      setOwn(object, k, prior === undefined ? v : [...[prior].flat(), v]);
    }
    return { text: JSON.stringify(object), contentType: JSON_TYPE };
  };
  const { text: body, contentType, headers } = wrap(c.envelope, { text, contentType: FORM, asOther: asJson }, true);
  const label = [`${c.command} ${JSON.stringify(c.text)}`, ...c.mutations.map(describeFormMutation), describeEnvelope(c.envelope)].filter(Boolean).join('; ');
  return { kind: 'slash_command', index, label, body: toBuffer(body), contentType, headers };
}

// ---------------------------------------------------------------------------------------------

/** `count` signed-to-be requests of one kind, the same for the same seed. */
export function malformedRequests(kind: SlackFuzzKind, count: number, options: FuzzOptions): MalformedRequest[] {
  const seed = (options.seed ?? FUZZ_SEED) + SLACK_FUZZ_KINDS.indexOf(kind);
  if (kind === 'slash_command') {
    return fc.sample(slashCaseArb(), { seed, numRuns: count }).map((c, i) => buildSlashCase(i, seed, options.responseUrl, c));
  }
  return fc.sample(jsonCaseArb(kind, options.responseUrl), { seed, numRuns: count }).map((c, i) => buildJsonCase(kind, i, seed, options.responseUrl, c));
}

export interface FuzzOutcome {
  request: MalformedRequest;
  /** 0: no answer in time (or the connection failed). */
  status: number;
  text: string;
  ms: number;
  error?: string;
}

/** POSTs one request as Slack would, correctly signed over its bytes. */
export async function sendSigned(url: string, request: MalformedRequest, options: { secret?: string; timeoutMs?: number } = {}): Promise<FuzzOutcome> {
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(options.secret ?? SIGNING_SECRET, timestamp, request.body),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...request.headers,
  };
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  const started = performance.now();
  try {
    const response = await fetch(url, { method: 'POST', headers, body: request.body, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    const text = await response.text();
    return { request, status: response.status, text, ms: performance.now() - started };
  } catch (error) {
    return { request, status: 0, text: '', ms: performance.now() - started, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Sends every request, `concurrency` at a time, in order of the list. */
export async function sendAllSigned(url: string, requests: readonly MalformedRequest[], options: { concurrency?: number; secret?: string; timeoutMs?: number } = {}): Promise<FuzzOutcome[]> {
  const outcomes: FuzzOutcome[] = new Array(requests.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency ?? 16 }, async () => {
      while (next < requests.length) {
        const i = next++;
        outcomes[i] = await sendSigned(url, requests[i] as MalformedRequest, options);
      }
    }),
  );
  return outcomes;
}

/** The request in a form a person can replay: label, headers, body (text, or base64 when not UTF-8). */
export function describeRequest(request: MalformedRequest, maxBody = 2_000): string {
  const text = request.body.toString('utf8');
  const valid = Buffer.from(text, 'utf8').equals(request.body);
  const body = valid ? JSON.stringify(text.length > maxBody ? `${text.slice(0, maxBody)}…(${text.length} chars)` : text) : `base64:${request.body.toString('base64').slice(0, maxBody)}`;
  return `${request.kind}#${request.index} [${request.label}] content-type=${JSON.stringify(request.contentType ?? null)} headers=${JSON.stringify(request.headers)} body=${body}`;
}
