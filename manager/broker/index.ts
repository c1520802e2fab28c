export { publishRefusal, subscribeRefusal, type BrokerIdentity } from './acl.js';
export { authenticateClient, type AuthContext, type AuthResult } from './authenticate.js';
export { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './embedded.js';
export {
  brokerConfigMosquitto,
  mergePasswordFiles,
  mosquittoConfigFromStore,
  type MosquittoConfPaths,
  type MosquittoConfig,
  type MosquittoConfigInput,
} from './mosquitto-config.js';
export { EXTERNAL_BROKER_CREDENTIAL, hashSecret, mosquittoPasswordHash, newJoinToken, randomToken, verifySecret } from './secrets.js';
export { InboundRouter, type MessageHandler, type NodeMessage } from './inbound.js';
