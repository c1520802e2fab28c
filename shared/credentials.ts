/**
 * How a board proves who it is to the broker. The MQTT username is the node id; the password
 * carries the cluster join token and the node's own secret (made on first start, kept in its state
 * dir). The manager binds the secret to the node id on first join; from then on only that secret
 * is accepted for the id, so a join token can never take over an existing node, and rotating the
 * join token does not lock out joined nodes.
 */

const PREFIX = 'kelvin1';

export interface NodeCredential {
  joinToken: string;
  nodeSecret: string;
}

export function formatMqttPassword(cred: NodeCredential): string {
  return `${PREFIX}:${cred.joinToken}:${cred.nodeSecret}`;
}

export function parseMqttPassword(password: string): NodeCredential | null {
  const parts = password.split(':');
  if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) return null;
  return { joinToken: parts[1], nodeSecret: parts[2] };
}

/**
 * The one MQTT client id a node may connect with. The broker refuses any other, so a board can
 * never present (and take over) another board's session id.
 */
export function nodeClientId(nodeId: string): string {
  return `kelvin-agent-${nodeId}`;
}

/** Username the manager's own MQTT client uses; never a valid node id (has an underscore). */
export const MANAGER_MQTT_USERNAME = 'kelvin_manager';
