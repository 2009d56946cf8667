/** A parsed XML element, for assertions on generated files. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
}

const NAME = '[A-Za-z_][\\w.-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

function decode(s: string, where: string): string {
  for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(s)) throw new Error(`bare "&" in ${where}`);
  }
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_m, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (named[e] as string),
  );
}

/**
 * A strict well-formedness check for the XML subset unraid-mcp writes (declaration, elements,
 * attributes, text, character and the five predefined entities; no DTD, CDATA or comments): throws on
 * anything a conforming parser would reject, and returns the tree with entities decoded.
 */
export function parseXml(xml: string): XmlElement {
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(xml))
    throw new Error('character not allowed in XML 1.0');
  let pos = 0;
  const decl =
    /^<\?xml\s+version="1\.[0-9]"(?:\s+encoding="[A-Za-z][\w.-]*")?(?:\s+standalone="(?:yes|no)")?\s*\?>/.exec(
      xml,
    );
  if (decl) pos = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const open = new RegExp(`<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`, 'y');
  const close = new RegExp(`</(${NAME})\\s*>`, 'y');
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const text = xml.slice(pos, lt < 0 ? xml.length : lt);
    if (text) {
      if (stack.length === 0) {
        if (text.trim())
          throw new Error(`text outside the root element: ${JSON.stringify(text.slice(0, 40))}`);
      } else {
        if (text.includes('>') && text.includes(']]>')) throw new Error('"]]>" in text');
        (stack.at(-1) as XmlElement).text += decode(text, 'text');
      }
    }
    if (lt < 0) break;
    pos = lt;
    close.lastIndex = pos;
    open.lastIndex = pos;
    const c = close.exec(xml);
    if (c) {
      const top = stack.pop();
      if (!top || top.name !== c[1])
        throw new Error(`</${c[1]}> does not close <${top?.name ?? '(nothing)'}>`);
      pos = close.lastIndex;
      continue;
    }
    const o = open.exec(xml);
    if (!o) throw new Error(`malformed markup at ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
    const el: XmlElement = { name: o[1] as string, attrs: {}, text: '', children: [] };
    for (const a of (o[2] as string).matchAll(new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g'))) {
      const key = a[1] as string;
      if (key in el.attrs) throw new Error(`attribute ${key} repeated on <${el.name}>`);
      el.attrs[key] = decode(a[2] ?? a[3] ?? '', `attribute ${key}`);
    }
    if (stack.length) (stack.at(-1) as XmlElement).children.push(el);
    else if (root) throw new Error('more than one root element');
    else root = el;
    if (!o[3]) stack.push(el);
    pos = open.lastIndex;
  }
  if (stack.length) throw new Error(`<${(stack.at(-1) as XmlElement).name}> is not closed`);
  if (!root) throw new Error('no root element');
  return root;
}
