/** The manager's secrets and configs, opened with the key from the data dir or `--secrets-key-file`. */
import type { Logger } from '../../shared/logger.js';
import type { Clock, ManagerOptions } from '../options.js';
import type { Store } from '../store/store.js';
import { SecretCipher } from './cipher.js';
import { loadSecretsKey } from './key-file.js';
import { Materials } from './materials.js';

export function openMaterials(store: Store, options: Pick<ManagerOptions, 'dataDir' | 'secretsKeyFile'>, clock: Clock, logger: Logger): Materials {
  const { key, path, created } = loadSecretsKey(options.dataDir, options.secretsKeyFile);
  if (created) logger.info({ path }, 'made the key that seals secrets in the store (mode 600); back it up with the data dir');
  return new Materials(store, new SecretCipher(key), () => clock.now());
}
