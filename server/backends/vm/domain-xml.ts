type XmlLibrary = typeof import('fast-xml-parser');
let library: Promise<XmlLibrary> | null = null;

/** The XML library, loaded on first use: several MB an idle sidecar (or one without VMs) should not carry. */
export const xmlLibrary = (): Promise<XmlLibrary> => (library ??= import('fast-xml-parser'));

/** Attribute keys carry this prefix in parsed XML (`@_type`). */
export const ATTR = '@_';

/** Elements that may repeat in a domain definition, parsed as arrays even when there is one. */
const REPEATED = new Set([
  'disk',
  'interface',
  'graphics',
  'vcpupin',
  'hostdev',
  'controller',
  'video',
  'boot',
  'channel',
  'input',
]);

/**
 * Parses domain XML into plain objects: attributes as `@_name`, text as strings (never numbers — a
 * MAC address or a UUID must not turn into one), repeated devices as arrays.
 */
export async function parseDomainXml(xml: string): Promise<Record<string, unknown>> {
  const { XMLParser } = await xmlLibrary();
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => REPEATED.has(name),
  });
  return parser.parse(xml) as Record<string, unknown>;
}

/** Builds XML from plain objects with the same conventions; text and attribute values are escaped. */
export async function buildXml(tree: Record<string, unknown>): Promise<string> {
  const { XMLBuilder } = await xmlLibrary();
  return new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    format: true,
    suppressEmptyNode: true,
  }).build(tree);
}

/** An object child (or undefined): XML parsers give a string for an element with only text. */
export function child(node: unknown, name: string): Record<string, unknown> | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const value = (node as Record<string, unknown>)[name];
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Repeated children as an array (empty when absent). */
export function children(node: unknown, name: string): Record<string, unknown>[] {
  if (!node || typeof node !== 'object') return [];
  const value = (node as Record<string, unknown>)[name];
  const list: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((v) =>
    v && typeof v === 'object' ? (v as Record<string, unknown>) : { '#text': scalar(v) },
  );
}

/** Text the parser produced: strings (numbers and booleans only if a parser option ever turns them on). */
const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** An element's text, whether the parser gave a string or an object with attributes and `#text`. */
export function text(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const value = (node as Record<string, unknown>)[name];
  if (value && typeof value === 'object') return scalar((value as Record<string, unknown>)['#text']);
  return scalar(value);
}

export const attr = (node: Record<string, unknown> | undefined, name: string): string | undefined =>
  scalar(node?.[`${ATTR}${name}`]);

const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  bytes: 1,
  kb: 1e3,
  k: 1024,
  kib: 1024,
  mb: 1e6,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1e9,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1e12,
  t: 1024 ** 4,
  tib: 1024 ** 4,
};

/** A libvirt memory element (`<memory unit='KiB'>8388608</memory>`) in bytes; KiB when no unit is given. */
export function memoryBytes(node: unknown, name: string): number | null {
  const value = text(node, name);
  if (value === undefined) return null;
  const unit = (attr(child(node, name), 'unit') ?? 'KiB').toLowerCase();
  const factor = UNIT_BYTES[unit];
  const n = Number(value);
  return factor && Number.isFinite(n) ? Math.round(n * factor) : null;
}
