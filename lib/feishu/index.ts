// The Feishu wire layer: everything that knows Feishu's protocol and nothing of n8n.
// n8n nodes import only from this index; the build bundles it once as dist/lib/feishu.js.
export * from './frames';
export * from './crypto';
export * from './errors';
export * from './errorHints';
export * from './domains';
export * from './logger';
export * from './multipart';
export * from './tokenCache';
export * from './apiClient';
export * from './messageContent';
export * from './messages';
export * from './events';
export * from './webhook';
export * from './envelope';
export * from './dedupe';
export * from './eventPacer';
export * from './fragments';
export * from './gatewayErrors';
export * from './gatewayLog';
export * from './gatewayStats';
export * from './gatewayEndpoint';
export * from './gatewayClient';
export * from './connectionHub';
export * from './httpTransport';
export * from './timers';
export * from './values';
