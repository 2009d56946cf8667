import type { AnyTool } from '../define-tool.js';
import { dockerList } from './docker-list.js';
import { dockerInspect } from './docker-inspect.js';
import { dockerLogs } from './docker-logs.js';
import { dockerStats } from './docker-stats.js';
import { dockerImages } from './docker-images.js';
import { dockerNetworkList } from './docker-network-list.js';
import { dockerNetworkInspect } from './docker-network-inspect.js';

/** The read-only Docker tools, in the order they are listed to clients. */
export const dockerReadTools: AnyTool[] = [dockerList, dockerInspect, dockerLogs, dockerStats, dockerImages, dockerNetworkList, dockerNetworkInspect];
