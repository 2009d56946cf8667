import { readFile, stat } from 'node:fs/promises';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { SecureContext } from 'node:tls';
import { splitPemBundle } from './pem-bundle.js';

/** A bundle far larger than any certificate chain is refused before it is read. */
const MAX_BUNDLE_BYTES = 256 * 1024;

/** A certificate the HTTPS listener can serve now. */
export interface UsableCertificate {
  state: 'ok';
  file: string;
  leaf: X509Certificate;
  context: SecureContext;
  /** The PEM text of the chain (leaf first) and key, for https.Server's own (no-SNI) context. */
  pem: { cert: string; key: string };
  /** The DNS names it is for (subjectAltName, else its common name), lower case; wildcards kept. */
  names: string[];
  selfSigned: boolean;
  validFrom: Date;
  validTo: Date;
}

export type CertificateLoad =
  | UsableCertificate
  | { state: 'missing'; file: string }
  /** `recheckAt`: when it would become usable by itself (a certificate not valid yet). */
  | { state: 'bad'; file: string; problem: string; recheckAt?: Date };

/**
 * Reads one PEM bundle (certificate chain and private key in one file) and checks it the way a client
 * would see it: it parses, its key belongs to it, and it is valid at `now`. Never throws: a missing
 * file is `missing`, anything else wrong is `bad` with a plain-language problem naming the file.
 */
export async function loadCertificate(file: string, now: Date): Promise<CertificateLoad> {
  const bad = (problem: string, recheckAt?: Date): CertificateLoad => ({
    state: 'bad',
    file,
    problem: `${file} ${problem}`,
    ...(recheckAt ? { recheckAt } : {}),
  });
  let text: string;
  try {
    const info = await stat(file);
    if (info.isDirectory()) return bad('is a folder, not a certificate file');
    if (info.size > MAX_BUNDLE_BYTES)
      return bad(`is ${info.size} bytes, too large to be a certificate bundle`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing', file };
    if (code === 'EACCES' || code === 'EPERM') return bad('cannot be read: permission denied');
    if (code === 'ELOOP') return bad('cannot be read: it is a symbolic link that points to itself');
    return bad(`cannot be read: ${code ?? (err as Error).message}`);
  }
  const split = splitPemBundle(text);
  if (!split.ok) return bad(split.problem);

  let key: KeyObject;
  try {
    key = createPrivateKey(split.bundle.key);
  } catch {
    return bad('has a private key that cannot be decoded (damaged PEM)');
  }
  const certs: X509Certificate[] = [];
  for (const [i, pem] of split.bundle.certificates.entries()) {
    try {
      certs.push(new X509Certificate(pem));
    } catch {
      return bad(`has a certificate (number ${i + 1} in the file) that cannot be decoded (damaged PEM)`);
    }
  }
  // The leaf is the certificate of the key; the rest is its chain, served after it.
  const leafIndex = certs.findIndex((c) => c.checkPrivateKey(key));
  if (leafIndex < 0)
    return bad(
      certs.length === 1
        ? 'has a private key that does not belong to its certificate'
        : `has a private key that belongs to none of its ${certs.length} certificates`,
    );
  const leaf = certs[leafIndex] as X509Certificate;
  const validFrom = new Date(leaf.validFrom);
  const validTo = new Date(leaf.validTo);
  if (now < validFrom) return bad(`is not valid yet: valid from ${validFrom.toISOString()}`, validFrom);
  if (now > validTo) return bad(`expired on ${validTo.toISOString()}`);

  const pems = split.bundle.certificates;
  const chain = [pems[leafIndex], ...pems.filter((_, i) => i !== leafIndex)];
  // Loaded for the first certificate that parses, not when the sidecar starts (see tls-listener.ts).
  const { createSecureContext } = await import('node:tls');
  let context: SecureContext;
  try {
    context = createSecureContext({ cert: chain.join('\n'), key: split.bundle.key });
  } catch (err) {
    return bad(`cannot be used for TLS: ${(err as Error).message}`);
  }
  return {
    state: 'ok',
    file,
    leaf,
    context,
    pem: { cert: chain.join('\n'), key: split.bundle.key },
    names: dnsNames(leaf),
    selfSigned: leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey),
    validFrom,
    validTo,
  };
}

/** subjectAltName's DNS names; the common name only when there are none (as clients do). */
function dnsNames(cert: X509Certificate): string[] {
  const fromSan = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((e) => e.startsWith('DNS:'))
    .map((e) => e.slice(4).toLowerCase());
  if (fromSan.length) return [...new Set(fromSan)];
  const cn = /^CN=(.+)$/m.exec(cert.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}
