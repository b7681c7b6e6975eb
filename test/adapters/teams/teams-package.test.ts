import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';
import {
  COMMAND_MENU_LIMITS,
  TEAMS_COMMAND_MENUS,
  TEAMS_COMMANDS_LEFT_OUT,
  TEAMS_MANIFEST_SCHEMA,
  TEAMS_MANIFEST_VERSION,
  TeamsPackageError,
  declaredTeamsCommands,
  teamsManifestOptionsFromEnv,
  type CommandMenu,
  type TeamsManifest,
} from '../../../adapters/teams/package/teams-manifest';
import { resolveCommand } from '../../../handlers/commands';
import { HandlerRegistry } from '../../../handlers/index';

/** `npm run teams:package` runs the build first (pretest builds it too): these tests run the real command. */
const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'adapters', 'teams', 'package', 'teams-package-cli.js');
/** The fixtures' fake bot (test/fixtures/SOURCES.md). */
const APP_ID = '00000000-0000-4000-8000-0000000000b1';
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'teams', `MicrosoftTeams.schema.v${TEAMS_MANIFEST_VERSION}.json`), 'utf8')) as object;

/** The schema's own check, set up as Microsoft's `@microsoft/app-manifest` sets it up (draft-04, uri/email/regex formats). */
function schemaCheck(): (manifest: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const validate = ajv.compile(SCHEMA);
  return (manifest) => (validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}
const schemaErrors = schemaCheck();

/** The command as a person runs it, without any Teams setting of this machine's: exit code and what it printed. */
function packageCommand(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(MICROSOFT_APP_|OPSDESK_TEAMS_|OPSDESK_PUBLIC_URL)/.test(name)));
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...inherited, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

interface Png {
  width: number;
  height: number;
  /** RGBA, 8 bits a channel, row after row. */
  pixels: Buffer;
}

/** Reads an 8-bit RGBA PNG, undoing each row's filter (any of the five), so a redrawn icon is read too. */
function readPng(bytes: Buffer): Png {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('ascii');
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  if (!header) throw new Error('no IHDR chunk');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  expect({ bitDepth: header[8], colourType: header[9], interlace: header[12] }).toEqual({ bitDepth: 8, colourType: 6, interlace: 0 });
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= 4 ? pixels[y * stride + x - 4]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4]! : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const predicted = [0, left, up, Math.floor((left + up) / 2), paeth()][filter!];
      if (predicted === undefined) throw new Error(`unknown PNG filter ${filter}`);
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  return { width, height, pixels };
}

describe('npm run teams:package', () => {
  let dir: string;
  let written: { code: number | null; stdout: string; stderr: string };
  let zip: JSZip;
  let manifest: TeamsManifest;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdesk-teams-package-'));
    written = await packageCommand({ MICROSOFT_APP_ID: APP_ID, OPSDESK_PUBLIC_URL: 'https://opsdesk.example.com' }, [join(dir, 'opsdesk-teams.zip')]);
    expect(written).toMatchObject({ code: 0, stderr: '' });
    zip = await JSZip.loadAsync(await readFile(join(dir, 'opsdesk-teams.zip')));
    manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as TeamsManifest;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes manifest.json and both icons at the root of the zip, and prints where', () => {
    expect(written.stdout).toBe(`${join(dir, 'opsdesk-teams.zip')}\n`);
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('writes a manifest the official Teams app manifest schema accepts', () => {
    expect(schemaErrors(manifest)).toEqual([]);
    expect(manifest).toMatchObject({ $schema: TEAMS_MANIFEST_SCHEMA, manifestVersion: TEAMS_MANIFEST_VERSION, id: APP_ID });
    expect(manifest.bots).toEqual([expect.objectContaining({ botId: APP_ID, scopes: ['personal', 'team', 'groupChat'] })]);
    expect(manifest.validDomains).toEqual(['opsdesk.example.com']);
    expect(manifest.developer).toMatchObject({ websiteUrl: 'https://opsdesk.example.com/' });
    // The app's own version is opsdesk's, unless OPSDESK_TEAMS_APP_VERSION says otherwise.
    expect(manifest.version).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  // The check above means something only if the same check refuses what Teams would refuse.
  it.each<[string, (m: any) => void]>([
    ['without an id', (m) => delete m.id],
    ['with an id that is no GUID', (m) => (m.id = 'opsdesk')],
    ['for another schema version', (m) => (m.manifestVersion = '1.19')],
    ['without the developer', (m) => delete m.developer],
    ['with a developer page that is no URL', (m) => (m.developer.privacyUrl = 'opsdesk.example.com/privacy')],
    ['with a name longer than 30 characters', (m) => (m.name.short = 'opsdesk, the IT service desk of the whole company')],
    ['with an accent colour that is no hex colour', (m) => (m.accentColor = 'navy')],
    ['with a bot scope Teams does not know', (m) => (m.bots[0].scopes = ['personal', 'channel'])],
    ['with a field the schema does not define', (m) => (m.commands = [])],
  ])('the schema refuses the manifest %s', (_case, breakIt) => {
    const broken = structuredClone(manifest);
    breakIt(broken);
    expect(schemaErrors(broken)).not.toEqual([]);
  });

  it('refuses to write a package without MICROSOFT_APP_ID, and says which setting is missing', async () => {
    const out = join(dir, 'no-app-id.zip');
    const refused = await packageCommand({ OPSDESK_PUBLIC_URL: 'https://opsdesk.example.com' }, [out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/MICROSOFT_APP_ID is not set/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an app id that is not a GUID, and developer pages without an https address', async () => {
    const notGuid = await packageCommand({ MICROSOFT_APP_ID: 'opsdesk-bot', OPSDESK_PUBLIC_URL: 'https://opsdesk.example.com' }, [join(dir, 'x.zip')]);
    expect(notGuid).toMatchObject({ code: 1, stderr: expect.stringMatching(/MICROSOFT_APP_ID must be .* GUID/) });
    const noPages = await packageCommand({ MICROSOFT_APP_ID: APP_ID }, [join(dir, 'y.zip')]);
    expect(noPages).toMatchObject({ code: 1, stderr: expect.stringMatching(/OPSDESK_TEAMS_WEBSITE_URL is not set, nor OPSDESK_PUBLIC_URL/) });
    expect(() => teamsManifestOptionsFromEnv({ MICROSOFT_APP_ID: APP_ID, OPSDESK_PUBLIC_URL: 'http://opsdesk.example.com' }, '1.0.0')).toThrow(TeamsPackageError);
  });

  describe('the command menus', () => {
    const registry = new HandlerRegistry();
    const declared = declaredTeamsCommands(registry);
    const menus = (): Record<CommandMenu, { title: string; description: string }[]> => {
      const [personal, shared] = manifest.bots[0]!.commandLists;
      expect(personal!.scopes).toEqual(['personal']);
      expect(shared!.scopes).toEqual(['team', 'groupChat']);
      return { personal: personal!.commands, shared: shared!.commands };
    };

    it('keep to what Teams shows: 10 commands a menu, titles of 32 characters, descriptions of 128', () => {
      for (const commands of Object.values(menus())) {
        expect(commands.length).toBeLessThanOrEqual(COMMAND_MENU_LIMITS.commands);
        expect(new Set(commands.map((c) => c.title)).size).toBe(commands.length);
        for (const { title, description } of commands) {
          expect(title.length).toBeLessThanOrEqual(COMMAND_MENU_LIMITS.title);
          expect(description.length).toBeLessThanOrEqual(COMMAND_MENU_LIMITS.description);
        }
      }
      expect(menus().personal.map((c) => c.title)).toEqual(TEAMS_COMMAND_MENUS.personal);
      expect(menus().shared.map((c) => c.title)).toEqual(TEAMS_COMMAND_MENUS.shared);
    });

    it('offer each command as typed, running the handler that declares it', () => {
      for (const { title, description } of [...menus().personal, ...menus().shared]) {
        const { handlerId, entry } = declared.get(title)!;
        const [command, ...words] = title.split(' ');
        expect(resolveCommand(registry.commands, command!, words.join(' '))?.entry).toBe(handlerId);
        // A command with an argument says how to type it.
        if (entry.argument) expect(description).toContain(`Usage: ${title} ${entry.argument.optional ? `[${entry.argument.usage}]` : entry.argument.usage}`);
      }
    });

    it('list every declared command, or leave it out knowingly', () => {
      const listed = new Set([...TEAMS_COMMAND_MENUS.personal, ...TEAMS_COMMAND_MENUS.shared]);
      const leftOut = Object.keys(TEAMS_COMMANDS_LEFT_OUT);
      const unaccounted = [...declared.keys()].filter((title) => !listed.has(title) && !leftOut.includes(title));
      expect(unaccounted).toEqual([]);
      // Left out means in no menu, and names a command that is still declared.
      expect(leftOut.filter((title) => listed.has(title) || !declared.has(title))).toEqual([]);
      expect(leftOut.length).toBeGreaterThan(0);
    });
  });

  describe('the icons', () => {
    it('are a 192×192 colour icon, opaque to its corners', async () => {
      const color = readPng(await zip.file('color.png')!.async('nodebuffer'));
      expect([color.width, color.height]).toEqual([192, 192]);
      const seeThrough: number[] = [];
      for (let at = 3; at < color.pixels.length; at += 4) if (color.pixels[at] !== 255) seeThrough.push(at >> 2);
      expect(seeThrough).toEqual([]);
    });

    it('are a 32×32 outline icon, white on transparent (Teams refuses any other colour)', async () => {
      const outline = readPng(await zip.file('outline.png')!.async('nodebuffer'));
      expect([outline.width, outline.height]).toEqual([32, 32]);
      const alphas = new Set<number>();
      const coloured: number[] = [];
      for (let at = 0; at < outline.pixels.length; at += 4) {
        if (outline.pixels.readUIntBE(at, 3) !== 0xffffff) coloured.push(at >> 2);
        alphas.add(outline.pixels[at + 3]!);
      }
      expect(coloured).toEqual([]);
      // Something is drawn, on a transparent ground.
      expect(alphas.has(0) && alphas.has(255)).toBe(true);
    });
  });
});
