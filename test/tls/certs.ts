import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate made by the openssl CLI for a test: its PEM, its key's PEM and its serial (hex, upper case). */
export interface TestCertificate {
  cert: string;
  key: string;
  serial: string;
}

export interface CertificateSpec {
  commonName: string;
  /** subjectAltName DNS names. */
  dns?: string[];
  /** Signed by this CA; self-signed without one. */
  ca?: TestCertificate;
  /** A CA certificate (basicConstraints CA:TRUE) to sign others with. */
  isCa?: boolean;
  notBefore?: Date;
  notAfter?: Date;
}

const DAY = 86_400_000;
/** openssl ca's date form: YYYYMMDDHHMMSSZ. */
const asn1Time = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * A real X.509 certificate, with any validity period (openssl ca takes start and end dates, which
 * req -x509 of OpenSSL 3.0 does not), so expired and not-yet-valid ones are real too.
 */
export function makeCertificate(spec: CertificateSpec): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'umcp-cert-'));
  try {
    const p = (f: string) => join(dir, f);
    // A leading 1: positive, and no leading zero for TLS peers to drop when they show it.
    const serial = `1${randomBytes(8).toString('hex').toUpperCase().slice(1)}`;
    writeFileSync(p('index.txt'), '');
    writeFileSync(p('serial'), `${serial}\n`);
    const ext = [
      `basicConstraints = ${spec.isCa ? 'critical,CA:TRUE' : 'CA:FALSE'}`,
      ...(spec.dns?.length ? [`subjectAltName = ${spec.dns.map((d) => `DNS:${d}`).join(',')}`] : []),
    ];
    writeFileSync(
      p('ca.cnf'),
      [
        '[ca]',
        'default_ca = test_ca',
        '[test_ca]',
        `database = ${p('index.txt')}`,
        `new_certs_dir = ${dir}`,
        `serial = ${p('serial')}`,
        'default_md = sha256',
        'policy = any_name',
        'unique_subject = no',
        'email_in_dn = no',
        '[any_name]',
        'commonName = supplied',
        '[leaf]',
        ...ext,
        '',
      ].join('\n'),
    );
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        p('key.pem'),
        '-out',
        p('csr.pem'),
        '-subj',
        `/CN=${spec.commonName}`,
      ],
      { stdio: 'pipe' },
    );
    const signer = spec.ca
      ? (writeFileSync(p('ca.pem'), spec.ca.cert),
        writeFileSync(p('ca-key.pem'), spec.ca.key),
        ['-cert', p('ca.pem'), '-keyfile', p('ca-key.pem')])
      : ['-selfsign', '-keyfile', p('key.pem')];
    const now = Date.now();
    execFileSync(
      'openssl',
      [
        'ca',
        '-batch',
        '-config',
        p('ca.cnf'),
        '-extensions',
        'leaf',
        '-in',
        p('csr.pem'),
        '-out',
        p('cert.pem'),
        '-notext',
        '-startdate',
        asn1Time(spec.notBefore ?? new Date(now - DAY)),
        '-enddate',
        asn1Time(spec.notAfter ?? new Date(now + 365 * DAY)),
        ...signer,
      ],
      { stdio: 'pipe' },
    );
    return { cert: readFileSync(p('cert.pem'), 'utf8'), key: readFileSync(p('key.pem'), 'utf8'), serial };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The WebGUI's bundle layout: the certificate (then its chain), then the key, in one file. */
export function bundle(cert: TestCertificate, ...chain: TestCertificate[]): string {
  return [cert.cert, ...chain.map((c) => c.cert), cert.key].join('');
}
