// The API resource: any Feishu Open API endpoint, picked from the catalog (api/endpoints.ts) or by path.
import type { ResourceOperations } from '../types';
import { callEndpoint } from './callEndpoint.operation';

export const api: ResourceOperations = {
	usesApi: true,
	operations: { callEndpoint },
};
