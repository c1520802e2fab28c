/**
 * The broker's maximum packet size, enforced as soon as a packet's fixed header has been read:
 * MQTT states the remaining length up front, so an oversized packet is refused (the connection
 * closed) before its payload is buffered. aedes 1.x has no such option; its mqtt-packet parser
 * would collect the whole packet in memory first (a 200 MB retained publish cost the manager
 * ~600 MB). The hook wraps the parser's length step of one connection; startEmbeddedBroker checks
 * at start that the parser still has that shape, so an aedes upgrade that changes it fails loudly.
 */
import type { Client } from 'aedes';
import { MAX_DESIRED_SET_BYTES, MAX_PAYLOAD_BYTES } from '../../shared/wire.js';

/** Room for the topic, packet id and (in a CONNECT) client id, username and password. */
const HEADER_ALLOWANCE_BYTES = 4 * 1024;
/** Nodes and connections not yet authenticated: a node's payloads stay under MAX_PAYLOAD_BYTES. */
export const MAX_NODE_PACKET_BYTES = MAX_PAYLOAD_BYTES + HEADER_ALLOWANCE_BYTES;
/** The manager publishes desired sets of up to MAX_DESIRED_SET_BYTES. */
export const MAX_MANAGER_PACKET_BYTES = MAX_DESIRED_SET_BYTES + HEADER_ALLOWANCE_BYTES;

interface LengthParser {
  packet: { cmd?: string; length: number };
  _parseLength(): boolean;
  _emitError(err: Error): unknown;
}

function lengthParserOf(client: Client): LengthParser | null {
  const parser = (client as unknown as { _parser?: Partial<LengthParser> })._parser;
  if (!parser || typeof parser._parseLength !== 'function' || typeof parser._emitError !== 'function' || typeof parser.packet !== 'object') return null;
  return parser as LengthParser;
}

/**
 * Makes the connection refuse any packet longer than `limit()` bytes (asked per packet: the limit
 * grows once the manager has authenticated). `onRefused` is told once, before the connection closes.
 * Throws if the installed aedes/mqtt-packet no longer has the parser this relies on.
 */
export function limitPacketSize(client: Client, limit: () => number, onRefused: (cmd: string, bytes: number, limit: number) => void): void {
  const parser = lengthParserOf(client);
  if (!parser) throw new Error('aedes client has no mqtt-packet parser with _parseLength: the broker cannot bound packet sizes (aedes version changed?)');
  const parseLength = parser._parseLength.bind(parser);
  parser._parseLength = () => {
    if (!parseLength()) return false;
    const max = limit();
    if (parser.packet.length <= max) return true;
    onRefused(parser.packet.cmd ?? 'unknown', parser.packet.length, max);
    parser._emitError(new Error(`packet of ${parser.packet.length} bytes exceeds the broker's limit of ${max}`));
    return false;
  };
}
