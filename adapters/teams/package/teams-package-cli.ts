import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import JSZip from 'jszip';
import { HandlerRegistry } from '../../../handlers/index';
import { TEAMS_ICONS, TeamsPackageError, teamsManifest, teamsManifestOptionsFromEnv } from './teams-manifest';

const USAGE = 'usage: npm run teams:package [-- <output .zip>]   (MICROSOFT_APP_ID required; see docs/teams.md)';

/** The repository: the folder above this file (in adapters/ or in dist/adapters/) that holds package.json. */
function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/**
 * `npm run teams:package [-- <output .zip>]`: the Teams app package (manifest.json and the two
 * icons at the zip's root) for the bot whose app id is MICROSOFT_APP_ID, written to
 * dist/teams/opsdesk-teams.zip unless another path is given; prints the path. Upload it in Teams
 * (docs/teams.md). Exit 0 written, 1 a setting is missing or wrong, 2 it could not be written.
 */
async function main(args: string[]): Promise<number> {
  if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const root = repositoryRoot(__dirname);
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const manifest = teamsManifest(new HandlerRegistry(), teamsManifestOptionsFromEnv(process.env, version));

  // tsc copies no PNG into dist/: the icons are read where they are committed.
  const icons = join(root, 'adapters', 'teams', 'package');
  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  zip.file(TEAMS_ICONS.color, await readFile(join(icons, TEAMS_ICONS.color)));
  zip.file(TEAMS_ICONS.outline, await readFile(join(icons, TEAMS_ICONS.outline)));
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });

  const output = resolve(args[0] ?? join(root, 'dist', 'teams', 'opsdesk-teams.zip'));
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, bytes);
  process.stdout.write(`${output}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof TeamsPackageError) {
      process.stderr.write(`The Teams app package was not written: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`The Teams app package could not be written: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
