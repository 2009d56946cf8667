import type { AnyTool } from './define-tool.js';
import { systemOverview } from './system/system-overview.js';
import { systemArrayStatus } from './system/system-array-status.js';
import { systemDisks } from './system/system-disks.js';
import { systemShares } from './system/system-shares.js';
import { dockerList } from './docker/docker-list.js';
import { dockerInspect } from './docker/docker-inspect.js';
import { dockerLogs } from './docker/docker-logs.js';
import { dockerStats } from './docker/docker-stats.js';
import { dockerImages } from './docker/docker-images.js';
import { dockerNetworkList } from './docker/docker-network-list.js';
import { dockerNetworkInspect } from './docker/docker-network-inspect.js';
import { dockerStart } from './docker/docker-start.js';
import { dockerStop } from './docker/docker-stop.js';
import { dockerRestart } from './docker/docker-restart.js';
import { dockerPause } from './docker/docker-pause.js';
import { dockerUnpause } from './docker/docker-unpause.js';
import { dockerRemove } from './docker/docker-remove.js';
import { dockerNetworkCreate } from './docker/docker-network-create.js';
import { dockerNetworkRemove } from './docker/docker-network-remove.js';
import { dockerNetworkConnect } from './docker/docker-network-connect.js';
import { dockerNetworkDisconnect } from './docker/docker-network-disconnect.js';
import { dockerCreate } from './docker/docker-create.js';
import { dockerUpdate } from './docker/docker-update.js';
import { dockerPull } from './docker/docker-pull.js';
import { vmList } from './vm/vm-list.js';
import { vmInspect } from './vm/vm-inspect.js';
import { vmXml } from './vm/vm-xml.js';
import { vmStart } from './vm/vm-start.js';
import { vmStop } from './vm/vm-stop.js';
import { vmForceStop } from './vm/vm-force-stop.js';
import { vmRestart } from './vm/vm-restart.js';
import { vmPause } from './vm/vm-pause.js';
import { vmResume } from './vm/vm-resume.js';
import { vmAutostart } from './vm/vm-autostart.js';
import { vmCreate } from './vm/vm-create.js';
import { vmDelete } from './vm/vm-delete.js';
import { vmSnapshotList } from './vm/vm-snapshot-list.js';
import { vmSnapshotCreate } from './vm/vm-snapshot-create.js';
import { vmSnapshotRevert } from './vm/vm-snapshot-revert.js';
import { vmSnapshotDelete } from './vm/vm-snapshot-delete.js';
import { parityHistory } from './unraid/parity-history.js';
import { parityStart } from './unraid/parity-start.js';
import { parityPause } from './unraid/parity-pause.js';
import { parityResume } from './unraid/parity-resume.js';
import { parityCancel } from './unraid/parity-cancel.js';
import { arrayStart } from './unraid/array-start.js';
import { arrayStop } from './unraid/array-stop.js';
import { diskSmart } from './unraid/disk-smart.js';
import { diskSpinUp } from './unraid/disk-spin-up.js';
import { diskSpinDown } from './unraid/disk-spin-down.js';
import { notificationsList } from './unraid/notifications-list.js';
import { notificationArchive } from './unraid/notification-archive.js';
import { notificationCreate } from './unraid/notification-create.js';
import { syslogRead } from './unraid/syslog-read.js';
import { upsStatus } from './unraid/ups-status.js';
import { gpuStatus } from './unraid/gpu-status.js';
import { pluginsList } from './unraid/plugins-list.js';
import { userScriptsList } from './unraid/user-scripts-list.js';
import { userScriptRun } from './unraid/user-script-run.js';
import { systemReboot } from './unraid/system-reboot.js';
import { systemShutdown } from './unraid/system-shutdown.js';

/**
 * Every tool the sidecar has, in the order clients list them: the one registry, the same at run time,
 * in tests and in the generated docs. What a session sees is decided by selectTools; where things are
 * on the host reaches tools through their context (ToolDeps.layout), never through this list.
 */
export const allTools: ReadonlyArray<AnyTool> = [
  systemOverview,
  systemArrayStatus,
  systemDisks,
  systemShares,
  dockerList,
  dockerInspect,
  dockerLogs,
  dockerStats,
  dockerImages,
  dockerNetworkList,
  dockerNetworkInspect,
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
  dockerCreate,
  dockerUpdate,
  dockerPull,
  vmList,
  vmInspect,
  vmXml,
  vmStart,
  vmStop,
  vmForceStop,
  vmRestart,
  vmPause,
  vmResume,
  vmAutostart,
  vmCreate,
  vmDelete,
  vmSnapshotList,
  vmSnapshotCreate,
  vmSnapshotRevert,
  vmSnapshotDelete,
  parityHistory,
  parityStart,
  parityPause,
  parityResume,
  parityCancel,
  arrayStart,
  arrayStop,
  diskSmart,
  diskSpinUp,
  diskSpinDown,
  notificationsList,
  notificationArchive,
  notificationCreate,
  syslogRead,
  upsStatus,
  gpuStatus,
  pluginsList,
  userScriptsList,
  userScriptRun,
  systemReboot,
  systemShutdown,
];
