// The Chat resource: one module per operation; adding one means a new file and a line here
// (plus its option in descriptions/ChatDescription.ts).
import type { ResourceOperations } from '../types';
import { addMembers } from './addMembers.operation';
import { create } from './create.operation';
import { deleteChatOperation } from './delete.operation';
import { get } from './get.operation';
import { getAll } from './getAll.operation';
import { getAnnouncement } from './getAnnouncement.operation';
import { getLink } from './getLink.operation';
import { getMembers } from './getMembers.operation';
import { isInChat } from './isInChat.operation';
import { addManagers, removeManagers } from './managers.operation';
import { removeMembers } from './removeMembers.operation';
import { search } from './search.operation';
import { update } from './update.operation';
import { updateAnnouncement } from './updateAnnouncement.operation';

export const chat: ResourceOperations = {
	usesApi: true,
	operations: { addManagers, addMembers, create, delete: deleteChatOperation, get, getAll, getAnnouncement, getLink, getMembers, isInChat, removeManagers, removeMembers, search, update, updateAnnouncement },
};
