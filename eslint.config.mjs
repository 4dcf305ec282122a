import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

// n8n's community-node rules, non-cloud profile: a long-connection trigger needs timers and sockets,
// which the n8n Cloud profile forbids.
export default [
	{ ignores: ['dist/**', 'node_modules/**', 'sandbox/**', 'test/**', 'bench/**', 'scripts/**', 'lib/**'] },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json' } },
	},
	n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
];
