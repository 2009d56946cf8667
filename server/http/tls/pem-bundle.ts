/** The certificate chain and private key of a PEM bundle, as the WebGUI keeps them: both in one file. */
export interface PemBundle {
  /** PEM blocks of the certificates, in file order. */
  certificates: string[];
  key: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

/**
 * Splits a bundle into its certificates and its one private key; otherwise says, in the owner's
 * words, what the file lacks. Nothing is decoded here (load-certificate.ts does that).
 */
export function splitPemBundle(
  text: string,
): { ok: true; bundle: PemBundle } | { ok: false; problem: string } {
  const certificates: string[] = [];
  const keys: string[] = [];
  let encrypted = false;
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1] as string;
    if (label === 'CERTIFICATE') certificates.push(m[0]);
    else if (KEY_LABELS.has(label)) keys.push(m[0]);
    else if (label === 'ENCRYPTED PRIVATE KEY') encrypted = true;
  }
  if (!certificates.length && !keys.length && !encrypted)
    return { ok: false, problem: 'holds no PEM certificate or key (it is not a certificate bundle)' };
  if (!certificates.length) return { ok: false, problem: 'holds no certificate' };
  if (!keys.length)
    return {
      ok: false,
      problem: encrypted
        ? 'holds only an encrypted private key; the key must be unencrypted, as the WebGUI keeps it'
        : 'holds no private key (the WebGUI keeps the certificate chain and its key in one file)',
    };
  if (keys.length > 1) return { ok: false, problem: `holds ${keys.length} private keys; one is expected` };
  return { ok: true, bundle: { certificates, key: keys[0] as string } };
}
