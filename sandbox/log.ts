// One readable line per notable thing; silent when the sandbox runs quiet (tests).
export interface SandboxLog {
	info(message: string): void;
	warn(message: string): void;
}

export function createLog(quiet: boolean): SandboxLog {
	const line = (level: string, message: string) => {
		const time = new Date().toISOString().slice(11, 23);
		process.stdout.write(`${time} ${level} ${message}\n`);
	};
	return quiet
		? { info: () => undefined, warn: () => undefined }
		: { info: (m) => line('info', m), warn: (m) => line('WARN', m) };
}
