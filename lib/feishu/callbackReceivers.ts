// Which apps have a Feishu Trigger active in this process. A Send and Wait card answered in Feishu
// needs one: Feishu sends the card's callbacks to the app's long connection or callback URL, where the
// trigger relays them to the waiting execution. Only this process is seen: in queue mode the triggers
// run on the main instance and the Feishu node on a worker.
const active = new Map<string, number>();

/** Marks the app as receiving callbacks here until the returned release is called (once; later calls do nothing). */
export function holdCallbackReceiver(appId: string): () => void {
	active.set(appId, (active.get(appId) ?? 0) + 1);
	let held = true;
	return () => {
		if (!held) return;
		held = false;
		const left = (active.get(appId) ?? 1) - 1;
		if (left > 0) active.set(appId, left);
		else active.delete(appId);
	};
}

/** Whether a Feishu Trigger of the app is active in this process. */
export function hasCallbackReceiver(appId: string): boolean {
	return active.has(appId);
}
