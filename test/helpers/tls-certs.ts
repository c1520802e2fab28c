/**
 * Throwaway TLS material made with the real `openssl`: a CA, and a server certificate it signs
 * for 127.0.0.1 (subjectAltName IP), as an admin would make for a private broker.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';
export const hasOpenssl = existsSync(OPENSSL);

export interface TlsFiles {
  /** CA certificate (PEM): what `--ca` / `--broker-ca` take. */
  ca: string;
  serverCert: string;
  serverKey: string;
}

const openssl = (dir: string, ...args: string[]): void => {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: 'ignore', timeout: 20_000 });
};

/** A self-signed CA `name.pem` (key `name.key`) under `dir`; returns the certificate path. */
export function makeCa(dir: string, name: string): string {
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  return join(dir, `${name}.pem`);
}

/** A server certificate for 127.0.0.1 signed by the CA `caName` made with makeCa in the same `dir`. */
export function makeServerCert(dir: string, caName: string): TlsFiles {
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', 'server.pem');
  // Mosquitto started as root reads its key after dropping to its own user.
  chmodSync(join(dir, 'server.key'), 0o644);
  return { ca: join(dir, `${caName}.pem`), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server.key') };
}

/** mosquitto.conf for a TLS listener on 127.0.0.1:`port` that takes any client. */
export function tlsListenerConfig(port: number, files: TlsFiles): string {
  return [`listener ${port} 127.0.0.1`, `cafile ${files.ca}`, `certfile ${files.serverCert}`, `keyfile ${files.serverKey}`, 'allow_anonymous true', 'persistence false', ''].join('\n');
}
