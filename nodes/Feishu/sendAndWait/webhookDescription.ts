// The webhooks of a send-and-wait node, as n8n's own declare them: GET and POST on the node's id under
// n8n's resume URL (/webhook-waiting/<execution>/<node>), `restartWebhook` so that n8n serves them only
// while an execution of the node waits.
import type { IWebhookDescription } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

export const SEND_AND_WAIT_WEBHOOKS: IWebhookDescription[] = (['GET', 'POST'] as const).map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
}));

export const WAITING_TOOLTIP = `={{ $parameter["operation"] === "${SEND_AND_WAIT_OPERATION}" ? "Execution will continue after someone answers in Feishu" : "" }}`;
