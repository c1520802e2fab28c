export { computeEndpointList, type EndpointSources } from './endpoint-list.js';
export { MeshPublisher, type MeshPublisherOptions } from './publisher.js';
export { hostsLookup, hostsOf } from './service-names.js';
export { TaskEndpoints, type TaskEndpoint } from './task-endpoints.js';
