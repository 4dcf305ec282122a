// The Message resource: one module per operation; adding one means a new file and a line here
// (plus its option in descriptions/MessageDescription.ts).
import type { ResourceOperations } from '../types';
import { addReaction } from './addReaction.operation';
import { batchSend } from './batchSend.operation';
import { deleteEphemeral } from './deleteEphemeral.operation';
import { downloadResource } from './downloadResource.operation';
import { edit } from './edit.operation';
import { forward } from './forward.operation';
import { get } from './get.operation';
import { getAll } from './getAll.operation';
import { getBatchProgress } from './getBatchProgress.operation';
import { getPins } from './getPins.operation';
import { getReactions } from './getReactions.operation';
import { getReadUsers } from './getReadUsers.operation';
import { mergeForward } from './mergeForward.operation';
import { pin } from './pin.operation';
import { recall } from './recall.operation';
import { recallBatch } from './recallBatch.operation';
import { removeReaction } from './removeReaction.operation';
import { reply } from './reply.operation';
import { send } from './send.operation';
import { sendAndWait } from './sendAndWait.operation';
import { sendAnswer } from './sendAnswer.operation';
import { sendEphemeral } from './sendEphemeral.operation';
import { updateCard } from './updateCard.operation';
import { urgent } from './urgent.operation';
import { unpin } from './unpin.operation';
import { uploadFile } from './uploadFile.operation';
import { uploadImage } from './uploadImage.operation';

export const message: ResourceOperations = {
	usesApi: true,
	operations: { addReaction, batchSend, deleteEphemeral, downloadResource, edit, forward, get, getAll, getBatchProgress, getPins, getReactions, getReadUsers, mergeForward, pin, recall, recallBatch, removeReaction, reply, send, sendAndWait, sendAnswer, sendEphemeral, unpin, updateCard, uploadFile, uploadImage, urgent },
};
