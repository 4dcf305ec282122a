// Child processes that must never outlive us: each is started in its own process group and the
// whole group (n8n plus its task-runner child) is killed when this process exits, however it exits.
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import net from 'node:net';

const groups = new Set<number>();
let hooked = false;

function killAllSync(): void {
	for (const pid of groups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			/* already gone */
		}
	}
	groups.clear();
}

function hookExit(): void {
	if (hooked) return;
	hooked = true;
	process.on('exit', killAllSync);
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		// Only act when nobody else handles the signal (the demo stops n8n gracefully itself).
		const handler = () => {
			if (process.listenerCount(sig) > 1) return;
			killAllSync();
			process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
		};
		process.on(sig, handler);
	}
}

/** Spawns a command in its own process group, tracked for cleanup. */
export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
	hookExit();
	const child = spawn(cmd, args, { ...opts, detached: true });
	if (child.pid) {
		const pid = child.pid;
		groups.add(pid);
		child.once('exit', () => {
			// The group leader is gone; make sure no grandchild stays behind.
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {
				/* none left */
			}
			groups.delete(pid);
		});
	}
	return child;
}

/** Sends a signal to a tracked child's whole group and waits for the leader to exit (SIGKILL after graceMs). */
export async function stopTracked(child: ChildProcess, graceMs = 15_000): Promise<void> {
	if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
	const pid = child.pid;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	try {
		process.kill(pid, 'SIGTERM');
	} catch {
		/* raced with exit */
	}
	const timer = setTimeout(() => {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}, graceMs);
	await exited;
	clearTimeout(timer);
}

/** kill -9 of the child's whole process group (an OOM kill, a pulled plug): no shutdown runs. */
export async function killTracked(child: ChildProcess): Promise<void> {
	if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	try {
		process.kill(-child.pid, 'SIGKILL');
	} catch {
		/* gone */
	}
	await exited;
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolve(port));
		});
	});
}
