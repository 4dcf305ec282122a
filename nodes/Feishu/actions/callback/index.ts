// The Callback resource: answers to the card click that started the execution (no Open API call).
import type { ResourceOperations } from '../types';
import { respondToCardAction } from './respondToCardAction.operation';

export const callback: ResourceOperations = {
	usesApi: false,
	operations: { respondToCardAction },
};
