import { ATTR, xmlLibrary } from './domain-xml.js';

export const REDACTED = '[redacted]';
/** Attributes that hold secrets in domain XML: graphics passwords (VNC/SPICE), and their relatives. */
const SECRET_ATTRS = new Set([`${ATTR}passwd`, `${ATTR}password`]);

/**
 * The domain XML with every password attribute replaced, structure and order otherwise kept. Done on
 * the parsed tree, not with a pattern over text, so quoting or entity tricks cannot hide a password.
 */
export async function redactDomainXml(xml: string): Promise<string> {
  const { XMLBuilder, XMLParser } = await xmlLibrary();
  const options = {
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    preserveOrder: true,
    commentPropName: '#comment',
    parseTagValue: false,
    trimValues: false,
  };
  const tree = new XMLParser(options).parse(xml) as unknown[];
  redactNodes(tree);
  const xmlOut: string = new XMLBuilder({ ...options, suppressEmptyNode: true }).build(tree);
  return xmlOut.trim();
}

function redactNodes(nodes: unknown[]): void {
  for (const node of nodes) {
    if (!node || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === ':@' && value && typeof value === 'object') {
        for (const name of Object.keys(value))
          if (SECRET_ATTRS.has(name)) (value as Record<string, unknown>)[name] = REDACTED;
      } else if (Array.isArray(value)) {
        redactNodes(value);
      }
    }
  }
}
