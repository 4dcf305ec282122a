// The Message resource: one module per operation; adding one means a new file and a line here
// (plus its option in descriptions/MessageDescription.ts).
import type { ResourceOperations } from '../types';
import { downloadResource } from './downloadResource.operation';
import { edit } from './edit.operation';
import { forward } from './forward.operation';
import { get } from './get.operation';
import { recall } from './recall.operation';
import { reply } from './reply.operation';
import { send } from './send.operation';
import { updateCard } from './updateCard.operation';
import { uploadFile } from './uploadFile.operation';
import { uploadImage } from './uploadImage.operation';

export const message: ResourceOperations = {
	usesApi: true,
	operations: { downloadResource, edit, forward, get, recall, reply, send, updateCard, uploadFile, uploadImage },
};
