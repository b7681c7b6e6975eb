import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigError, formatIssues } from './format-config-errors';
import { itsmConfigSchema, type ItsmConfig } from './itsm-config-schema';

/** Validates an already-parsed configuration object; throws a ConfigError listing every problem. */
export function parseItsmConfig(raw: unknown, source = 'The ITSM configuration'): ItsmConfig {
  const result = itsmConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, formatIssues(result.error.issues));
  return result.data;
}

/** Reads, parses and validates the YAML file at `path`. */
export async function loadItsmConfig(path: string): Promise<ItsmConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(`The ITSM configuration ${path}`, [`${reason} (set OPSDESK_CONFIG to the file's path)`]);
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      `The ITSM configuration ${path}`,
      document.errors.map((e) => `line ${(e.linePos?.[0]?.line ?? 0).toString()}: ${e.message.split('\n')[0]}`),
    );
  }
  return parseItsmConfig(document.toJS(), `The ITSM configuration ${path}`);
}
