// The Chat resource: one module per operation; adding one means a new file and a line here
// (plus its option in descriptions/ChatDescription.ts).
import type { ResourceOperations } from '../types';
import { get } from './get.operation';
import { getAll } from './getAll.operation';

export const chat: ResourceOperations = {
	usesApi: true,
	operations: { get, getAll },
};
