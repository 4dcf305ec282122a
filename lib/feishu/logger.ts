// The logging surface of the wire layer; n8n nodes adapt this.logger to it, tests leave it silent.

export interface FeishuLogger {
	debug(message: string, meta?: object): void;
	info(message: string, meta?: object): void;
	warn(message: string, meta?: object): void;
	error(message: string, meta?: object): void;
}

const noop = () => {};
export const silentLogger: FeishuLogger = { debug: noop, info: noop, warn: noop, error: noop };
