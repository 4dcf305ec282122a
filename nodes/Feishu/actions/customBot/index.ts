// The Custom Bot resource: posts through a group's webhook with its own credential (no Open API
// client, no app).
import type { ResourceOperations } from '../types';
import { sendMessage } from './sendMessage.operation';

export const customBot: ResourceOperations = {
	usesApi: false,
	operations: { sendMessage },
};
