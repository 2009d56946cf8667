/**
 * The attributes of a .plg file's `<PLUGIN …>` element, with the DOCTYPE's entities expanded, which is
 * all plugins_list needs (name, author, version, pluginURL, min, max…). Not an XML parser: a .plg
 * declares its entities in `<!DOCTYPE PLUGIN [ <!ENTITY name "value"> … ]>` and uses them (`&name;`) in
 * the attributes; the plugin manager (PHP's simplexml) expands them, an undeclared one is an error.
 */

export class PlgFormatError extends Error {}

const XML_PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = '[A-Za-z_][\\w.-]*';
const ENTITY_DECL = new RegExp(`<!ENTITY\\s+(${NAME})\\s+(?:"([^"]*)"|'([^']*)')\\s*>`, 'g');
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'gy');
/** A declaration expanding into itself, or a chain deeper than this, is refused (billion laughs). */
const MAX_DEPTH = 8;
const MAX_VALUE = 4096;

function expander(entities: Map<string, string>) {
  const expand = (text: string, depth: number): string => {
    if (depth > MAX_DEPTH) throw new PlgFormatError('entities nest too deep');
    const out = text.replace(/&(#x[0-9a-fA-F]+|#\d+|[A-Za-z_][\w.-]*);/g, (_whole, ref: string) => {
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
      const predefined = XML_PREDEFINED[ref];
      if (predefined !== undefined) return predefined;
      const value = entities.get(ref);
      if (value === undefined) throw new PlgFormatError(`uses &${ref}; which is not declared`);
      return expand(value, depth + 1);
    });
    if (out.length > MAX_VALUE) throw new PlgFormatError('an attribute is implausibly long');
    return out;
  };
  return (text: string) => expand(text, 0);
}

/** True when the text ends before the tag does: no `>` left, or a quoted value that is never closed. */
function cutOff(rest: string, pos: number): boolean {
  if (!rest.includes('>', pos)) return true;
  const open = /[A-Za-z_][\w.-]*\s*=\s*(["'])/y;
  open.lastIndex = pos;
  const m = open.exec(rest);
  return m !== null && !rest.includes(m[1]!, open.lastIndex);
}

/** The `<PLUGIN>` attributes of a .plg's text (its first part is enough); throws PlgFormatError. */
export function readPlgHeader(text: string): Map<string, string> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const entities = new Map<string, string>();
  const doctype = /<!DOCTYPE\s+PLUGIN\s*\[([\s\S]*?)\]\s*>/.exec(body);
  for (const m of doctype?.[1]?.matchAll(ENTITY_DECL) ?? []) {
    // The first declaration of a name wins, as in XML.
    if (!entities.has(m[1]!)) entities.set(m[1]!, m[2] ?? m[3] ?? '');
  }
  const expand = expander(entities);
  const rest = doctype ? body.slice(doctype.index + doctype[0].length) : body;
  const open = /<PLUGIN(?=[\s>/])/.exec(rest);
  if (!open) throw new PlgFormatError('has no <PLUGIN> element');
  const attrs = new Map<string, string>();
  let pos = open.index + open[0].length;
  for (;;) {
    while (/\s/.test(rest[pos] ?? '')) pos++;
    const ch = rest[pos];
    if (ch === undefined) throw new PlgFormatError('ends inside the <PLUGIN> tag');
    if (ch === '>' || (ch === '/' && rest[pos + 1] === '>')) break;
    ATTRIBUTE.lastIndex = pos;
    const m = ATTRIBUTE.exec(rest);
    if (!m)
      throw new PlgFormatError(
        cutOff(rest, pos) ? 'ends inside the <PLUGIN> tag' : 'has a malformed attribute in the <PLUGIN> tag',
      );
    const value = m[2] ?? m[3] ?? '';
    if (value.includes('<')) throw new PlgFormatError('has "<" inside a <PLUGIN> attribute');
    if (attrs.has(m[1]!)) throw new PlgFormatError(`repeats the attribute ${m[1]}`);
    attrs.set(m[1]!, expand(value));
    pos = ATTRIBUTE.lastIndex;
  }
  return attrs;
}
