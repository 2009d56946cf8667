import type { HttpsInfo } from '../api/types.js';

type HttpsUrl = HttpsInfo['urls'][number];

/**
 * The address a client should start with: an HTTPS one every client trusts (the myunraid.net
 * certificate names it), else plain HTTP, else any HTTPS one.
 */
export function preferredUrl(https: ReadonlyArray<HttpsUrl>, http: ReadonlyArray<{ url: string }>): string {
  return (https.find((u) => u.named && !u.selfSigned) ?? http[0] ?? https[0])?.url ?? '';
}

/**
 * Under the address on the Connect view: which clients take which address, why HTTPS is off, and
 * how a client comes to trust a self-signed certificate (only its certificate: the file on the
 * server also holds the private key, which never leaves it).
 */
export function HttpsNotes(props: { https: HttpsInfo | undefined; chosen: string }) {
  const { https, chosen } = props;
  const picked = https?.urls.find((u) => u.url === chosen);
  const selfSignedFile = https?.certificates.find((c) => c.selfSigned)?.file;
  const crt = `${(selfSignedFile?.split('/').pop() ?? 'server').replace(/_unraid_bundle\.pem$|\.pem$/, '')}.crt`;
  return (
    <>
      <p class="umcp-hint">
        Claude Code, Cursor and VS Code take an http:// or an https:// address. Claude Desktop's custom
        connectors (Settings → Connectors) take https:// only, and reach the server from Anthropic's cloud
        with OAuth sign-in: for a server on your network, use the Claude Desktop configuration below.
      </p>
      {https && !https.serving ? (
        <p class="umcp-hint">HTTPS is off: {https.enabled ? https.reason : 'switched off in Settings.'}</p>
      ) : null}
      {picked && !picked.named ? (
        <p class="umcp-notice umcp-error" role="status">
          No certificate names {picked.address}: clients that check certificates refuse this address.
        </p>
      ) : null}
      {picked?.selfSigned && selfSignedFile ? (
        <div class="umcp-notice" role="status">
          This address uses the server's self-signed certificate: clients refuse it until they trust it. Make
          a copy of the certificate alone on the server (the file also holds the private key):
          <pre tabIndex={0}>{`openssl x509 -in ${selfSignedFile} -out /boot/${crt}`}</pre>
          then, on the client's computer, point Node-based clients (Claude Code, mcp-remote) at it with{' '}
          <code>NODE_EXTRA_CA_CERTS=/path/to/{crt}</code>, or add it to the system's trusted certificates for
          the others. Every client trusts the myunraid.net certificate instead: Settings → Management Access →
          Provision.
        </div>
      ) : null}
    </>
  );
}
