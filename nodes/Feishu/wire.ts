// The wire layer as seen from this node. Files in subfolders import it from here: the build resolves
// lib/feishu relative to the importing file, so only files beside Feishu.node.ts may name it directly.
export * from '../../lib/feishu';
