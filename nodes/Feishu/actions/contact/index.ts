// The Contact resource: the tenant's users and departments, as far as the app's contact scope reaches.
// One module per operation; adding one means a new file and a line here (plus its option in
// descriptions/ContactDescription.ts).
import type { ResourceOperations } from '../types';
import { findUserIds } from './findUserIds.operation';
import { getDepartmentChildren } from './getDepartmentChildren.operation';
import { getDepartmentMembers } from './getDepartmentMembers.operation';
import { getUser } from './getUser.operation';
import { getUsers } from './getUsers.operation';
import { searchUsers } from './searchUsers.operation';

export const contact: ResourceOperations = {
	usesApi: true,
	operations: { findUserIds, getDepartmentChildren, getDepartmentMembers, getUser, getUsers, searchUsers },
};
