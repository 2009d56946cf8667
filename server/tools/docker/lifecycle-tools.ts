import { dockerStart } from './docker-start.js';
import { dockerStop } from './docker-stop.js';
import { dockerRestart } from './docker-restart.js';
import { dockerPause } from './docker-pause.js';
import { dockerUnpause } from './docker-unpause.js';
import { dockerRemove } from './docker-remove.js';
import { dockerNetworkCreate } from './docker-network-create.js';
import { dockerNetworkRemove } from './docker-network-remove.js';
import { dockerNetworkConnect } from './docker-network-connect.js';
import { dockerNetworkDisconnect } from './docker-network-disconnect.js';

/** The container lifecycle and network write tools of the `docker` toolset, in the order clients list them. */
export const dockerLifecycleTools = [
  dockerStart,
  dockerStop,
  dockerRestart,
  dockerPause,
  dockerUnpause,
  dockerRemove,
  dockerNetworkCreate,
  dockerNetworkRemove,
  dockerNetworkConnect,
  dockerNetworkDisconnect,
] as const;
