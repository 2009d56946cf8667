import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TESTDATA } from '../../helpers/start-server.js';
import { readPlgHeader } from '../../../server/backends/unraid/plg-header.js';

/** The PLUGIN element's attributes as the plugin manager reads them: entities expanded, errors refused. */
const head = (doctype: string, plugin: string) =>
  `<?xml version='1.0' standalone='yes'?>\n<!DOCTYPE PLUGIN [\n${doctype}\n]>\n\n${plugin}\n</PLUGIN>\n`;

describe('readPlgHeader', () => {
  it('expands nested entities in the committed sample, across a tag split over lines', async () => {
    const attrs = readPlgHeader(
      await readFile(join(TESTDATA, 'unraid', 'plugins', 'boot', 'example.backup.plg'), 'utf8'),
    );
    expect(Object.fromEntries(attrs)).toEqual({
      name: 'example.backup',
      author: 'Jane Example',
      version: '2025.11.02',
      launch: 'Settings/ExampleBackup',
      pluginURL: 'https://raw.githubusercontent.com/example/unraid-plugins/main/plugins/example.backup.plg',
      support: 'https://forums.unraid.net/topic/00000-example-backup/',
      icon: 'fa-archive',
      min: '6.12.0',
    });
  });

  it("reads single-quoted values, XML's own entities and character references", () => {
    const attrs = readPlgHeader(
      head(`<!ENTITY who 'A &amp; B'>`, `<PLUGIN name='x' author="&who; &#233;&#x41;" version="1">`),
    );
    expect(attrs.get('author')).toBe('A & B éA');
  });

  it('the first declaration of an entity wins, as in XML', () => {
    const attrs = readPlgHeader(head('<!ENTITY v "1">\n<!ENTITY v "2">', '<PLUGIN name="x" version="&v;">'));
    expect(attrs.get('version')).toBe('1');
  });

  it.each([
    ['an undeclared entity', head('', '<PLUGIN name="&nope;">'), 'uses &nope; which is not declared'],
    ['no PLUGIN element', "<?xml version='1.0'?>\n<PLUGINS/>\n", 'has no <PLUGIN> element'],
    ['a cut-off tag', head('', '<PLUGIN name="x" version="20'), 'ends inside the <PLUGIN> tag'],
    ['an unquoted attribute', head('', '<PLUGIN name=x>'), 'has a malformed attribute in the <PLUGIN> tag'],
    ['a repeated attribute', head('', '<PLUGIN name="x" name="y">'), 'repeats the attribute name'],
    [
      'an entity that refers to itself',
      head('<!ENTITY a "&a;">', '<PLUGIN name="&a;">'),
      'entities nest too deep',
    ],
    [
      'entities that grow past any real attribute',
      head(
        [
          '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">',
          ...'bcde'.split('').map((c, i) => `<!ENTITY ${c} "${`&${'abcd'[i]};`.repeat(8)}">`),
        ].join('\n'),
        '<PLUGIN name="&e;">',
      ),
      'an attribute is implausibly long',
    ],
  ])('refuses %s', (_what, text, message) => {
    expect(() => readPlgHeader(text)).toThrow(message);
  });
});
