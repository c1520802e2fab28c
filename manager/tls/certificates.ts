/**
 * X.509 certificates for the cluster: ECDSA P-256 keys and signatures from node:crypto, the
 * certificate structure (RFC 5280) written with der.ts. Node 20 reads certificates but cannot issue
 * one; node-forge can, but only with RSA keys (a 2048-bit key takes 0.3 s here and seconds on a Pi,
 * and RSA handshakes cost the broker more), @peculiar/x509 brings eleven packages and a DI
 * container, and `openssl` may be missing from a board image. Two fixed profiles (CA, server) need
 * little DER; OpenSSL checks what we write in every TLS handshake and in the tests.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, boolean, explicit, implicit, octetString, oid, sequence, set, time, unsignedInteger, utf8String } from './der.js';

const DAY_MS = 86_400_000;
/** Subject of the CA and issuer of what it signs. */
export const CLUSTER_CA_NAME = 'Kelvin cluster CA';
const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export function newPrivateKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

const name = (commonName: string): Buffer => sequence(set(sequence(oid('2.5.4.3'), utf8String(commonName))));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** The key identifier of RFC 5280 4.2.1.2 (1): sha1 of the public key bits. */
function keyIdentifier(spki: Buffer): Buffer {
  // SubjectPublicKeyInfo = SEQUENCE { algorithm, BIT STRING }; for P-256 the key is the last 65 bytes.
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const h = groups(head);
  const t = ip.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

interface CertificateInput {
  subject: string;
  issuer: string;
  publicKeyPem: string;
  signingKeyPem: string;
  validDays: number;
  now: number;
  extensions: Buffer[];
}

function certificate(input: CertificateInput): string {
  const spki = createPublicKey(input.publicKeyPem).export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    name(input.issuer),
    // An hour back, so a board whose clock is a little behind still accepts a fresh certificate.
    sequence(time(new Date(input.now - 3_600_000)), time(new Date(input.now + input.validDays * DAY_MS))),
    name(input.subject),
    spki,
    explicit(3, sequence(...input.extensions)),
  );
  const signature = sign('sha256', tbs, createPrivateKey(input.signingKeyPem));
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

const spkiOf = (keyPem: string): Buffer => createPublicKey(keyPem).export({ type: 'spki', format: 'der' });

/** A self-signed CA certificate for `keyPem`. */
export function issueCaCertificate(keyPem: string, validDays: number, now = Date.now()): string {
  return certificate({
    subject: CLUSTER_CA_NAME,
    issuer: CLUSTER_CA_NAME,
    publicKeyPem: keyPem,
    signingKeyPem: keyPem,
    validDays,
    now,
    extensions: [
      extension('2.5.29.19', true, sequence(boolean(true))), // basicConstraints: CA
      extension('2.5.29.15', true, bitString(Buffer.from([0x06]), 1)), // keyUsage: keyCertSign, cRLSign
      extension('2.5.29.14', false, octetString(keyIdentifier(spkiOf(keyPem)))),
    ],
  });
}

/** A TLS server certificate for `keyPem`, valid for the names and addresses in `sans`, signed by `ca`. */
export function issueServerCertificate(keyPem: string, ca: KeyPair, sans: readonly string[], validDays: number, now = Date.now()): string {
  const altNames = sans.map((san) => (isIP(san) ? implicit(7, ipBytes(san)) : implicit(2, Buffer.from(san, 'ascii'))));
  return certificate({
    subject: sans[0] ?? 'kelvin-manager',
    issuer: CLUSTER_CA_NAME,
    publicKeyPem: keyPem,
    signingKeyPem: ca.keyPem,
    validDays,
    now,
    extensions: [
      extension('2.5.29.19', true, sequence()), // basicConstraints: not a CA
      extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // keyUsage: digitalSignature
      extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.17', false, sequence(...altNames)),
      extension('2.5.29.35', false, sequence(implicit(0, keyIdentifier(spkiOf(ca.keyPem))))),
    ],
  });
}
