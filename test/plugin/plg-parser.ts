import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** What a .plg FILE element says, entities expanded. */
export interface PlgFile {
  Name?: string;
  Run?: string;
  Method?: string;
  URL?: string;
  SHA256?: string;
  INLINE?: string;
}

export interface Plg {
  entities: Record<string, string>;
  plugin: Record<string, string>;
  changes: string;
  files: PlgFile[];
}

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/**
 * Reads a .plg the way Unraid's plugin manager sees it (PHP simplexml with the DOCTYPE's internal
 * entities): the entities are expanded everywhere, an entity used but not declared is an error, and
 * what remains must be well-formed XML. Small on purpose: only the subset .plg files use.
 */
export function parsePlg(text: string): Plg {
  if (!text.startsWith("<?xml version='1.0' standalone='yes'?>\n"))
    throw new Error('no XML declaration first');
  const doctype = /<!DOCTYPE PLUGIN \[([\s\S]*?)\]>/.exec(text);
  if (!doctype) throw new Error('no <!DOCTYPE PLUGIN [...]>');
  const entities: Record<string, string> = {};
  const expand = (s: string, where: string): string =>
    s.replace(/&([A-Za-z_][\w.-]*);/g, (whole, name: string) => {
      if (XML_ENTITIES.has(name)) return whole;
      const value = entities[name];
      if (value === undefined) throw new Error(`${where} uses &${name}; which is not declared`);
      return value;
    });
  for (const m of doctype[1]!.matchAll(/<!ENTITY\s+([A-Za-z_][\w.-]*)\s+"([^"]*)"\s*>/g)) {
    entities[m[1]!] = expand(m[2]!, `entity ${m[1]}`);
  }
  const body = expand(text.slice(doctype.index + doctype[0].length), 'the document');
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new Error(`not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => name === 'FILE',
  }).parse(body) as { PLUGIN?: Record<string, unknown> };
  const plugin = doc.PLUGIN;
  if (!plugin) throw new Error('no <PLUGIN> element');
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(plugin)) if (typeof v === 'string' && k !== 'CHANGES') attrs[k] = v;
  const files = ((plugin.FILE as Array<Record<string, unknown>> | undefined) ?? []).map((f) => {
    const file: PlgFile = {};
    for (const key of ['Name', 'Run', 'Method', 'URL', 'SHA256', 'INLINE'] as const) {
      const v = f[key];
      if (typeof v === 'string') file[key] = v;
      else if (v !== undefined) throw new Error(`FILE ${key} is not plain text`);
    }
    return file;
  });
  return {
    entities,
    plugin: attrs,
    changes: typeof plugin.CHANGES === 'string' ? plugin.CHANGES : '',
    files,
  };
}

/**
 * The FILE elements the plugin manager processes for `method`, in document order: a FILE without a
 * Method is an install step; a Method may name several methods separated by spaces.
 */
export function filesFor(plg: Plg, method: 'install' | 'remove'): PlgFile[] {
  return plg.files.filter((f) =>
    f.Method === undefined ? method === 'install' : f.Method.split(' ').includes(method),
  );
}
