// Memory as left after a full garbage collection, for tests that bound what attacker-sized input
// retains. Enables V8's gc() for this process on first import.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** process.memoryUsage() after two full collections (the second sweeps what the first finalised). */
export function memoryAfterGc(): NodeJS.MemoryUsage {
	gc();
	gc();
	return process.memoryUsage();
}
