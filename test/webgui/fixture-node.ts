import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** VM names the page must show as typed: markup, quotes and brackets. */
export const HOSTILE_VM = '<img src=x onerror=alert(1)>';
export const QUOTED_VM = '"Windows 11 (Gaming)"';

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A libvirt test-driver node with those two VMs and a plain one; returns its LIBVIRT_URI. */
export async function writeTestNode(dir: string): Promise<string> {
  const domain = (name: string, runstate: number) => `
  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
    <name>${escapeXml(name)}</name>
    <memory unit="MiB">512</memory><vcpu>1</vcpu><os><type arch="x86_64">hvm</type></os>
    <test:runstate>${runstate}</test:runstate>
  </domain>`;
  const file = join(dir, 'node.xml');
  await writeFile(
    file,
    `<?xml version="1.0"?>
<node>
  <cpu><mhz>3400</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads><active>2</active></cpu>
  <memory>4194304</memory>${domain(QUOTED_VM, 5)}${domain(HOSTILE_VM, 1)}${domain('ubuntu-server', 1)}
</node>
`,
  );
  return `test://${file}`;
}
