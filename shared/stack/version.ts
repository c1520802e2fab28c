/**
 * The top-level `version:`. Informational in Compose v3 and the Compose spec, but a v1/v2 file
 * means something else (no `deploy`, other restart semantics): `docker stack deploy` refuses it,
 * and so does Kelvin rather than loading it half right.
 */
import type { Field } from './field.js';
import { readString } from './read.js';

export function readComposeVersion(field: Field): void {
  const version = readString(field);
  if (version !== undefined && /^[12](\.\d+)?$/.test(version.trim())) {
    field.error(`unsupported Compose file version: ${version}; stack files need version 3 or later (or no version), as docker stack deploy does`);
  }
}
